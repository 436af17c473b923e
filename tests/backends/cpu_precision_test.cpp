// The oneDNN CPU backend's bf16 and int8 Dense layers against the FP64 reference: normwise error
// within their rounding (bf16 1e-2, int8 2e-2; measured 5.4e-3 and 1.4e-2) for every activation,
// bias form and row count; score heads as plain Dense layers; int8 edge cases (zero and
// non-finite inputs); an unknown precision is a usage error.
#include <cmath>

#include "backends/cpu/cpu_engine.h"
#include "backends/cpu/dense_layer.h"
#include "backends/cpu_test_util.h"
#include "backends/dense_graph.h"
#include "backends/score_head_graph.h"

namespace rankrt::test {

namespace {

struct Tolerance {
  const char* precision;
  double normwise;
};

// bf16 only where oneDNN runs it; int8 with 7-bit weights (oneDNN without VNNI:
// int8_weight_levels() 63; measured 2.4e-2 under ONEDNN_MAX_CPU_ISA=AVX512_CORE) rounds the
// weights twice as coarsely.
std::vector<Tolerance> tolerances() {
  std::vector<Tolerance> out;
  if (cpu_bf16_supported()) out.push_back({"bf16", 1e-2});
  out.push_back({"int8", cpu::int8_weight_levels() == 127 ? 2e-2 : 4e-2});
  return out;
}

// The step list (layer, op) of an engine at `precision` for a graph with a symbolic N.
std::vector<std::string> step_ops(Graph g, const std::string& precision) {
  infer_shapes(g);
  EngineOptions options = cpu_options(precision);
  options.optimize = false;
  auto engine = build_engine(g, options);
  auto context = engine->create_context();
  std::vector<std::string> ops;
  for (const auto& step : dynamic_cast<cpu::CpuExecutionContext&>(*context).profile(1, 1))
    ops.push_back(step.layer + ":" + step.op);
  return ops;
}

}  // namespace

TEST(CpuPrecision, DenseEveryActivationBiasFormAndRowCount) {
  for (const Tolerance& t : tolerances()) {
    std::mt19937 rng(41);
    double worst = 0;
    for (const std::string act : {"none", "relu", "prelu", "sigmoid", "tanh", "dice", "gelu", "swish"}) {
      for (Bias bias : {Bias::kNone, Bias::kColumn, Bias::kRow, Bias::kFull, Bias::kScalar}) {
        const Graph g = dense_graph(96, 40, act, bias, rng);
        for (int64_t rows : {1, 7, 200, 511}) {
          TensorMap in{{"x", random_tensor(rng, DType::kF32, {rows, 96})}};
          if (bias == Bias::kRow) in["b"] = random_tensor(rng, DType::kF32, {1, 40});
          if (bias == Bias::kFull) in["b"] = random_tensor(rng, DType::kF32, {rows, 40});
          const double error = cpu_normwise_vs_reference(g, in, t.precision);
          EXPECT_LT(error, t.normwise)
              << t.precision << " " << act << " bias form " << int(bias) << " rows=" << rows;
          worst = std::max(worst, error);
        }
      }
    }
    std::printf("%s: worst normwise error %.2e\n", t.precision, worst);
  }
}

// DQM-sized layers, two threads, a 3-D MatMul and a layer of static shape (fixed rows).
TEST(CpuPrecision, LargeLayersThreadsMatMulAndStaticShapes) {
  for (const Tolerance& t : tolerances()) {
    std::mt19937 rng(42);
    const Graph g = dense_graph(832, 256, "prelu", Bias::kColumn, rng);
    for (int64_t rows : {3, 511})
      EXPECT_LT(
          cpu_normwise_vs_reference(g, {{"x", random_tensor(rng, DType::kF32, {rows, 832})}}, t.precision, 2),
          t.normwise)
          << t.precision << " rows=" << rows;

    Graph mm;
    mm.source = "matmul-test";
    mm.inputs.push_back({"x", DType::kF32, {Dim::sym("N"), 4, 24}, true});
    mm.initializers["w"] = random_tensor(rng, DType::kF32, {24, 9});
    mm.nodes.push_back({"mm", "MatMul", {"x", "w"}, {"y"}, {}});
    mm.outputs.push_back({"y", DType::kF32, {}, false});
    EXPECT_LT(
        cpu_normwise_vs_reference(mm, {{"x", random_tensor(rng, DType::kF32, {5, 4, 24})}}, t.precision),
        t.normwise)
        << t.precision;

    Graph fixed = dense_graph(176, 64, "relu", Bias::kColumn, rng);
    fixed.inputs[0].shape = {1, 176};
    EXPECT_LT(
        cpu_normwise_vs_reference(fixed, {{"x", random_tensor(rng, DType::kF32, {1, 176})}}, t.precision),
        t.normwise)
        << t.precision;
  }
}

// A bias row computed per request by a one-row (static shape) Dense layer, as the optimizer's
// common-feature hoisting makes: int8 divides it by each request's output scales.
TEST(CpuPrecision, CommonFeatureBiasRow) {
  for (const Tolerance& t : tolerances()) {
    std::mt19937 rng(46);
    const Graph g = common_feature_graph(rng);
    for (int64_t rows : {1, 100, 512}) {
      TensorMap in{{"comm", random_tensor(rng, DType::kF16, {1, 24})},
                   {"x", random_tensor(rng, DType::kF16, {rows, 16})}};
      EXPECT_LT(cpu_normwise_vs_reference(g, in, t.precision), t.normwise) << t.precision << " rows=" << rows;
    }
  }
}

// In fp32 a score head runs fused, in double (one step); in bf16 / int8 as two Dense layers of
// that precision.
TEST(CpuPrecision, ScoreHeadsFuseOnlyInFp32) {
  std::mt19937 rng(43);
  const Graph g = cancelling_score_head(rng);
  EXPECT_EQ(step_ops(g, "fp32"), std::vector<std::string>{"hidden:Dense"});
  for (const Tolerance& t : tolerances())
    EXPECT_EQ(step_ops(g, t.precision), (std::vector<std::string>{"hidden:Dense", "score:Dense"}))
        << t.precision;
}

// int8: an all-zero input (scale 0) gives the bias; a NaN or infinity gives NaN, not a crash.
TEST(CpuPrecision, Int8ZeroAndNonFiniteInputs) {
  std::mt19937 rng(44);
  Graph g = dense_graph(32, 8, "none", Bias::kColumn, rng);
  infer_shapes(g);
  EXPECT_LT(cpu_normwise_vs_reference(g, {{"x", Tensor(DType::kF32, {3, 32})}}, "int8"), 1e-6);
  auto engine = build_engine(g, cpu_options("int8"));
  auto ctx = engine->create_context();
  for (float bad : {NAN, INFINITY}) {
    Tensor x = random_tensor(rng, DType::kF32, {2, 32});
    x.data<float>()[5] = bad;
    const Tensor y = ctx->run({{"x", x}}).at("y");
    for (int64_t i = 0; i < y.numel(); ++i) EXPECT_TRUE(std::isnan(y.as_double(i))) << bad << " at " << i;
  }
}

TEST(CpuPrecision, Int8NonFiniteWeightIsAClearError) {
  std::mt19937 rng(47);
  Graph g = dense_graph(8, 4, "relu", Bias::kColumn, rng);
  g.initializers["w"].data<float>()[6] = INFINITY;
  infer_shapes(g);
  try {
    build_engine(g, cpu_options("int8"));
    FAIL() << "an infinite weight must fail in int8";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("layer 'dense': weight [1, 2] is inf"), std::string::npos)
        << e.what();
  }
}

TEST(CpuPrecision, UnknownPrecisionNamesTheChoices) {
  std::mt19937 rng(45);
  Graph g = dense_graph(8, 4, "relu", Bias::kColumn, rng);
  infer_shapes(g);
  try {
    build_engine(g, cpu_options("fp16"));
    FAIL() << "fp16 on cpu must fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUsage);
    EXPECT_NE(
        std::string(e.what()).find("precision 'fp16' is not supported on backend cpu (fp32, bf16, int8"),
        std::string::npos)
        << e.what();
  }
}

}  // namespace rankrt::test
