// Counts heap (malloc / operator new) and CUDA (cudaMalloc / cudaMallocHost) allocations and
// frees made while counting is on. The replacements are linked into the whole gpu_test binary.
#pragma once
#include <cstdint>

namespace rankrt::test {

struct AllocCounts {
  int64_t heap_allocs = 0, heap_frees = 0, cuda_allocs = 0, cuda_frees = 0;
};

void start_counting_allocations();
AllocCounts stop_counting_allocations();

}  // namespace rankrt::test
