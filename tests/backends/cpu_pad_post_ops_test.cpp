// Pad (every mode and stored dtype) and Dense post-ops (every op, after every activation and bias
// form, and in both layers of a score head) on the oneDNN CPU backend against the FP64 reference,
// on fresh random inputs.
#include "backends/cpu_test_util.h"
#include "backends/dense_graph.h"
#include "backends/pad_post_ops_graph.h"
#include "backends/score_head_graph.h"
#include "passes/pass_test_util.h"

namespace rankrt::test {
namespace {

TEST(CpuPadPostOps, PadEveryModeAndDtypeIsExact) {
  std::mt19937 rng = fresh_rng();
  for (const std::string mode : {"constant", "edge", "reflect", "wrap"})
    for (DType dtype : {DType::kF16, DType::kBF16, DType::kF32, DType::kI32, DType::kI64, DType::kBool})
      for (const std::vector<int64_t>& pads : kPadCases) {
        const Graph g = pad_graph(dtype, mode, pads, 1e-7);
        for (int64_t rows : {1, 5, 300}) {
          const TensorMap in{{"x", random_tensor(rng, dtype, {rows, 3, 4}, -50, 50)}};
          EXPECT_EQ(cpu_vs_reference(g, in), 0.0) << mode << " " << dtype_name(dtype) << " N=" << rows;
        }
      }
}

// Pads computed per request leave the output's dims unknown: one error line naming the layer.
TEST(CpuPadPostOps, PadWithComputedPadsIsAClearError) {
  Graph g = pad_graph(DType::kF32, "constant", {0, 1, 0, 0}, 0);
  g.initializers.erase("pads");
  g.inputs.push_back({"pads", DType::kI64, {4}, true});
  infer_shapes(g);
  try {
    build_engine(g, cpu_options("fp32"));
    ADD_FAILURE() << "no error thrown";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("pad-test: layer 'pad'"), std::string::npos) << e.what();
  }
}

TEST(CpuPadPostOps, DensePostOpsAfterEveryActivationAndBiasForm) {
  std::mt19937 rng = fresh_rng();
  const int64_t k = 96, m = 40;
  for (const std::string act :
       {"none", "relu", "prelu", "sigmoid", "tanh", "dice", "gelu", "gelu_tanh", "swish"}) {
    for (Bias bias : {Bias::kNone, Bias::kColumn, Bias::kRow, Bias::kFull}) {
      Graph g = dense_graph(k, m, act, bias, rng);
      set_post_ops(g.nodes[0], kEveryPostOp);
      for (int64_t rows : {1, 7, 200}) {
        TensorMap in{{"x", random_tensor(rng, DType::kF32, {rows, k})}};
        if (bias == Bias::kRow) in["b"] = random_tensor(rng, DType::kF32, {1, m});
        if (bias == Bias::kFull) in["b"] = random_tensor(rng, DType::kF32, {rows, m});
        EXPECT_LT(cpu_vs_reference(g, in), 1e-4) << act << " bias form " << int(bias) << " rows=" << rows;
      }
    }
  }
}

// Post-ops in both layers of a score head run in double: (z + 1000) - 1000 keeps the cancelling
// score's accuracy (in float32 it would lose ~6e-5 absolute).
TEST(CpuPadPostOps, ScoreHeadAppliesPostOpsInDouble) {
  std::mt19937 rng = fresh_rng();
  Graph g = cancelling_score_head(rng);
  set_post_ops(*find_named(g, "hidden"), {{"mul", 0.5}, {"add", 0.1}});
  set_post_ops(*find_named(g, "score"), {{"add", 1000}, {"sub", 1000}, {"abs", 0}, {"mul", 3}});
  infer_shapes(g);
  for (int64_t rows : {1, 3, 200}) {
    const Tensor x = random_tensor(rng, DType::kF32, {rows, 16});
    const Tensor expected = ReferenceExecutor(g, DType::kF64).run({{"x", x}}).at("z");
    const Tensor actual = build_engine(g, cpu_options("fp32"))->create_context()->run({{"x", x}}).at("z");
    EXPECT_LT(max_rel_error(actual, expected, 1e-12), 1e-5) << rows;
  }
}

}  // namespace
}  // namespace rankrt::test
