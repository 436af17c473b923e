// Counts heap (malloc / operator new) and CUDA (cudaMalloc / cudaMallocHost) allocations and
// frees made by the thread that turned counting on (the request path), and separately the heap
// allocations of other threads meanwhile (e.g. the CUDA driver's helper threads). The
// replacements are linked into the whole gpu_test binary; counting is off unless a test starts it.
#pragma once
#include <cstdint>

#include "sanitized.h"

namespace rankrt::test {

struct AllocCounts {
  int64_t heap_allocs = 0, heap_frees = 0, cuda_allocs = 0, cuda_frees = 0;
  int64_t other_thread_heap_allocs = 0;
};

// Starts counting for the calling thread.
void start_counting_allocations();
AllocCounts stop_counting_allocations();

}  // namespace rankrt::test
