// Comparisons, boolean ops and Where against element-by-element references with broadcasting;
// their symbolic propagation of shape values.
#include <functional>

#include "op_test_util.h"

namespace rankrt::test {
namespace {

std::vector<bool> bools(const Tensor& t) {
  std::vector<bool> v;
  for (int64_t i = 0; i < t.numel(); ++i) v.push_back(t.data<bool>()[i]);
  return v;
}

TEST(LogicOps, ComparisonsBroadcastToBool) {
  const std::vector<std::pair<std::string, std::function<bool(double, double)>>> cases = {
      {"Equal", [](double a, double b) { return a == b; }},
      {"Greater", [](double a, double b) { return a > b; }},
      {"Less", [](double a, double b) { return a < b; }},
      {"GreaterOrEqual", [](double a, double b) { return a >= b; }},
      {"LessOrEqual", [](double a, double b) { return a <= b; }}};
  // Small integers so that equality happens; the float test uses the same values as floats.
  Tensor ai = random_tensor(DType::kI32, {3, 4}, -2, 3, 31);
  Tensor bi = random_tensor(DType::kI32, {4}, -2, 3, 32);
  for (const Tensor& a : {ai, ai.to(DType::kF32)}) {
    const Tensor b = bi.to(a.dtype());
    for (const auto& [op, ref] : cases) {
      SCOPED_TRACE(op + " " + std::string(dtype_name(a.dtype())));
      const std::vector<double> expected =
          broadcast_reference(a, b, {3, 4}, [&](double x, double y) { return ref(x, y) ? 1.0 : 0.0; });
      for (DType ft : {DType::kF32, DType::kF64}) {
        Tensor y = run_op(op, {a, b}, {}, ft);
        EXPECT_EQ(y.dtype(), DType::kBool);
        expect_tensor_near(y, {3, 4}, expected, 0);
      }
    }
  }
}

TEST(LogicOps, BooleanOps) {
  Tensor a = Tensor::from_vector<bool>({2, 2}, {true, true, false, false});
  Tensor b = Tensor::from_vector<bool>({2}, {true, false});
  EXPECT_EQ(bools(run_op("And", {a, b}, {}, DType::kF32)), (std::vector<bool>{true, false, false, false}));
  EXPECT_EQ(bools(run_op("Or", {a, b}, {}, DType::kF32)), (std::vector<bool>{true, true, true, false}));
  EXPECT_EQ(bools(run_op("Xor", {a, b}, {}, DType::kF32)), (std::vector<bool>{false, true, true, false}));
  EXPECT_EQ(bools(run_op("Not", {a}, {}, DType::kF32)), (std::vector<bool>{false, false, true, true}));
  Tensor eq = run_op("Equal", {a, b}, {}, DType::kF32);
  EXPECT_EQ(bools(eq), (std::vector<bool>{true, false, false, true}));
}

TEST(LogicOps, WhereBroadcastsThreeWays) {
  Tensor cond = Tensor::from_vector<bool>({3, 1}, {true, false, true});
  Tensor x = random_tensor(DType::kF32, {1, 4}, -2, 2, 41);
  Tensor y = random_tensor(DType::kF32, {3, 4}, -2, 2, 42);
  std::vector<double> expected(12);
  for (int64_t o = 0; o < 12; ++o) {
    const bool c = cond.data<bool>()[broadcast_source_index({3, 1}, {3, 4}, o)];
    expected[size_t(o)] = c ? x.as_double(broadcast_source_index({1, 4}, {3, 4}, o)) : y.as_double(o);
  }
  for (DType ft : {DType::kF32, DType::kF64})
    expect_tensor_near(run_op("Where", {cond, x, y}, {}, ft), {3, 4}, expected, 0);
  Tensor xi = Tensor::from_vector<int64_t>({}, {7});
  Tensor yi = Tensor::from_vector<int64_t>({3, 1}, {1, 2, 3});
  EXPECT_EQ(run_op("Where", {cond, xi, yi}, {}, DType::kF32).to_int64_vector(),
            (std::vector<int64_t>{7, 2, 7}));
}

TEST(LogicOps, InferenceChecksDtypesAndBroadcastsSymbols) {
  ValueState c = state(DType::kBool, {Dim::sym("N"), Dim(1)});
  ValueState x = state(DType::kF32, {Dim(4)});
  ValueState i = state(DType::kI64, {Dim(4)});
  auto out = infer_single_op("Where", {&c, &x, &x}, {});
  EXPECT_EQ(out[0].dtype, DType::kF32);
  EXPECT_EQ(out[0].shape, (Shape{Dim::sym("N"), Dim(4)}));
  EXPECT_THROW(infer_single_op("Where", {&c, &x, &i}, {}), Error);
  EXPECT_THROW(infer_single_op("Where", {&x, &x, &x}, {}), Error);
  EXPECT_THROW(infer_single_op("And", {&c, &x}, {}), Error);
  EXPECT_THROW(infer_single_op("Greater", {&x, &i}, {}), Error);
  EXPECT_THROW(infer_single_op("Less", {&c, &c}, {}), Error);  // ordering needs numbers
}

// Symbolic elements: N is a size (>= 0), so N == -1 and N < 0 are false; bools are 0 / 1.
TEST(LogicOps, ShapeValuesPropagate) {
  const Dim n = Dim::sym("N");
  const ValueState dims = shape_value_state({n, 4, Dim(), n});
  const Tensor c = ints({-1, 4, 3, 0});
  const ValueState cs = constant_state(c);
  auto value = [](const std::vector<ValueState>& out) { return out[0].shape_value.value_or(Shape{Dim(99)}); };
  EXPECT_EQ(value(infer_single_op("Equal", {&dims, &cs}, {})), (Shape{0, 1, Dim(), Dim()}));
  EXPECT_EQ(value(infer_single_op("Equal", {&dims, &dims}, {})), (Shape{1, 1, Dim(), 1}));
  EXPECT_EQ(value(infer_single_op("Greater", {&dims, &cs}, {})), (Shape{1, 0, Dim(), Dim()}));
  EXPECT_EQ(value(infer_single_op("Less", {&dims, &cs}, {})), (Shape{0, 0, Dim(), 0}));
  EXPECT_EQ(value(infer_single_op("GreaterOrEqual", {&dims, &cs}, {})), (Shape{1, 1, Dim(), 1}));
  EXPECT_EQ(value(infer_single_op("LessOrEqual", {&dims, &cs}, {})), (Shape{0, 1, Dim(), Dim()}));
  EXPECT_EQ(value(infer_single_op("Less", {&dims, &dims}, {})), (Shape{0, 0, Dim(), 0}));

  const ValueState p = shape_value_state({0, 1, Dim(), Dim()}, DType::kBool);
  const ValueState q = shape_value_state({Dim(), Dim(), 0, 1}, DType::kBool);
  EXPECT_EQ(value(infer_single_op("And", {&p, &q}, {})), (Shape{0, Dim(), 0, Dim()}));
  EXPECT_EQ(value(infer_single_op("Or", {&p, &q}, {})), (Shape{Dim(), 1, Dim(), 1}));
  EXPECT_EQ(value(infer_single_op("Xor", {&p, &p}, {})), (Shape{0, 0, Dim(), Dim()}));
  EXPECT_EQ(value(infer_single_op("Not", {&p}, {})), (Shape{1, 0, Dim(), Dim()}));

  // PyTorch's expand(N, -1): Where(Equal(s, -1), 1, s) with s = [N, -1] (negative elements are
  // not dims, so s's -1 is unknown; Expand then takes that dim from the expanded tensor).
  const ValueState s = shape_value_state({n, Dim()});
  const Tensor minus1 = ints({-1, -1}), ones = ints({1, 1});
  const ValueState m = constant_state(minus1), o = constant_state(ones);
  const auto eq = infer_single_op("Equal", {&s, &m}, {});
  EXPECT_EQ(value(eq), (Shape{0, Dim()}));
  EXPECT_EQ(value(infer_single_op("Where", {&eq[0], &o, &s}, {})), (Shape{n, Dim()}));
  const ValueState cond = shape_value_state({1, Dim(), Dim()}, DType::kBool);
  const ValueState x = shape_value_state({5, n, 2}), y = shape_value_state({6, n, 3});
  EXPECT_EQ(value(infer_single_op("Where", {&cond, &x, &y}, {})), (Shape{5, n, Dim()}));
  // A float select carries no shape value.
  const ValueState f = state(DType::kF32, {3});
  EXPECT_FALSE(infer_single_op("Where", {&cond, &f, &f}, {})[0].shape_value);
}

}  // namespace
}  // namespace rankrt::test
