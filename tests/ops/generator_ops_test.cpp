// Tests of the generator ops (Constant, ConstantOfShape, Range): values against hand-computed
// expectations, dtypes, and inference with unknown or symbolic inputs.
#include <gtest/gtest.h>

#include <functional>

#include "ops/op_test_util.h"

namespace rankrt {
namespace {

using test::infer_single_op;
using test::random_tensor;
using test::run_op;
using test::state;
using test::to_doubles;

const Dim kN = Dim::sym("N");

using test::constant_state;
using test::error_code;
using test::ints;

TEST(ConstantOp, ValuesInStorageType) {
  const Tensor value = random_tensor(DType::kF64, {2, 3});
  const Tensor y = run_op("Constant", {}, {{"value", value}}, DType::kF64);
  EXPECT_EQ(y.dtype(), DType::kF64);
  test::expect_tensor_near(y, {2, 3}, to_doubles(value), 0.0);
  const Tensor half = random_tensor(DType::kF16, {4});
  const Tensor widened = run_op("Constant", {}, {{"value", half}}, DType::kF32);
  EXPECT_EQ(widened.dtype(), DType::kF32);
  test::expect_tensor_near(widened, {4}, to_doubles(half), 0.0);
  const Tensor flags = random_tensor(DType::kF32, {5}).to(DType::kBool);
  test::expect_tensor_near(run_op("Constant", {}, {{"value", flags}}, DType::kF32), {5}, to_doubles(flags),
                           0.0);
}

TEST(ConstantOp, InferenceExposesTheValue) {
  const Node node{"c", "Constant", {}, {"y"}, {{"value", ints({3, -1})}}};
  const auto out = infer_node(node, {});
  EXPECT_EQ(out[0].dtype, DType::kI64);
  EXPECT_EQ(out[0].shape, (Shape{2}));
  ASSERT_NE(out[0].constant, nullptr);
  EXPECT_EQ(out[0].constant->to_int64_vector(), (std::vector<int64_t>{3, -1}));
  EXPECT_EQ(error_code([] { infer_single_op("Constant", {}, {}); }), ErrorCode::kInvalidGraph);
}

TEST(ConstantOfShapeOp, FillValueAndDefault) {
  const Tensor y = run_op("ConstantOfShape", {ints({2, 3})},
                          {{"value", Tensor::from_vector<int64_t>({1}, {7})}}, DType::kF32);
  EXPECT_EQ(y.dtype(), DType::kI64);
  test::expect_tensor_near(y, {2, 3}, std::vector<double>(6, 7.0), 0.0);
  const Tensor zeros = run_op("ConstantOfShape", {ints({4})}, {}, DType::kF64);
  EXPECT_EQ(zeros.dtype(), DType::kF64);
  test::expect_tensor_near(zeros, {4}, std::vector<double>(4, 0.0), 0.0);
  const Tensor f16 = Tensor::from_vector<float>({1}, {1.5f}).to(DType::kF16);
  test::expect_tensor_near(run_op("ConstantOfShape", {ints({3, 1})}, {{"value", f16}}, DType::kF32), {3, 1},
                           std::vector<double>(3, 1.5), 0.0);
  const Tensor truth = Tensor::from_vector<bool>({1}, {true});
  test::expect_tensor_near(run_op("ConstantOfShape", {ints({2})}, {{"value", truth}}, DType::kF32), {2},
                           {1.0, 1.0}, 0.0);
  EXPECT_EQ(run_op("ConstantOfShape", {ints({})}, {{"value", truth}}, DType::kF32).dims(),
            std::vector<int64_t>{});
  EXPECT_EQ(error_code([&] {
              run_op("ConstantOfShape", {ints({2, -1})}, {}, DType::kF32);
            }),
            ErrorCode::kShape);
  EXPECT_EQ(error_code([&] {
              run_op("ConstantOfShape", {ints({2})}, {{"value", ints({1, 2})}}, DType::kF32);
            }),
            ErrorCode::kShape);
}

TEST(ConstantOfShapeOp, SymbolicInference) {
  ValueState shape = state(DType::kI64, {2});
  shape.shape_value = Shape{kN, 4};
  EXPECT_EQ(infer_single_op("ConstantOfShape", {&shape}, {})[0].shape, (Shape{kN, 4}));
  const ValueState unknown = state(DType::kI64, {3});
  EXPECT_EQ(infer_single_op("ConstantOfShape", {&unknown}, {})[0].shape, (Shape{Dim(), Dim(), Dim()}));
  const ValueState unranked = state(DType::kI64, {Dim()});
  EXPECT_FALSE(infer_single_op("ConstantOfShape", {&unranked}, {})[0].rank_known);
  const Tensor three = ints({3});
  const ValueState s = constant_state(three);
  const auto ones =
      infer_single_op("ConstantOfShape", {&s}, {{"value", Tensor::from_vector<int64_t>({1}, {1})}});
  EXPECT_EQ(ones[0].shape_value, (Shape{1, 1, 1}));
}

TEST(RangeOp, IntegerAndFloat) {
  auto range = [](auto start, auto limit, auto delta, DType float_type) {
    return run_op("Range", {Tensor::scalar(start), Tensor::scalar(limit), Tensor::scalar(delta)}, {},
                  float_type);
  };
  test::expect_tensor_near(range(int64_t(1), int64_t(10), int64_t(3), DType::kF32), {3}, {1, 4, 7}, 0.0);
  test::expect_tensor_near(range(int64_t(10), int64_t(1), int64_t(-3), DType::kF32), {3}, {10, 7, 4}, 0.0);
  test::expect_tensor_near(range(int32_t(-2), int32_t(3), int32_t(2), DType::kF32), {3}, {-2, 0, 2}, 0.0);
  EXPECT_EQ(range(int64_t(5), int64_t(1), int64_t(2), DType::kF32).dims(), (std::vector<int64_t>{0}));
  const Tensor f = range(0.5f, 2.0f, 0.4f, DType::kF32);
  test::expect_tensor_near(f, {4}, {0.5, 0.9, 1.3, 1.7}, 1e-6);
  const Tensor d = range(1.25, -1.0, -0.75, DType::kF64);
  test::expect_tensor_near(d, {3}, {1.25, 0.5, -0.25}, 1e-15);
  EXPECT_EQ(error_code([&] { range(int64_t(1), int64_t(5), int64_t(0), DType::kF32); }), ErrorCode::kShape);
  EXPECT_EQ(error_code([&] { range(int64_t(1), 5.0f, int64_t(1), DType::kF32); }), ErrorCode::kShape);
}

TEST(RangeOp, Inference) {
  const ValueState start = state(DType::kI64, {}), limit = state(DType::kI64, {}),
                   delta = state(DType::kI64, {});
  EXPECT_EQ(infer_single_op("Range", {&start, &limit, &delta}, {})[0].shape, (Shape{Dim()}));
  const Tensor s = Tensor::scalar<int64_t>(0), l = Tensor::scalar<int64_t>(3), d = Tensor::scalar<int64_t>(1);
  const ValueState cs = constant_state(s), cl = constant_state(l), cd = constant_state(d);
  const auto out = infer_single_op("Range", {&cs, &cl, &cd}, {});
  EXPECT_EQ(out[0].shape, (Shape{3}));
  EXPECT_EQ(out[0].shape_value, (Shape{0, 1, 2}));
}

}  // namespace
}  // namespace rankrt
