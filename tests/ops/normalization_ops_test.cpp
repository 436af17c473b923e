// BatchNormalization (inference) and LayerNormalization (1..3 outputs, optional bias, axis)
// against double-precision references.
#include "op_test_util.h"

namespace rankrt::test {
namespace {

TEST(NormalizationOps, BatchNormalizationInference) {
  Tensor x = random_tensor(DType::kF32, {2, 3, 4}, -3, 3, 91);
  Tensor scale = random_tensor(DType::kF32, {3}, 0.5, 2, 92);
  Tensor bias = random_tensor(DType::kF32, {3}, -1, 1, 93);
  Tensor mean = random_tensor(DType::kF32, {3}, -1, 1, 94);
  Tensor var = random_tensor(DType::kF32, {3}, 0.1, 2, 95);
  for (double eps : {1e-5, 1e-3}) {
    std::vector<double> expected(24);
    for (int64_t i = 0; i < 24; ++i) {
      const int64_t c = (i / 4) % 3;
      expected[size_t(i)] =
          (x.as_double(i) - mean.as_double(c)) / std::sqrt(var.as_double(c) + eps) * scale.as_double(c) +
          bias.as_double(c);
    }
    AttributeMap attrs;
    if (eps != 1e-5) attrs["epsilon"] = eps;
    expect_tensor_near(run_op("BatchNormalization", {x, scale, bias, mean, var}, attrs, DType::kF32),
                       {2, 3, 4}, expected, 1e-5, 1e-5);
    expect_tensor_near(run_op("BatchNormalization", {x, scale, bias, mean, var}, attrs, DType::kF64),
                       {2, 3, 4}, expected, 1e-13, 1e-13);
  }
  Tensor x2 = random_tensor(DType::kF32, {5, 3}, -3, 3, 96);
  Tensor y2 = run_op("BatchNormalization", {x2, scale, bias, mean, var}, {}, DType::kF64);
  EXPECT_NEAR(
      y2.as_double(4),
      (x2.as_double(4) - mean.as_double(1)) / std::sqrt(var.as_double(1) + 1e-5) * scale.as_double(1) +
          bias.as_double(1),
      1e-13);
}

TEST(NormalizationOps, BatchNormalizationChecksShapes) {
  ValueState x = state(DType::kF32, {Dim::sym("N"), Dim(3)});
  ValueState c3 = state(DType::kF32, {Dim(3)});
  ValueState c4 = state(DType::kF32, {Dim(4)});
  EXPECT_EQ(infer_single_op("BatchNormalization", {&x, &c3, &c3, &c3, &c3}, {})[0].shape,
            (Shape{Dim::sym("N"), Dim(3)}));
  EXPECT_THROW(infer_single_op("BatchNormalization", {&x, &c3, &c4, &c3, &c3}, {}), Error);
  EXPECT_THROW(
      infer_single_op("BatchNormalization", {&x, &c3, &c3, &c3, &c3}, {{"training_mode", int64_t(1)}}),
      Error);
}

struct LayerNormRef {
  std::vector<double> y, mean, inv;
};

// Normalizes over the trailing `size` elements of each row; scale/bias are [size] (bias optional).
LayerNormRef layer_norm_ref(const Tensor& x, const Tensor& scale, const Tensor* bias, int64_t size,
                            double eps) {
  LayerNormRef r;
  for (int64_t row = 0; row < x.numel() / size; ++row) {
    double mean = 0, var = 0;
    for (int64_t k = 0; k < size; ++k) mean += x.as_double(row * size + k);
    mean /= double(size);
    for (int64_t k = 0; k < size; ++k) var += std::pow(x.as_double(row * size + k) - mean, 2);
    var /= double(size);
    const double inv = 1 / std::sqrt(var + eps);
    for (int64_t k = 0; k < size; ++k)
      r.y.push_back((x.as_double(row * size + k) - mean) * inv * scale.as_double(k) +
                    (bias ? bias->as_double(k) : 0));
    r.mean.push_back(mean);
    r.inv.push_back(inv);
  }
  return r;
}

TEST(NormalizationOps, LayerNormalizationLastAxisWithStats) {
  Tensor x = random_tensor(DType::kF32, {3, 2, 8}, -3, 3, 101);
  Tensor scale = random_tensor(DType::kF32, {8}, 0.5, 2, 102);
  Tensor bias = random_tensor(DType::kF32, {8}, -1, 1, 103);
  const LayerNormRef ref = layer_norm_ref(x, scale, &bias, 8, 1e-5);
  for (DType ft : {DType::kF32, DType::kF64}) {
    const double tol = ft == DType::kF32 ? 1e-5 : 1e-12;
    TensorMap out = run_single_op("LayerNormalization", {x, scale, bias}, {}, ft, 3);
    expect_tensor_near(out.at("y0"), {3, 2, 8}, ref.y, tol, tol);
    expect_tensor_near(out.at("y1"), {3, 2, 1}, ref.mean, tol, tol);
    expect_tensor_near(out.at("y2"), {3, 2, 1}, ref.inv, tol, tol);
  }
}

TEST(NormalizationOps, LayerNormalizationAxisAndNoBias) {
  Tensor x = random_tensor(DType::kF32, {4, 2, 3}, -3, 3, 111);
  Tensor scale = random_tensor(DType::kF32, {2, 3}, 0.5, 2, 112);
  const LayerNormRef ref = layer_norm_ref(x, scale, nullptr, 6, 1e-3);
  const AttributeMap attrs = {{"axis", int64_t(1)}, {"epsilon", 1e-3}};
  expect_tensor_near(run_op("LayerNormalization", {x, scale}, attrs, DType::kF64), {4, 2, 3}, ref.y, 1e-12,
                     1e-12);
  expect_tensor_near(run_op("LayerNormalization", {x, scale}, attrs, DType::kF32), {4, 2, 3}, ref.y, 1e-5,
                     1e-5);

  ValueState xs = state(DType::kF32, {Dim::sym("N"), Dim(2), Dim(3)});
  ValueState s = state(DType::kF32, {Dim(2), Dim(3)});
  auto out = infer_single_op("LayerNormalization", {&xs, &s}, {{"axis", int64_t(1)}}, 3);
  EXPECT_EQ(out[0].shape, xs.shape);
  EXPECT_EQ(out[1].shape, (Shape{Dim::sym("N"), Dim(1), Dim(1)}));
  EXPECT_EQ(out[2].dtype, DType::kF32);
  ValueState wrong = state(DType::kF32, {Dim(4)});
  EXPECT_THROW(infer_single_op("LayerNormalization", {&xs, &wrong}, {}), Error);
  EXPECT_THROW(infer_single_op("LayerNormalization", {&xs, &s}, {}), Error);  // [2,3] over the last axis only
}

}  // namespace
}  // namespace rankrt::test
