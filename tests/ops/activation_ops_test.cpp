// Activations (LeakyRelu, PRelu, Clip, Softmax, Gelu, HardSigmoid, Selu, Elu) against double
// references on random inputs.
#include <functional>
#include <numbers>

#include "op_test_util.h"

namespace rankrt::test {
namespace {

std::vector<double> map(const Tensor& x, const std::function<double(double)>& f) {
  std::vector<double> out;
  for (double v : to_doubles(x)) out.push_back(f(v));
  return out;
}

void expect_both_types(const std::string& op, std::vector<Tensor> inputs, const AttributeMap& attrs,
                       const std::vector<int64_t>& dims, const std::vector<double>& expected) {
  expect_tensor_near(run_op(op, inputs, attrs, DType::kF32), dims, expected, 1e-6, 1e-6);
  expect_tensor_near(run_op(op, inputs, attrs, DType::kF64), dims, expected, 1e-14, 1e-14);
}

TEST(ActivationOps, PointwiseActivations) {
  Tensor x = random_tensor(DType::kF32, {4, 5}, -4, 4, 51);
  expect_both_types("LeakyRelu", {x}, {}, {4, 5}, map(x, [](double v) { return v >= 0 ? v : 0.01 * v; }));
  expect_both_types("LeakyRelu", {x}, {{"alpha", 0.3}}, {4, 5},
                    map(x, [](double v) { return v >= 0 ? v : 0.3 * v; }));
  expect_both_types("HardSigmoid", {x}, {}, {4, 5},
                    map(x, [](double v) { return std::clamp(0.2 * v + 0.5, 0.0, 1.0); }));
  expect_both_types("Elu", {x}, {{"alpha", 0.7}}, {4, 5},
                    map(x, [](double v) { return v > 0 ? v : 0.7 * (std::exp(v) - 1); }));
  const double a = 1.67326319217681884765625, g = 1.05070102214813232421875;
  expect_both_types("Selu", {x}, {}, {4, 5},
                    map(x, [&](double v) { return g * (v > 0 ? v : a * (std::exp(v) - 1)); }));
  expect_both_types("Gelu", {x}, {}, {4, 5},
                    map(x, [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); }));
  expect_both_types("Gelu", {x}, {{"approximate", std::string("tanh")}}, {4, 5}, map(x, [](double v) {
                      return 0.5 * v *
                             (1 + std::tanh(std::sqrt(2 / std::numbers::pi) * (v + 0.044715 * v * v * v)));
                    }));
  ValueState s = state(DType::kF32, {Dim(2)});
  EXPECT_THROW(infer_single_op("Gelu", {&s}, {{"approximate", std::string("fast")}}), Error);
}

TEST(ActivationOps, PReluBroadcastsSlopeToX) {
  Tensor x = random_tensor(DType::kF32, {2, 3, 4}, -3, 3, 61);
  for (const std::vector<int64_t>& sd : std::vector<std::vector<int64_t>>{{4}, {3, 1}, {1}, {2, 3, 4}}) {
    SCOPED_TRACE(dims_to_string(sd));
    Tensor slope = random_tensor(DType::kF32, sd, 0, 1, 62);
    expect_both_types(
        "PRelu", {x, slope}, {}, {2, 3, 4},
        broadcast_reference(x, slope, {2, 3, 4}, [](double v, double s) { return v < 0 ? s * v : v; }));
  }
  ValueState xs = state(DType::kF32, {Dim::sym("N"), Dim(4)});
  ValueState bad = state(DType::kF32, {Dim(3)});
  ValueState big = state(DType::kF32, {Dim(2), Dim::sym("N"), Dim(4)});
  EXPECT_THROW(infer_single_op("PRelu", {&xs, &bad}, {}), Error);
  EXPECT_THROW(infer_single_op("PRelu", {&xs, &big}, {}), Error);
}

TEST(ActivationOps, ClipWithOptionalBounds) {
  Tensor x = random_tensor(DType::kF32, {10}, -3, 3, 71);
  Tensor lo = Tensor::scalar<float>(-1.0f), hi = Tensor::scalar<float>(0.5f);
  expect_both_types("Clip", {x, lo, hi}, {}, {10},
                    map(x, [](double v) { return std::min(std::max(v, -1.0), 0.5); }));
  expect_both_types("Clip", {x, Tensor(), hi}, {}, {10}, map(x, [](double v) { return std::min(v, 0.5); }));
  expect_both_types("Clip", {x, lo}, {}, {10}, map(x, [](double v) { return std::max(v, -1.0); }));
  expect_both_types("Clip", {x}, {}, {10}, to_doubles(x));
  Tensor xi = Tensor::from_vector<int64_t>({4}, {-9, -1, 3, 20});
  Tensor li = Tensor::scalar<int64_t>(0), hi_i = Tensor::scalar<int64_t>(10);
  EXPECT_EQ(run_op("Clip", {xi, li, hi_i}, {}, DType::kF32).to_int64_vector(),
            (std::vector<int64_t>{0, 0, 3, 10}));
  ValueState xs = state(DType::kF32, {Dim(4)});
  ValueState vec = state(DType::kF32, {Dim(2)});
  EXPECT_THROW(infer_single_op("Clip", {&xs, &vec}, {}), Error);
}

std::vector<double> softmax_ref(const Tensor& x, int64_t axis) {
  const auto& d = x.dims();
  if (axis < 0) axis += x.rank();
  int64_t outer = 1, inner = 1;
  for (int64_t k = 0; k < axis; ++k) outer *= d[size_t(k)];
  for (int64_t k = axis + 1; k < x.rank(); ++k) inner *= d[size_t(k)];
  const int64_t n = d[size_t(axis)];
  std::vector<double> out(size_t(x.numel()));
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      double sum = 0;
      for (int64_t k = 0; k < n; ++k) sum += std::exp(x.as_double((o * n + k) * inner + i));
      for (int64_t k = 0; k < n; ++k) {
        const int64_t idx = (o * n + k) * inner + i;
        out[size_t(idx)] = std::exp(x.as_double(idx)) / sum;
      }
    }
  }
  return out;
}

TEST(ActivationOps, SoftmaxOverOneAxis) {
  Tensor x = random_tensor(DType::kF32, {2, 3, 5}, -5, 5, 81);
  for (int64_t axis : {-1, 0, 1, 2}) {
    SCOPED_TRACE(axis);
    AttributeMap attrs;
    if (axis != -1) attrs["axis"] = axis;
    expect_both_types("Softmax", {x}, attrs, {2, 3, 5}, softmax_ref(x, axis));
  }
  Tensor big = Tensor::from_vector<float>({3}, {1000.f, 1000.f, -1000.f});
  expect_tensor_near(run_op("Softmax", {big}, {}, DType::kF32), {3}, {0.5, 0.5, 0.0}, 1e-7);
  ValueState s = state(DType::kF32, {Dim::sym("N"), Dim(4)});
  EXPECT_THROW(infer_single_op("Softmax", {&s}, {{"axis", int64_t(2)}}), Error);
  EXPECT_EQ(infer_single_op("Softmax", {&s}, {})[0].shape, (Shape{Dim::sym("N"), Dim(4)}));
}

}  // namespace
}  // namespace rankrt::test
