// Dynamic batching: merged launches give the same per-request outputs as unbatched runs, on a
// tiny graph and on the DQM-like model; requests with different shared inputs are not merged.
#include "runtime/dynamic_batcher.h"

#include <gtest/gtest.h>

#include <cmath>

#include "models/dqm_like.h"
#include "runtime_test_util.h"

namespace rankrt {
namespace {

void expect_close(const TensorMap& a, const TensorMap& b) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, t] : a) {
    const Tensor& u = b.at(name);
    ASSERT_EQ(t.dims(), u.dims()) << name;
    for (int64_t i = 0; i < t.numel(); ++i)
      EXPECT_NEAR(t.as_double(i), u.as_double(i), 1e-6 * (1 + std::abs(u.as_double(i))))
          << name << "[" << i << "]";
  }
}

TEST(DynamicBatcher, MergedOutputsEqualUnbatchedOnTinyGraph) {
  std::mt19937 rng(11);
  const auto engine = testing::tiny_engine();
  const DynamicBatcher batcher(engine->graph());
  EXPECT_EQ(batcher.row_symbol(), "N");
  const Tensor comm = testing::random_comm(rng);
  std::vector<TensorMap> requests;
  for (int64_t rows : {1, 5, 2, 7}) requests.push_back(testing::tiny_request(rows, comm, rng));
  std::vector<const TensorMap*> pointers;
  std::vector<int64_t> rows;
  for (const TensorMap& r : requests) {
    ASSERT_TRUE(batcher.compatible(requests.front(), r));
    pointers.push_back(&r);
    rows.push_back(batcher.rows(r));
  }
  auto context = engine->create_context();
  const std::vector<TensorMap> split = batcher.split(context->run(batcher.merge(pointers)), rows);
  ASSERT_EQ(split.size(), requests.size());
  for (size_t i = 0; i < requests.size(); ++i) expect_close(split[i], context->run(requests[i]));
}

TEST(DynamicBatcher, DifferentSharedInputsAreNotMerged) {
  std::mt19937 rng(12);
  const DynamicBatcher batcher(testing::tiny_graph());
  const TensorMap a = testing::tiny_request(2, testing::random_comm(rng), rng);
  const TensorMap b = testing::tiny_request(3, testing::random_comm(rng), rng);
  EXPECT_FALSE(batcher.compatible(a, b));
  const TensorMap c = testing::tiny_request(3, a.at("comm").clone(), rng);
  EXPECT_TRUE(batcher.compatible(a, c));  // equal bytes in another buffer
}

TEST(DynamicBatcher, DqmLikeMergedEqualsUnbatched) {
  const DqmLikeModel model = make_dqm_like_model(5);
  EngineOptions options;
  options.backend = "reference";
  options.precision = "fp64";
  const auto engine = build_engine(dqm_like_graph(model), options);
  const DynamicBatcher batcher(engine->graph());
  const SampleFile samples = dqm_like_samples(model, 6, 3);
  std::vector<const TensorMap*> pointers;
  std::vector<int64_t> rows;
  std::vector<TensorMap> requests;
  for (size_t i : {0, 2, 0}) {  // N = 1, 2, 1, all with sample 0's comm
    TensorMap r = samples.samples[i];
    r["comm"] = samples.samples[0].at("comm");
    requests.push_back(std::move(r));
  }
  for (const TensorMap& r : requests) {
    pointers.push_back(&r);
    rows.push_back(batcher.rows(r));
  }
  auto context = engine->create_context();
  const std::vector<TensorMap> split = batcher.split(context->run(batcher.merge(pointers)), rows);
  for (size_t i = 0; i < requests.size(); ++i) expect_close(split[i], context->run(requests[i]));
}

TEST(DynamicBatcher, GraphWithoutCandidateSymbolIsRejected) {
  Graph g = testing::tiny_graph();
  g.inputs[0].shape[0] = Dim(4);
  EXPECT_THROW(DynamicBatcher{g}, Error);
}

}  // namespace
}  // namespace rankrt
