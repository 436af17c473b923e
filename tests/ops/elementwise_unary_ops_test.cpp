// Elementwise unary ops against double-precision std:: functions, integer forms and dtype errors.
#include <functional>

#include "op_test_util.h"

namespace rankrt::test {
namespace {

struct UnaryCase {
  std::string op;
  double lo, hi;
  std::function<double(double)> ref;
};

std::vector<UnaryCase> float_cases() {
  return {
      {"Neg", -3, 3, [](double x) { return -x; }},
      {"Abs", -3, 3, [](double x) { return std::fabs(x); }},
      {"Relu", -3, 3, [](double x) { return x > 0 ? x : 0; }},
      {"Sigmoid", -30, 30, [](double x) { return 1 / (1 + std::exp(-x)); }},
      {"Tanh", -4, 4, [](double x) { return std::tanh(x); }},
      {"Exp", -5, 5, [](double x) { return std::exp(x); }},
      {"Log", 0.01, 10, [](double x) { return std::log(x); }},
      {"Sqrt", 0.01, 10, [](double x) { return std::sqrt(x); }},
      {"Reciprocal", 0.5, 4, [](double x) { return 1 / x; }},
      {"Erf", -3, 3, [](double x) { return std::erf(x); }},
      {"Floor", -5, 5, [](double x) { return std::floor(x); }},
      {"Ceil", -5, 5, [](double x) { return std::ceil(x); }},
      {"Sign", -5, 5, [](double x) { return x > 0   ? 1.0
                                            : x < 0 ? -1.0
                                                    : 0.0; }},
  };
}

TEST(UnaryOps, MatchDoubleReferenceInBothFloatTypes) {
  uint32_t seed = 10;
  for (const UnaryCase& c : float_cases()) {
    SCOPED_TRACE(c.op);
    Tensor x = random_tensor(DType::kF32, {3, 7}, c.lo, c.hi, seed++);
    std::vector<double> expected;
    for (double v : to_doubles(x)) expected.push_back(c.ref(v));
    expect_tensor_near(run_op(c.op, {x}, {}, DType::kF32), {3, 7}, expected, 1e-6, 1e-6);
    expect_tensor_near(run_op(c.op, {x}, {}, DType::kF64), {3, 7}, expected, 1e-14, 1e-14);
  }
}

TEST(UnaryOps, SigmoidDoesNotOverflowAtExtremes) {
  Tensor x = Tensor::from_vector<float>({4}, {-1000.f, 1000.f, -88.f, 0.f});
  Tensor y = run_op("Sigmoid", {x}, {}, DType::kF32);
  EXPECT_EQ(y.as_double(0), 0.0);
  EXPECT_EQ(y.as_double(1), 1.0);
  EXPECT_GT(y.as_double(2), 0.0);
  EXPECT_EQ(y.as_double(3), 0.5);
}

TEST(UnaryOps, IntegerNegAbsReluSign) {
  Tensor x = Tensor::from_vector<int32_t>({5}, {-7, 0, 3, -1, 12});
  EXPECT_EQ(run_op("Neg", {x}, {}, DType::kF32).to_int64_vector(), (std::vector<int64_t>{7, 0, -3, 1, -12}));
  EXPECT_EQ(run_op("Abs", {x}, {}, DType::kF32).to_int64_vector(), (std::vector<int64_t>{7, 0, 3, 1, 12}));
  EXPECT_EQ(run_op("Relu", {x}, {}, DType::kF32).to_int64_vector(), (std::vector<int64_t>{0, 0, 3, 0, 12}));
  EXPECT_EQ(run_op("Sign", {x}, {}, DType::kF32).to_int64_vector(), (std::vector<int64_t>{-1, 0, 1, -1, 1}));
  Tensor y = run_op("Neg", {x}, {}, DType::kF32);
  EXPECT_EQ(y.dtype(), DType::kI32);
}

TEST(UnaryOps, Float16InputKeepsDeclaredDtypeAndSymbolicShape) {
  ValueState x = state(DType::kF16, {Dim::sym("N"), Dim(4)});
  auto out = infer_single_op("Exp", {&x}, {});
  EXPECT_EQ(out[0].dtype, DType::kF16);
  EXPECT_EQ(out[0].shape, (Shape{Dim::sym("N"), Dim(4)}));
  Tensor h = random_tensor(DType::kF16, {2, 2}, -1, 1, 3);
  Tensor y = run_op("Exp", {h}, {}, DType::kF64);
  EXPECT_EQ(y.dtype(), DType::kF64);
  EXPECT_NEAR(y.as_double(0), std::exp(h.as_double(0)), 1e-15);
}

TEST(UnaryOps, RejectIntegerInputForFloatOps) {
  ValueState i = state(DType::kI64, {Dim(3)});
  EXPECT_THROW(infer_single_op("Exp", {&i}, {}), Error);
  ValueState b = state(DType::kBool, {Dim(3)});
  EXPECT_THROW(infer_single_op("Neg", {&b}, {}), Error);
}

}  // namespace
}  // namespace rankrt::test
