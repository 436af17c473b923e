// Pad (every mode and dtype) and Dense post-ops (after every CUDA activation and bias form, and in
// both layers of a score head, which applies them in double) on the CUDA backend against the FP64
// reference, on fresh random inputs.
#include "backends/pad_post_ops_graph.h"
#include "backends/score_head_graph.h"
#include "gpu/gpu_test_util.h"
#include "passes/pass_test_util.h"

namespace rankrt::test {
namespace {

TEST(CudaPadPostOps, PadEveryModeAndDtypeIsExact) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng = fresh_rng();
  for (const std::string mode : {"constant", "edge", "reflect", "wrap"})
    for (DType dtype : {DType::kF16, DType::kF32, DType::kI32, DType::kI64, DType::kBool})
      for (const std::vector<int64_t>& pads : kPadCases)
        for (int64_t rows : {1, 5, 300}) {
          const TensorMap in{{"x", random_tensor(rng, dtype, {rows, 3, 4}, -50, 50)}};
          EXPECT_EQ(cuda_vs_reference(pad_graph(dtype, mode, pads, 1e-7), in, "fp32", rows != 5), 0.0)
              << mode << " " << dtype_name(dtype) << " N=" << rows;
        }
}

// x [N,96] -> Dense(w, bias [40] or a [1,40] input, act, params) with every post-op -> y.
Graph dense_with_post_ops(const std::string& act, bool row_bias, std::mt19937& rng) {
  Graph g;
  g.source = "post-ops-test";
  g.inputs.push_back({"x", DType::kF32, {Dim::sym("N"), 96}, true});
  g.initializers["w"] = random_tensor(rng, DType::kF32, {96, 40}, -0.2, 0.2);
  if (row_bias)
    g.inputs.push_back({"b", DType::kF32, {1, 40}, true});
  else
    g.initializers["b"] = random_tensor(rng, DType::kF32, {40});
  Node n{"dense", "Dense", {"x", "w", "b"}, {"y"}, {{"activation", act}}};
  for (int p = 0; p < (act == "prelu" ? 1 : act == "dice" ? 3 : 0); ++p) {
    g.initializers["p" + std::to_string(p)] = random_tensor(rng, DType::kF32, {40}, 0.1, 1.0);
    n.inputs.push_back("p" + std::to_string(p));
  }
  set_post_ops(n, kEveryPostOp);
  g.nodes.push_back(n);
  g.outputs.push_back({"y", DType::kF32, {}, false});
  return g;
}

TEST(CudaPadPostOps, DensePostOpsAfterEveryActivation) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng = fresh_rng();
  for (const std::string act : {"none", "relu", "prelu", "sigmoid", "tanh", "dice"})
    for (bool row_bias : {false, true})
      for (int64_t rows : {1, 7, 511}) {
        TensorMap in{{"x", random_tensor(rng, DType::kF32, {rows, 96})}};
        if (row_bias) in["b"] = random_tensor(rng, DType::kF32, {1, 40});
        EXPECT_LT(cuda_vs_reference(dense_with_post_ops(act, row_bias, rng), in), 1e-5)
            << act << (row_bias ? " row bias" : " column bias") << " rows=" << rows;
      }
}

// (z + 1000) - 1000 keeps the cancelling score's accuracy only in double (float32: ~6e-5 absolute).
TEST(CudaPadPostOps, ScoreHeadAppliesPostOpsInDouble) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng = fresh_rng();
  Graph g = cancelling_score_head(rng);
  set_post_ops(*find_named(g, "hidden"), {{"mul", 0.5}, {"add", 0.1}});
  set_post_ops(*find_named(g, "score"), {{"add", 1000}, {"sub", 1000}, {"abs", 0}, {"mul", 3}});
  infer_shapes(g);
  EngineOptions options;
  options.backend = "cuda";
  const std::unique_ptr<Engine> engine = build_engine(g, options);
  const std::unique_ptr<ExecutionContext> ctx = engine->create_context();
  for (int64_t rows : {1, 3, 200}) {
    const Tensor x = random_tensor(rng, DType::kF32, {rows, 16});
    const Tensor expected = ReferenceExecutor(g, DType::kF64).run({{"x", x}}).at("z");
    const Tensor actual = ctx->run({{"x", x}}).at("z");
    EXPECT_LT(max_rel_error(actual, expected, 1e-12), 1e-5) << rows;
  }
}

}  // namespace
}  // namespace rankrt::test
