// Liveness-based arena planning: values whose lifetimes do not overlap share bytes.
#pragma once
#include <cstddef>
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

// A value of a lowered program of `num_steps` steps: written by step first_step (-1: before
// any), last read by step last_step. Values not in the arena (weights) are skipped.
struct ProgramValue {
  int64_t bytes = 0;
  int first_step = -1;
  int last_step = -1;
  bool in_arena = true;
};

// Plans a program's arena: graph inputs live from before the first step, graph outputs until
// after the last. offsets[i] is -1 for values not in the arena.
MemoryPlan plan_program_arena(const std::vector<ProgramValue>& values, const std::vector<size_t>& inputs,
                              const std::vector<size_t>& outputs, int num_steps, int64_t alignment = 256);

}  // namespace rankrt
