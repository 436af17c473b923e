// Liveness-based arena planning: values whose lifetimes do not overlap share bytes.
#pragma once
#include <cstdint>
#include <vector>

namespace rankrt {

struct BufferRequest {
  int64_t bytes = 0;
  int first_step = 0;  // step that writes it
  int last_step = 0;   // last step that reads it (inclusive)
};

struct MemoryPlan {
  std::vector<int64_t> offsets;  // one per request, aligned to `alignment`
  int64_t arena_bytes = 0;
};

// Greedy best-fit by decreasing size (as TFLite / XNNPACK planners do).
MemoryPlan plan_memory(const std::vector<BufferRequest>& requests, int64_t alignment = 256);

}  // namespace rankrt
