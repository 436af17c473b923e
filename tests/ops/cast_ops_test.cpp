// Cast and Identity: dtype conversions, float16 rounding, constant/shape_value pass-through.
#include "op_test_util.h"

namespace rankrt::test {
namespace {

AttributeMap to_attr(DType t) { return {{"to", int64_t(t)}}; }

TEST(CastOps, FloatToIntTruncatesTowardZero) {
  Tensor x = Tensor::from_vector<float>({5}, {1.7f, -1.7f, 0.4f, -0.0f, 100.9f});
  for (DType ft : {DType::kF32, DType::kF64}) {
    Tensor y = run_op("Cast", {x}, to_attr(DType::kI32), ft);
    ASSERT_EQ(y.dtype(), DType::kI32);
    EXPECT_EQ(y.to_int64_vector(), (std::vector<int64_t>{1, -1, 0, 0, 100}));
  }
}

TEST(CastOps, NanAndOutOfRangeDoNotCrash) {
  Tensor x = Tensor::from_vector<double>({3}, {std::nan(""), 1e30, -1e30});
  Tensor y = run_op("Cast", {x}, to_attr(DType::kI8), DType::kF64);
  EXPECT_EQ(y.to_int64_vector(), (std::vector<int64_t>{0, 127, -128}));
}

TEST(CastOps, ToFloat16RoundsThroughHalf) {
  Tensor x = random_tensor(DType::kF64, {64}, -100, 100, 7);
  for (DType ft : {DType::kF32, DType::kF64}) {
    Tensor y = run_op("Cast", {x}, to_attr(DType::kF16), ft);
    ASSERT_EQ(y.dtype(), ft);  // held in the float storage type
    for (int64_t i = 0; i < x.numel(); ++i) {
      const double expected = Tensor::scalar<double>(x.as_double(i)).to(DType::kF16).as_double(0);
      EXPECT_EQ(y.as_double(i), expected) << i;
      if (ft == DType::kF64) {
        EXPECT_NE(y.as_double(i), x.as_double(i)) << i;
      }
    }
  }
}

TEST(CastOps, ToBFloat16Rounds) {
  Tensor x = Tensor::from_vector<float>({2}, {1.00390625f, 3.14159f});
  Tensor y = run_op("Cast", {x}, to_attr(DType::kBF16), DType::kF64);
  EXPECT_EQ(y.as_double(0), 1.0);
  EXPECT_EQ(y.as_double(1), 3.140625);
}

TEST(CastOps, IntAndBoolConversions) {
  Tensor x = Tensor::from_vector<int64_t>({4}, {0, 3, -2, 300});
  EXPECT_EQ(run_op("Cast", {x}, to_attr(DType::kBool), DType::kF32).to_int64_vector(),
            (std::vector<int64_t>{0, 1, 1, 1}));
  EXPECT_EQ(run_op("Cast", {x}, to_attr(DType::kU8), DType::kF32).to_int64_vector(),
            (std::vector<int64_t>{0, 3, 254, 44}));
  Tensor f = run_op("Cast", {x}, to_attr(DType::kF32), DType::kF64);
  EXPECT_EQ(f.dtype(), DType::kF64);
  EXPECT_EQ(to_doubles(f), (std::vector<double>{0, 3, -2, 300}));
  Tensor b = Tensor::from_vector<bool>({2}, {true, false});
  EXPECT_EQ(to_doubles(run_op("Cast", {b}, to_attr(DType::kF32), DType::kF32)), (std::vector<double>{1, 0}));
}

TEST(CastOps, InferPassesShapeValueAndSameDtypeConstant) {
  ValueState shape = state(DType::kI64, {Dim(2)});
  shape.shape_value = Shape{Dim::sym("N"), Dim(4)};
  auto out = infer_single_op("Cast", {&shape}, to_attr(DType::kI32));
  EXPECT_EQ(out[0].dtype, DType::kI32);
  ASSERT_TRUE(out[0].shape_value);
  EXPECT_EQ(*out[0].shape_value, (Shape{Dim::sym("N"), Dim(4)}));
  // Narrowing wraps as the kernel does; a symbol does not fit a byte; bools are 0 / 1.
  const ValueState wide = shape_value_state({Dim::sym("N"), 300, 0});
  EXPECT_EQ(infer_single_op("Cast", {&wide}, to_attr(DType::kU8))[0].shape_value, (Shape{Dim(), 44, 0}));
  const auto flags = infer_single_op("Cast", {&wide}, to_attr(DType::kBool));
  EXPECT_EQ(flags[0].shape_value, (Shape{Dim(), 1, 0}));
  EXPECT_EQ(infer_single_op("Cast", {&flags[0]}, to_attr(DType::kI64))[0].shape_value, (Shape{Dim(), 1, 0}));
  EXPECT_FALSE(infer_single_op("Cast", {&wide}, to_attr(DType::kF32))[0].shape_value);

  Tensor c = Tensor::from_vector<float>({2}, {1, 2});
  ValueState cs = state(DType::kF32, {Dim(2)});
  cs.constant = &c;
  EXPECT_EQ(infer_single_op("Cast", {&cs}, to_attr(DType::kF32))[0].constant, &c);
  EXPECT_EQ(infer_single_op("Cast", {&cs}, to_attr(DType::kF16))[0].constant, nullptr);
  EXPECT_EQ(infer_single_op("Identity", {&cs}, {})[0].constant, &c);
}

TEST(CastOps, RejectsBadTarget) {
  ValueState x = state(DType::kF32, {Dim(2)});
  EXPECT_THROW(infer_single_op("Cast", {&x}, {{"to", int64_t(99)}}), Error);
  EXPECT_THROW(infer_single_op("Cast", {&x}, {}), Error);
}

TEST(CastOps, IdentityCopies) {
  Tensor x = random_tensor(DType::kF32, {3, 5});
  for (DType ft : {DType::kF32, DType::kF64}) {
    Tensor y = run_op("Identity", {x}, {}, ft);
    expect_tensor_near(y, {3, 5}, to_doubles(x), 0);
  }
  Tensor i = Tensor::from_vector<int32_t>({2}, {7, -8});
  EXPECT_EQ(run_op("Identity", {i}, {}, DType::kF32).to_int64_vector(), (std::vector<int64_t>{7, -8}));
}

}  // namespace
}  // namespace rankrt::test
