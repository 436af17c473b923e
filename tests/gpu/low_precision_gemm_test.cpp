// int8, fp8 and tf32x3 GEMM layers on the CUDA backend against float64: int8 equals its exact
// emulation (integer products, dequantized in the epilogue), fp8 and tf32x3 stay within their
// precision's error, for K and M that need padding to 16 and several row counts; int8 without a
// calibrated input range is a clear error naming the layer.
#include <cmath>

#include "gpu/gpu_test_util.h"

namespace rankrt::test {
namespace {

constexpr int64_t kK = 40, kM = 50;  // neither a multiple of 16

// y = prelu(x · w + b; a) as one Dense layer "fc".
Graph dense_graph(std::mt19937& rng) {
  Graph g;
  g.source = "dense";
  g.inputs.push_back({"x", DType::kF32, {Dim::sym("N"), kK}, true});
  g.initializers["w"] = random_tensor(rng, DType::kF32, {kK, kM}, -0.5, 0.5);
  g.initializers["b"] = random_tensor(rng, DType::kF32, {kM});
  g.initializers["a"] = random_tensor(rng, DType::kF32, {kM}, 0.1, 0.3);
  g.nodes.push_back({"fc", "Dense", {"x", "w", "b", "a"}, {"y"}, {{"activation", std::string("prelu")}}});
  g.outputs.push_back({"y", DType::kF32, {}, false});
  infer_shapes(g);
  return g;
}

float amax_of(const Tensor& x) {
  float m = 0;
  for (float v : x.span<float>()) m = std::max(m, std::fabs(v));
  return m;
}

TensorMap run_cuda(const Graph& g, const std::string& precision, const Tensor& x, float amax) {
  EngineOptions o;
  o.backend = "cuda";
  o.precision = precision;
  o.optimize = false;
  if (amax > 0) o.activation_amax["fc"] = amax;
  return build_engine(g, o)->create_context()->run({{"x", x}});
}

// The int8 layer computed exactly as the engine quantizes it: per-tensor x, per-column w, integer
// products summed exactly, then dequantized, biased and activated in double.
Tensor int8_emulation(const Graph& g, const Tensor& x, float amax) {
  const Tensor w = g.initializers.at("w").to(DType::kF64), b = g.initializers.at("b").to(DType::kF64),
               a = g.initializers.at("a").to(DType::kF64);
  const int64_t rows = x.dims()[0];
  const float x_scale = amax / 127.0f, inv = 1.0f / x_scale;
  Tensor y(DType::kF64, {rows, kM});
  for (int64_t c = 0; c < kM; ++c) {
    double wmax = 0;
    for (int64_t i = 0; i < kK; ++i) wmax = std::max(wmax, std::fabs(w.data<double>()[i * kM + c]));
    const double w_scale = wmax / 127.0;
    const float dequant = float(double(x_scale) * w_scale);
    for (int64_t r = 0; r < rows; ++r) {
      int64_t acc = 0;
      for (int64_t i = 0; i < kK; ++i) {
        const float xv = std::clamp(x.data<float>()[r * kK + i] * inv, -127.0f, 127.0f);
        acc += int64_t(std::nearbyint(xv)) *
               int64_t(std::nearbyint(
                   std::clamp(float(w.data<double>()[i * kM + c] / w_scale), -127.0f, 127.0f)));
      }
      const double v = double(float(acc) * dequant) + b.data<double>()[c];
      y.data<double>()[r * kM + c] = v > 0 ? v : a.data<double>()[c] * v;
    }
  }
  return y;
}

TEST(CudaLowPrecisionGemm, Int8MatchesItsExactEmulation) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(3);
  const Graph g = dense_graph(rng);
  for (int64_t rows : {1, 7, 300}) {
    const Tensor x = random_tensor(rng, DType::kF32, {rows, kK});
    const float amax = amax_of(x);
    const Tensor got = run_cuda(g, "int8", x, amax).at("y");
    EXPECT_LT(normwise_error(got, int8_emulation(g, x, amax)), 1e-6) << rows << " rows";
  }
}

TEST(CudaLowPrecisionGemm, Fp8AndSplitStayWithinTheirPrecision) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(4);
  const Graph g = dense_graph(rng);
  for (int64_t rows : {1, 33, 300}) {
    const Tensor x = random_tensor(rng, DType::kF32, {rows, kK});
    const Tensor expected = ReferenceExecutor(g, DType::kF64).run({{"x", x}}).at("y");
    const double fp8 = normwise_error(run_cuda(g, "fp8", x, amax_of(x)).at("y"), expected);
    const double tf32 = normwise_error(run_cuda(g, "tf32", x, 0).at("y"), expected);
    const double split = normwise_error(run_cuda(g, "tf32x3", x, 0).at("y"), expected);
    const double fp32 = normwise_error(run_cuda(g, "fp32", x, 0).at("y"), expected);
    std::printf("rows %lld: normwise error fp8 %.2e tf32 %.2e tf32x3 %.2e fp32 %.2e\n", (long long)rows, fp8,
                tf32, split, fp32);
    EXPECT_LT(fp8, 8e-2);    // E4M3: 3 mantissa bits per operand
    EXPECT_LT(split, 1e-6);  // about float32 (the x_lo · W_lo term is dropped)
    // Where cuBLASLt runs tf32 on tensor cores (not for one row), the split is far more accurate.
    if (tf32 > 1e-5) EXPECT_LT(split, tf32 / 100);
  }
}

TEST(CudaLowPrecisionGemm, Int8WithoutCalibrationNamesTheLayer) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(5);
  const Graph g = dense_graph(rng);
  try {
    run_cuda(g, "int8", random_tensor(rng, DType::kF32, {4, kK}), 0);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'fc'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("calibrat"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rankrt::test
