// Bucketed CUDA graphs: a row-independent graph run on power-of-two buckets gives the outputs of
// exact-shape capture for every row count; a graph with a row-mixing step falls back to exact
// capture and says so.
#include "backends/cuda/cuda_engine.h"
#include "gpu/dqm_like_graph.h"

namespace rankrt::test {

namespace {

std::unique_ptr<Engine> engine_for(const Graph& g, bool buckets) {
  EngineOptions options;
  options.backend = "cuda";
  options.profile = {1, 200, 200};
  options.graph_buckets = buckets;
  return build_engine(g, options);
}

}  // namespace

TEST(GraphBuckets, SameOutputsAsExactCaptureForEveryRowCount) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(31);
  Graph g = dqm_like_graph(rng);
  infer_shapes(g);
  auto exact = engine_for(g, false), bucketed = engine_for(g, true);
  EXPECT_NE(bucketed->description().find("power-of-two row buckets"), std::string::npos)
      << bucketed->description();
  auto exact_ctx = exact->create_context(), bucketed_ctx = bucketed->create_context();
  ReferenceExecutor ref(g, DType::kF64);
  // Descending then ascending: a small request follows a large one, leaving stale padding rows.
  std::vector<int64_t> counts;
  for (int64_t rows = 200; rows >= 1; rows -= 13) counts.push_back(rows);
  for (int64_t rows : {1, 2, 3, 5, 8, 9, 31, 33, 64, 65, 127, 128, 129, 199, 200}) counts.push_back(rows);
  for (int64_t rows : counts) {
    const TensorMap in{{"x", random_tensor(rng, DType::kF32, {rows, 24})},
                       {"comm", random_tensor(rng, DType::kF32, {1, 8})}};
    const Tensor a = exact_ctx->run(in).at("y"), b = bucketed_ctx->run(in).at("y");
    EXPECT_LT(normwise_error(b, a), 1e-6) << "rows=" << rows;
    EXPECT_LT(normwise_error(b, ref.run(in).at("y")), 1e-5) << "rows=" << rows;
  }
}

TEST(GraphBuckets, RowMixingStepFallsBackToExactCapture) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(32);
  Graph g;
  g.source = "softmax-over-rows";
  g.inputs.push_back({"x", DType::kF32, {Dim::sym("N"), 4}, true});
  g.nodes.push_back({"softmax", "Softmax", {"x"}, {"y"}, {{"axis", int64_t(0)}}});
  g.outputs.push_back({"y", DType::kF32, {}, false});
  infer_shapes(g);
  auto engine = engine_for(g, true);
  EXPECT_NE(engine->description().find("no buckets"), std::string::npos) << engine->description();
  auto ctx = engine->create_context();
  ReferenceExecutor ref(g, DType::kF64);
  for (int64_t rows : {3, 5, 100}) {
    const TensorMap in{{"x", random_tensor(rng, DType::kF32, {rows, 4})}};
    EXPECT_LT(normwise_error(ctx->run(in).at("y"), ref.run(in).at("y")), 1e-5) << "rows=" << rows;
  }
}

}  // namespace rankrt::test
