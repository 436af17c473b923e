// Arena planning: place the largest buffers first at the lowest offset that does not collide
// with an already placed buffer whose lifetime overlaps.
#include "core/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace rankrt {

MemoryPlan plan_memory(const std::vector<BufferRequest>& requests, int64_t alignment) {
  MemoryPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return requests[a].bytes > requests[b].bytes; });
  auto align = [&](int64_t v) { return (v + alignment - 1) / alignment * alignment; };
  std::vector<size_t> placed;
  for (size_t i : order) {
    const BufferRequest& r = requests[i];
    // Intervals taken by live-overlapping buffers, sorted by offset.
    std::vector<std::pair<int64_t, int64_t>> taken;
    for (size_t j : placed) {
      const BufferRequest& o = requests[j];
      if (o.first_step <= r.last_step && r.first_step <= o.last_step)
        taken.push_back({plan.offsets[j], plan.offsets[j] + align(o.bytes)});
    }
    std::sort(taken.begin(), taken.end());
    int64_t offset = 0;
    for (const auto& [begin, end] : taken) {
      if (offset + align(r.bytes) <= begin) break;
      offset = std::max(offset, end);
    }
    plan.offsets[i] = offset;
    plan.arena_bytes = std::max(plan.arena_bytes, offset + align(r.bytes));
    placed.push_back(i);
  }
  return plan;
}

MemoryPlan plan_program_arena(const std::vector<ProgramValue>& values, const std::vector<size_t>& inputs,
                              const std::vector<size_t>& outputs, int num_steps, int64_t alignment) {
  std::vector<BufferRequest> requests;
  std::vector<size_t> owners;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i].in_arena) continue;
    int first = values[i].first_step, last = values[i].last_step;
    if (std::find(inputs.begin(), inputs.end(), i) != inputs.end()) first = -1;
    if (std::find(outputs.begin(), outputs.end(), i) != outputs.end()) last = num_steps;
    requests.push_back({values[i].bytes, first + 1, last + 1});
    owners.push_back(i);
  }
  const MemoryPlan packed = plan_memory(requests, alignment);
  MemoryPlan plan;
  plan.offsets.assign(values.size(), -1);
  for (size_t r = 0; r < owners.size(); ++r) plan.offsets[owners[r]] = packed.offsets[r];
  plan.arena_bytes = packed.arena_bytes;
  return plan;
}

}  // namespace rankrt
