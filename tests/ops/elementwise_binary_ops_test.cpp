// Broadcasting arithmetic (Add, Sub, Mul, Div, Pow) and variadic Max, Min, Sum, Mean against
// double-precision references; integer semantics; symbolic shape inference and shape values.
#include <functional>

#include "op_test_util.h"

namespace rankrt::test {
namespace {

struct BinaryCase {
  std::string op;
  std::function<double(double, double)> ref;
};

const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> kBroadcastShapes = {
    {{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{3, 1}, {1, 4}}, {{2, 1, 4}, {3, 1}}, {{}, {2, 3}}, {{5}, {}}};

TEST(BinaryOps, BroadcastArithmeticMatchesDoubleReference) {
  const std::vector<BinaryCase> cases = {{"Add", [](double a, double b) { return a + b; }},
                                         {"Sub", [](double a, double b) { return a - b; }},
                                         {"Mul", [](double a, double b) { return a * b; }},
                                         {"Div", [](double a, double b) { return a / b; }}};
  uint32_t seed = 100;
  for (const BinaryCase& c : cases) {
    for (const auto& [da, db] : kBroadcastShapes) {
      SCOPED_TRACE(c.op + " " + dims_to_string(da) + " " + dims_to_string(db));
      Tensor a = random_tensor(DType::kF32, da, -3, 3, seed++);
      Tensor b = random_tensor(DType::kF32, db, 0.5, 3, seed++);
      std::vector<int64_t> out_dims = da.size() >= db.size() ? da : db;
      for (size_t k = 1; k <= std::min(da.size(), db.size()); ++k)
        out_dims[out_dims.size() - k] = std::max(da[da.size() - k], db[db.size() - k]);
      const std::vector<double> expected = broadcast_reference(a, b, out_dims, c.ref);
      expect_tensor_near(run_op(c.op, {a, b}, {}, DType::kF32), out_dims, expected, 1e-6, 1e-6);
      expect_tensor_near(run_op(c.op, {a, b}, {}, DType::kF64), out_dims, expected, 1e-14, 1e-14);
    }
  }
}

TEST(BinaryOps, IntegerDivTruncatesAndDivisionByZeroFails) {
  Tensor a = Tensor::from_vector<int64_t>({4}, {7, -7, 7, -7});
  Tensor b = Tensor::from_vector<int64_t>({4}, {2, 2, -2, -2});
  EXPECT_EQ(run_op("Div", {a, b}, {}, DType::kF32).to_int64_vector(), (std::vector<int64_t>{3, -3, -3, 3}));
  Tensor m = Tensor::from_vector<int32_t>({1}, {std::numeric_limits<int32_t>::min()});
  Tensor neg1 = Tensor::from_vector<int32_t>({1}, {-1});
  EXPECT_NO_THROW(run_op("Div", {m, neg1}, {}, DType::kF32));
  Tensor zero = Tensor::from_vector<int64_t>({1}, {0});
  EXPECT_THROW(run_op("Div", {a, zero}, {}, DType::kF32), Error);
  EXPECT_EQ(run_op("Mul", {a, b}, {}, DType::kF32).to_int64_vector(),
            (std::vector<int64_t>{14, -14, -14, 14}));
}

TEST(BinaryOps, PowWithFloatAndIntegerExponents) {
  Tensor base = random_tensor(DType::kF32, {2, 3}, 0.1, 3, 5);
  Tensor fexp = random_tensor(DType::kF32, {3}, -2, 2, 6);
  auto pow_ref = [](double a, double b) { return std::pow(a, b); };
  for (DType ft : {DType::kF32, DType::kF64}) {
    expect_tensor_near(run_op("Pow", {base, fexp}, {}, ft), {2, 3},
                       broadcast_reference(base, fexp, {2, 3}, pow_ref), 1e-6,
                       ft == DType::kF32 ? 1e-6 : 1e-14);
  }
  Tensor iexp = Tensor::scalar<int64_t>(3);
  Tensor y = run_op("Pow", {base, iexp}, {}, DType::kF64);
  EXPECT_EQ(y.dtype(), DType::kF64);
  expect_tensor_near(y, {2, 3}, broadcast_reference(base, iexp, {2, 3}, pow_ref), 1e-14, 1e-14);
}

TEST(BinaryOps, VariadicMaxMinSumMean) {
  Tensor a = random_tensor(DType::kF32, {2, 3}, -2, 2, 21);
  Tensor b = random_tensor(DType::kF32, {3}, -2, 2, 22);
  Tensor c = random_tensor(DType::kF32, {2, 1}, -2, 2, 23);
  const std::vector<int64_t> dims = {2, 3};
  std::vector<double> mx(6), mn(6), sum(6);
  for (int64_t o = 0; o < 6; ++o) {
    const double va = a.as_double(o), vb = b.as_double(broadcast_source_index({3}, dims, o)),
                 vc = c.as_double(broadcast_source_index({2, 1}, dims, o));
    mx[size_t(o)] = std::max({va, vb, vc});
    mn[size_t(o)] = std::min({va, vb, vc});
    sum[size_t(o)] = va + vb + vc;
  }
  std::vector<double> mean;
  for (double s : sum) mean.push_back(s / 3);
  for (DType ft : {DType::kF32, DType::kF64}) {
    const double tol = tol_for(ft);
    expect_tensor_near(run_op("Max", {a, b, c}, {}, ft), dims, mx, 0);
    expect_tensor_near(run_op("Min", {a, b, c}, {}, ft), dims, mn, 0);
    expect_tensor_near(run_op("Sum", {a, b, c}, {}, ft), dims, sum, tol, tol);
    expect_tensor_near(run_op("Mean", {a, b, c}, {}, ft), dims, mean, tol, tol);
    expect_tensor_near(run_op("Max", {b}, {}, ft), {3}, to_doubles(b), 0);
  }
  Tensor i = Tensor::from_vector<int32_t>({3}, {1, -5, 9});
  Tensor j = Tensor::from_vector<int32_t>({1}, {0});
  EXPECT_EQ(run_op("Max", {i, j}, {}, DType::kF32).to_int64_vector(), (std::vector<int64_t>{1, 0, 9}));
  Tensor nan = Tensor::from_vector<float>({1}, {std::nanf("")});
  EXPECT_TRUE(std::isnan(run_op("Min", {a, nan}, {}, DType::kF32).as_double(0)));
}

TEST(BinaryOps, SymbolicBroadcastInference) {
  ValueState a = state(DType::kF32, {Dim::sym("N"), Dim(4)});
  ValueState b = state(DType::kF32, {Dim(4)});
  ValueState c = state(DType::kF32, {Dim::sym("N"), Dim(1)});
  EXPECT_EQ(infer_single_op("Add", {&a, &b}, {})[0].shape, (Shape{Dim::sym("N"), Dim(4)}));
  EXPECT_EQ(infer_single_op("Mul", {&c, &b}, {})[0].shape, (Shape{Dim::sym("N"), Dim(4)}));
  EXPECT_EQ(infer_single_op("Max", {&b, &c, &a}, {})[0].shape, (Shape{Dim::sym("N"), Dim(4)}));
  ValueState bad = state(DType::kF32, {Dim(3)});
  EXPECT_THROW(infer_single_op("Sub", {&a, &bad}, {}), Error);
  ValueState other = state(DType::kF64, {Dim(4)});
  EXPECT_THROW(infer_single_op("Add", {&a, &other}, {}), Error);
  ValueState unknown = state(DType::kF32, {});
  unknown.rank_known = false;
  EXPECT_FALSE(infer_single_op("Add", {&a, &unknown}, {})[0].rank_known);
}

TEST(BinaryOps, ShapeValueArithmetic) {
  ValueState dims = state(DType::kI64, {Dim(2)});
  dims.shape_value = Shape{Dim::sym("N"), Dim(4)};
  Tensor two = Tensor::from_vector<int64_t>({1}, {2});
  ValueState c = state(DType::kI64, {Dim(1)});
  c.constant = &two;
  auto out = infer_single_op("Mul", {&dims, &c}, {});
  ASSERT_TRUE(out[0].shape_value);
  EXPECT_EQ(*out[0].shape_value, (Shape{Dim(), Dim(8)}));
  Tensor one = Tensor::from_vector<int64_t>({2}, {1, 1});
  c.constant = &one;
  c.shape = {Dim(2)};
  out = infer_single_op("Mul", {&dims, &c}, {});
  EXPECT_EQ(*out[0].shape_value, (Shape{Dim::sym("N"), Dim(4)}));
}

// Negative constants take part (a negative result is not a dim: unknown); N is a size (>= 0).
TEST(BinaryOps, ShapeValueRulesWithSymbolsAndNegatives) {
  const Dim n = Dim::sym("N");
  const ValueState dims = shape_value_state({n, 4, Dim()});
  const Tensor c = ints({-1, 5, 0});
  const ValueState cs = constant_state(c);
  auto value = [](const std::vector<ValueState>& out) { return out[0].shape_value.value_or(Shape{Dim(99)}); };
  EXPECT_EQ(value(infer_single_op("Add", {&cs, &dims}, {})), (Shape{Dim(), 9, Dim()}));
  EXPECT_EQ(value(infer_single_op("Sub", {&dims, &dims}, {})), (Shape{0, 0, Dim()}));
  EXPECT_EQ(value(infer_single_op("Sub", {&dims, &cs}, {})), (Shape{Dim(), Dim(), Dim()}));
  EXPECT_EQ(value(infer_single_op("Mul", {&dims, &cs}, {})), (Shape{Dim(), 20, 0}));
  EXPECT_EQ(value(infer_single_op("Div", {&dims, &cs}, {})), (Shape{Dim(), 0, Dim()}));
  EXPECT_EQ(value(infer_single_op("Max", {&dims, &cs}, {})), (Shape{n, 5, Dim()}));
  EXPECT_EQ(value(infer_single_op("Min", {&dims, &cs}, {})), (Shape{Dim(), 4, Dim()}));
  const Tensor zero = Tensor::scalar<int64_t>(0);
  const ValueState z = constant_state(zero);
  EXPECT_EQ(value(infer_single_op("Max", {&dims, &z, &dims}, {})), (Shape{n, 4, Dim()}));
  EXPECT_EQ(value(infer_single_op("Min", {&z, &dims}, {})), (Shape{0, 0, Dim()}));
  // Float Max / Min have no shape value.
  const ValueState f = state(DType::kF32, {3});
  EXPECT_FALSE(infer_single_op("Max", {&f, &f}, {})[0].shape_value);
}

}  // namespace
}  // namespace rankrt::test
