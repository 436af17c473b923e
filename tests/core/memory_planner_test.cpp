// Arena planning: overlapping lifetimes never share bytes; disjoint ones do.
#include "core/memory_planner.h"

#include <gtest/gtest.h>

#include <random>

namespace rankrt {

TEST(MemoryPlanner, ReusesBytesOfDeadBuffers) {
  // A chain a -> b -> c: a and c never live together, so they share.
  MemoryPlan plan = plan_memory({{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}});
  EXPECT_EQ(plan.offsets[0], plan.offsets[2]);
  EXPECT_NE(plan.offsets[0], plan.offsets[1]);
  EXPECT_EQ(plan.arena_bytes, 2 * 1024);
}

TEST(MemoryPlanner, RandomLifetimesNeverOverlap) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<BufferRequest> reqs;
    for (int i = 0; i < 30; ++i) {
      int first = int(rng() % 20);
      reqs.push_back({int64_t(1 + rng() % 5000), first, first + int(rng() % 6)});
    }
    MemoryPlan plan = plan_memory(reqs);
    for (size_t i = 0; i < reqs.size(); ++i) {
      EXPECT_EQ(plan.offsets[i] % 256, 0);
      EXPECT_LE(plan.offsets[i] + reqs[i].bytes, plan.arena_bytes);
      for (size_t j = i + 1; j < reqs.size(); ++j) {
        bool live_together =
            reqs[i].first_step <= reqs[j].last_step && reqs[j].first_step <= reqs[i].last_step;
        bool bytes_overlap = plan.offsets[i] < plan.offsets[j] + reqs[j].bytes &&
                             plan.offsets[j] < plan.offsets[i] + reqs[i].bytes;
        EXPECT_FALSE(live_together && bytes_overlap) << i << " " << j;
      }
    }
  }
}

TEST(MemoryPlanner, ProgramArenaKeepsInputsAndOutputsAliveAndSkipsWeights) {
  // 0: graph input read by step 0; 1: weight; 2: written by step 0, read by step 1;
  // 3: written by step 1, a graph output; 4: written by step 2 (reads 2 only).
  const std::vector<ProgramValue> values = {
      {1000, -1, 0, true}, {1000, -1, -1, false}, {1000, 0, 1, true}, {1000, 1, 1, true}, {1000, 2, 2, true}};
  const MemoryPlan plan = plan_program_arena(values, {0}, {3}, 3);
  EXPECT_EQ(plan.offsets[1], -1);
  // The output (3) must not share bytes with anything written after it (4).
  EXPECT_NE(plan.offsets[3], plan.offsets[4]);
  // The input (0) lives while step 0 writes 2; value 4 reuses a dead value's bytes (0's or 2's).
  EXPECT_NE(plan.offsets[0], plan.offsets[2]);
  EXPECT_LE(plan.arena_bytes, 3 * 1024);
}

}  // namespace rankrt
