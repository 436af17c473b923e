// CPU int8 Dense layers with calibrated (static) input scales: the result is exactly the integer
// product of the quantized operands (the input saturating at the calibrated amax) scaled back, it
// stays within int8's rounding of the FP64 reference, and each row no longer depends on the others.
#include <cmath>

#include "backends/cpu/dense_layer.h"
#include "backends/cpu_test_util.h"
#include "backends/dense_graph.h"

namespace rankrt::test {

namespace {

EngineOptions calibrated(float amax) {
  EngineOptions options = cpu_options("int8");
  options.activation_amax = {{"dense", amax}};
  return options;
}

// y = x W + b with x and W quantized as the CPU int8 layer does (float32 scale arithmetic, s8
// values rounded to nearest even, x saturated to +-127 steps), the products summed exactly.
Tensor quantized_dense(const Tensor& x, const Tensor& w, const Tensor& b, float amax) {
  const int64_t rows = x.dims()[0], k = w.dims()[0], m = w.dims()[1];
  const float act_scale = amax / 127.0f, inv = 1.0f / act_scale;
  const float levels = float(cpu::int8_weight_levels());
  std::vector<float> w_scale(size_t(m), 0.0f);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t c = 0; c < m; ++c) w_scale[c] = std::max(w_scale[c], std::abs(w.data<float>()[i * m + c]));
  for (float& s : w_scale) s /= levels;
  Tensor y(DType::kF64, {rows, m});
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < m; ++c) {
      int64_t sum = 0;
      for (int64_t i = 0; i < k; ++i) {
        const float qx = std::nearbyint(std::clamp(x.data<float>()[r * k + i] * inv, -127.0f, 127.0f));
        const float qw = std::nearbyint(w.data<float>()[i * m + c] / w_scale[c]);
        sum += int64_t(qx) * int64_t(qw);
      }
      y.data<double>()[r * m + c] = double(act_scale) * w_scale[c] * double(sum) + b.data<float>()[c];
    }
  return y;
}

}  // namespace

TEST(CpuInt8Calibrated, ExactlyTheQuantizedProductWithSaturation) {
  std::mt19937 rng(51);
  for (float amax : {0.5f, 1.0f, 3.0f}) {  // inputs are in [-1, 1]: 0.5 saturates half of them
    Graph g = dense_graph(64, 24, "none", Bias::kColumn, rng);
    infer_shapes(g);
    const Tensor x = random_tensor(rng, DType::kF32, {37, 64});
    const Tensor got = build_engine(g, calibrated(amax))->create_context()->run({{"x", x}}).at("y");
    const Tensor want = quantized_dense(x, g.initializers.at("w"), g.initializers.at("b"), amax);
    EXPECT_LT(normwise_error(got, want), 1e-6) << "amax " << amax;
  }
}

TEST(CpuInt8Calibrated, WithinInt8RoundingOfTheReference) {
  std::mt19937 rng(52);
  const double tolerance = cpu::int8_weight_levels() == 127 ? 2e-2 : 4e-2;  // as per-request int8
  for (const std::string act : {"none", "relu", "prelu", "dice"}) {
    Graph g = dense_graph(96, 40, act, Bias::kRow, rng);
    infer_shapes(g);
    for (int64_t rows : {1, 200}) {
      const TensorMap in{{"x", random_tensor(rng, DType::kF32, {rows, 96})},
                         {"b", random_tensor(rng, DType::kF32, {1, 40})}};
      const TensorMap want = ReferenceExecutor(g, DType::kF64).run(in);
      const Tensor got = build_engine(g, calibrated(1.0f))->create_context()->run(in).at("y");
      EXPECT_LT(normwise_error(got, want.at("y")), tolerance) << act << " rows=" << rows;
    }
  }
}

// A static scale: a row's result is the same alone or among larger rows (per-request scales differ).
TEST(CpuInt8Calibrated, RowsAreIndependent) {
  std::mt19937 rng(53);
  Graph g = dense_graph(48, 16, "relu", Bias::kColumn, rng);
  infer_shapes(g);
  Tensor x = random_tensor(rng, DType::kF32, {3, 48});
  x.data<float>()[48 + 5] = 40.0f;  // row 1: far beyond the calibrated amax
  const Tensor row0 =
      Tensor::from_vector<float>({1, 48}, std::vector<float>(x.data<float>(), x.data<float>() + 48));
  const auto engine = build_engine(g, calibrated(1.0f));
  auto context = engine->create_context();
  const Tensor all = context->run({{"x", x}}).at("y"), alone = context->run({{"x", row0}}).at("y");
  for (int64_t c = 0; c < 16; ++c) EXPECT_EQ(all.data<float>()[c], alone.data<float>()[c]) << c;
  const auto dynamic_engine = build_engine(g, cpu_options("int8"));
  auto dynamic = dynamic_engine->create_context();
  const Tensor d_all = dynamic->run({{"x", x}}).at("y"), d_alone = dynamic->run({{"x", row0}}).at("y");
  bool differs = false;
  for (int64_t c = 0; c < 16; ++c) differs = differs || d_all.data<float>()[c] != d_alone.data<float>()[c];
  EXPECT_TRUE(differs) << "per-request scales depend on the other rows";
}

}  // namespace rankrt::test
