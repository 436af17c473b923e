// Tests of the shape ops (Shape, Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Expand):
// kernels on random data against hand-computed expectations, and symbolic inference.
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

TEST(ShapeOp, ReturnsDimsWithStartAndEnd) {
  const Tensor x = random_tensor(DType::kF32, {2, 3, 4});
  EXPECT_EQ(run_op("Shape", {x}, {}, DType::kF32).to_int64_vector(), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(run_op("Shape", {x}, {{"start", int64_t(-2)}}, DType::kF32).to_int64_vector(),
            (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(
      run_op("Shape", {x}, {{"start", int64_t(0)}, {"end", int64_t(-1)}}, DType::kF64).to_int64_vector(),
      (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(run_op("Shape", {x}, {{"start", int64_t(5)}}, DType::kF32).dims(), (std::vector<int64_t>{0}));
}

TEST(ShapeOp, SymbolicShapeValue) {
  const ValueState x = state(DType::kF32, {kN, 384});
  auto out = infer_single_op("Shape", {&x}, {});
  EXPECT_EQ(out[0].dtype, DType::kI64);
  EXPECT_EQ(out[0].shape, (Shape{2}));
  EXPECT_EQ(out[0].shape_value, (Shape{kN, 384}));
  ValueState unranked = x;
  unranked.rank_known = false;
  out = infer_single_op("Shape", {&unranked}, {});
  EXPECT_EQ(out[0].shape, (Shape{Dim()}));
  EXPECT_FALSE(out[0].shape_value);
}

TEST(ReshapeOp, MinusOneAndZero) {
  const Tensor x = random_tensor(DType::kF32, {2, 3, 4});
  const Tensor y = run_op("Reshape", {x, ints({4, -1})}, {}, DType::kF32);
  EXPECT_EQ(y.dims(), (std::vector<int64_t>{4, 6}));
  EXPECT_EQ(to_doubles(y), to_doubles(x));
  EXPECT_EQ(run_op("Reshape", {x, ints({0, -1})}, {}, DType::kF32).dims(), (std::vector<int64_t>{2, 12}));
  const Tensor b = random_tensor(DType::kF32, {2, 3}).to(DType::kBool);
  const Tensor yb = run_op("Reshape", {b, ints({3, 2})}, {}, DType::kF32);
  EXPECT_EQ(yb.dtype(), DType::kBool);
  EXPECT_EQ(to_doubles(yb), to_doubles(b));
}

TEST(ReshapeOp, AllowZeroKeepsZeroSizedDims) {
  const Tensor x(DType::kF32, {0, 3});
  EXPECT_EQ(run_op("Reshape", {x, ints({3, 0})}, {{"allowzero", int64_t(1)}}, DType::kF32).dims(),
            (std::vector<int64_t>{3, 0}));
  EXPECT_EQ(error_code([&] {
              run_op("Reshape", {x, ints({0, -1})}, {{"allowzero", int64_t(1)}}, DType::kF32);
            }),
            ErrorCode::kShape);
}

TEST(ReshapeOp, Errors) {
  const Tensor x = random_tensor(DType::kF32, {2, 3});
  EXPECT_EQ(error_code([&] { run_op("Reshape", {x, ints({4, 2})}, {}, DType::kF32); }), ErrorCode::kShape);
  EXPECT_EQ(error_code([&] { run_op("Reshape", {x, ints({-1, -1})}, {}, DType::kF32); }), ErrorCode::kShape);
  EXPECT_EQ(error_code([&] { run_op("Reshape", {x, ints({4, -1})}, {}, DType::kF32); }), ErrorCode::kShape);
  EXPECT_EQ(error_code([&] {
              run_op("Reshape", {x, ints({0, 0, 0, -1})}, {}, DType::kF32);
            }),
            ErrorCode::kShape);
}

TEST(ReshapeOp, SymbolicInference) {
  const ValueState x = state(DType::kF32, {kN, 2, 2});
  const Tensor target = ints({-1, 4});
  const ValueState s = constant_state(target);
  EXPECT_EQ(infer_single_op("Reshape", {&x, &s}, {})[0].shape, (Shape{kN, 4}));
  const Tensor keep = ints({0, 4});
  const ValueState k = constant_state(keep);
  EXPECT_EQ(infer_single_op("Reshape", {&x, &k}, {})[0].shape, (Shape{kN, 4}));
  // A shape computed as Concat(Shape(x)[0:1], [-1]): the unknown entry is solved from the count.
  ValueState computed = state(DType::kI64, {2});
  computed.shape_value = Shape{kN, Dim()};
  EXPECT_EQ(infer_single_op("Reshape", {&x, &computed}, {})[0].shape, (Shape{kN, 4}));
  ValueState unknown = state(DType::kI64, {3});
  const auto out = infer_single_op("Reshape", {&x, &unknown}, {});
  EXPECT_EQ(out[0].shape, (Shape{Dim(), Dim(), Dim()}));
  ValueState unranked = state(DType::kI64, {Dim()});
  EXPECT_FALSE(infer_single_op("Reshape", {&x, &unranked}, {})[0].rank_known);
}

TEST(FlattenOp, Axes) {
  const Tensor x = random_tensor(DType::kF64, {2, 3, 4});
  const Tensor y = run_op("Flatten", {x}, {}, DType::kF64);
  EXPECT_EQ(y.dims(), (std::vector<int64_t>{2, 12}));
  EXPECT_EQ(to_doubles(y), to_doubles(x));
  EXPECT_EQ(run_op("Flatten", {x}, {{"axis", int64_t(-1)}}, DType::kF32).dims(),
            (std::vector<int64_t>{6, 4}));
  EXPECT_EQ(run_op("Flatten", {x}, {{"axis", int64_t(0)}}, DType::kF32).dims(),
            (std::vector<int64_t>{1, 24}));
  EXPECT_EQ(run_op("Flatten", {x}, {{"axis", int64_t(3)}}, DType::kF32).dims(),
            (std::vector<int64_t>{24, 1}));
  const ValueState s = state(DType::kF32, {kN, 3, 4});
  EXPECT_EQ(infer_single_op("Flatten", {&s}, {})[0].shape, (Shape{kN, 12}));
  EXPECT_EQ(infer_single_op("Flatten", {&s}, {{"axis", int64_t(2)}})[0].shape, (Shape{Dim(), 4}));
  EXPECT_EQ(error_code([&] { infer_single_op("Flatten", {&s}, {{"axis", int64_t(4)}}); }), ErrorCode::kShape);
}

TEST(SqueezeOp, WithAndWithoutAxes) {
  const Tensor x = random_tensor(DType::kI32, {1, 3, 1, 2}, -50, 50);
  const Tensor y = run_op("Squeeze", {x, ints({-2})}, {}, DType::kF32);
  EXPECT_EQ(y.dims(), (std::vector<int64_t>{1, 3, 2}));
  EXPECT_EQ(to_doubles(y), to_doubles(x));
  EXPECT_EQ(run_op("Squeeze", {x}, {}, DType::kF32).dims(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(run_op("Squeeze", {x, ints({})}, {}, DType::kF32).dims(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(error_code([&] { run_op("Squeeze", {x, ints({1})}, {}, DType::kF32); }), ErrorCode::kShape);
  EXPECT_EQ(error_code([&] { run_op("Squeeze", {x, ints({0, -4})}, {}, DType::kF32); }), ErrorCode::kShape);
  const ValueState s = state(DType::kF32, {kN, 1, 4});
  const Tensor axes = ints({1});
  const ValueState a = constant_state(axes);
  EXPECT_EQ(infer_single_op("Squeeze", {&s, &a}, {})[0].shape, (Shape{kN, 4}));
  EXPECT_FALSE(infer_single_op("Squeeze", {&s}, {})[0].rank_known);
}

TEST(UnsqueezeOp, NegativeAxes) {
  const Tensor x = random_tensor(DType::kF32, {3, 4});
  const Tensor y = run_op("Unsqueeze", {x, ints({0, -1})}, {}, DType::kF32);
  EXPECT_EQ(y.dims(), (std::vector<int64_t>{1, 3, 4, 1}));
  EXPECT_EQ(to_doubles(y), to_doubles(x));
  EXPECT_EQ(run_op("Unsqueeze", {x, ints({1})}, {}, DType::kF32).dims(), (std::vector<int64_t>{3, 1, 4}));
  EXPECT_EQ(error_code([&] { run_op("Unsqueeze", {x, ints({1, 1})}, {}, DType::kF32); }), ErrorCode::kShape);
  EXPECT_EQ(error_code([&] { run_op("Unsqueeze", {x, ints({3})}, {}, DType::kF32); }), ErrorCode::kShape);
}

TEST(UnsqueezeOp, PropagatesShapeValueOfScalar) {
  ValueState dim = state(DType::kI64, {});
  dim.shape_value = Shape{kN};
  const Tensor axes = ints({0});
  const ValueState a = constant_state(axes);
  const auto out = infer_single_op("Unsqueeze", {&dim, &a}, {});
  EXPECT_EQ(out[0].shape, (Shape{1}));
  EXPECT_EQ(out[0].shape_value, (Shape{kN}));
  const auto back = infer_single_op("Squeeze", {&out[0], &a}, {});
  EXPECT_EQ(back[0].shape, Shape{});
  EXPECT_EQ(back[0].shape_value, (Shape{kN}));
}

// out[i][j][k] = x[...] for perm (2, 0, 1): out dims (d2, d0, d1).
TEST(TransposeOp, PermAndDefault) {
  const Tensor x = random_tensor(DType::kF64, {2, 3, 4});
  const Tensor y = run_op("Transpose", {x}, {{"perm", std::vector<int64_t>{2, 0, 1}}}, DType::kF64);
  std::vector<double> expected;
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j) expected.push_back(x.as_double((i * 3 + j) * 4 + k));
  test::expect_tensor_near(y, {4, 2, 3}, expected, 0.0);
  const Tensor z = run_op("Transpose", {x.to(DType::kI64)}, {}, DType::kF32);
  expected.clear();
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i) expected.push_back(double(int64_t(x.as_double((i * 3 + j) * 4 + k))));
  test::expect_tensor_near(z, {4, 3, 2}, expected, 0.0);
  const ValueState s = state(DType::kF32, {kN, 5});
  EXPECT_EQ(infer_single_op("Transpose", {&s}, {})[0].shape, (Shape{5, kN}));
  EXPECT_EQ(error_code([&] {
              infer_single_op("Transpose", {&s}, {{"perm", std::vector<int64_t>{0, 0}}});
            }),
            ErrorCode::kShape);
  EXPECT_EQ(error_code([&] {
              infer_single_op("Transpose", {&s}, {{"perm", std::vector<int64_t>{0}}});
            }),
            ErrorCode::kShape);
}

TEST(ExpandOp, Bidirectional) {
  const Tensor x = random_tensor(DType::kF32, {3, 1});
  const Tensor y = run_op("Expand", {x, ints({2, 1, 4})}, {}, DType::kF32);
  std::vector<double> expected;
  for (int b = 0; b < 2; ++b)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 4; ++j) expected.push_back(x.as_double(i));
  test::expect_tensor_near(y, {2, 3, 4}, expected, 0.0);
  const Tensor b = random_tensor(DType::kF32, {2, 3}).to(DType::kBool);
  const Tensor yb = run_op("Expand", {b, ints({1})}, {}, DType::kF32);
  EXPECT_EQ(yb.dims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(to_doubles(yb), to_doubles(b));
  EXPECT_EQ(error_code([&] { run_op("Expand", {x, ints({2, 4})}, {}, DType::kF32); }), ErrorCode::kShape);
  const ValueState s = state(DType::kF32, {1, 176});
  ValueState shape = state(DType::kI64, {2});
  shape.shape_value = Shape{kN, 1};
  EXPECT_EQ(infer_single_op("Expand", {&s, &shape}, {})[0].shape, (Shape{kN, 176}));
}

}  // namespace
}  // namespace rankrt
