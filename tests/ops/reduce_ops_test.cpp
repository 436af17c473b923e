// Reductions (axes as an input, keepdims, noop_with_empty_axes) against double references.
#include <functional>

#include "op_test_util.h"

namespace rankrt::test {
namespace {

// Reference: reduce x over `axes` (sorted, non-negative) with keepdims.
std::vector<double> reduce_ref(const Tensor& x, const std::vector<int64_t>& axes, double init,
                               const std::function<double(double, double)>& f, bool mean) {
  std::vector<int64_t> kept = x.dims();
  for (int64_t a : axes) kept[size_t(a)] = 1;
  std::vector<double> out(size_t(num_elements(kept)), init);
  std::vector<int64_t> count(out.size(), 0);
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t rem = i, o = 0, stride = 1;
    std::vector<int64_t> idx(x.dims().size());
    for (size_t d = x.dims().size(); d-- > 0;) {
      idx[d] = rem % x.dims()[d];
      rem /= x.dims()[d];
    }
    for (size_t d = kept.size(); d-- > 0;) {
      o += (kept[d] == 1 ? 0 : idx[d]) * stride;
      stride *= kept[d];
    }
    out[size_t(o)] = f(out[size_t(o)], x.as_double(i));
    ++count[size_t(o)];
  }
  if (mean)
    for (size_t o = 0; o < out.size(); ++o) out[o] /= double(count[o]);
  return out;
}

struct ReduceCase {
  std::string op;
  double init;
  std::function<double(double, double)> f;
  bool mean;
};

TEST(ReduceOps, AxesKeepdimsAndAllAxes) {
  const std::vector<ReduceCase> cases = {
      {"ReduceSum", 0, [](double a, double b) { return a + b; }, false},
      {"ReduceMean", 0, [](double a, double b) { return a + b; }, true},
      {"ReduceProd", 1, [](double a, double b) { return a * b; }, false},
      {"ReduceMax", -INFINITY, [](double a, double b) { return std::max(a, b); }, false},
      {"ReduceMin", INFINITY, [](double a, double b) { return std::min(a, b); }, false},
  };
  Tensor x = random_tensor(DType::kF32, {2, 3, 4}, 0.5, 1.5, 501);
  const std::vector<std::vector<int64_t>> axes_cases = {{1}, {0, 2}, {2}, {0, 1, 2}};
  for (const ReduceCase& c : cases) {
    for (const std::vector<int64_t>& axes : axes_cases) {
      std::vector<int64_t> kept = x.dims(), dropped;
      for (int64_t a : axes) kept[size_t(a)] = 1;
      for (int64_t d = 0; d < 3; ++d)
        if (std::find(axes.begin(), axes.end(), d) == axes.end()) dropped.push_back(x.dims()[size_t(d)]);
      const std::vector<double> expected = reduce_ref(x, axes, c.init, c.f, c.mean);
      // Negative axes address the same dims.
      std::vector<int64_t> neg;
      for (int64_t a : axes) neg.push_back(a - 3);
      for (DType ft : {DType::kF32, DType::kF64}) {
        SCOPED_TRACE(c.op + " " + dims_to_string(axes) + " " + std::string(dtype_name(ft)));
        const double tol = ft == DType::kF32 ? 1e-5 : 1e-13;
        Tensor axes_t = Tensor::from_vector<int64_t>({int64_t(axes.size())}, axes);
        Tensor neg_t = Tensor::from_vector<int64_t>({int64_t(neg.size())}, neg);
        expect_tensor_near(run_op(c.op, {x, axes_t}, {}, ft), kept, expected, tol, tol);
        expect_tensor_near(run_op(c.op, {x, neg_t}, {{"keepdims", int64_t(0)}}, ft), dropped, expected, tol,
                           tol);
        if (axes.size() == 3) expect_tensor_near(run_op(c.op, {x}, {}, ft), {1, 1, 1}, expected, tol, tol);
      }
    }
  }
}

TEST(ReduceOps, EmptyAxesAndNoop) {
  Tensor x = random_tensor(DType::kF32, {2, 3}, -1, 1, 601);
  Tensor empty(DType::kI64, {0});
  double sum = 0;
  for (double v : to_doubles(x)) sum += v;
  expect_tensor_near(run_op("ReduceSum", {x, empty}, {{"keepdims", int64_t(0)}}, DType::kF64), {}, {sum},
                     1e-13);
  expect_tensor_near(run_op("ReduceSum", {x, empty}, {{"noop_with_empty_axes", int64_t(1)}}, DType::kF64),
                     {2, 3}, to_doubles(x), 0);
  expect_tensor_near(run_op("ReduceSum", {x}, {{"noop_with_empty_axes", int64_t(1)}}, DType::kF64), {2, 3},
                     to_doubles(x), 0);
}

TEST(ReduceOps, IntegersAndEmptyReductions) {
  Tensor x = Tensor::from_vector<int64_t>({2, 3}, {1, 5, -2, 4, 0, 9});
  Tensor axis1 = Tensor::from_vector<int64_t>({1}, {1});
  EXPECT_EQ(run_op("ReduceSum", {x, axis1}, {}, DType::kF32).to_int64_vector(),
            (std::vector<int64_t>{4, 13}));
  EXPECT_EQ(run_op("ReduceMax", {x, axis1}, {}, DType::kF32).to_int64_vector(), (std::vector<int64_t>{5, 9}));
  Tensor z(DType::kF32, {2, 0});
  EXPECT_EQ(to_doubles(run_op("ReduceSum", {z, axis1}, {}, DType::kF32)), (std::vector<double>{0, 0}));
  EXPECT_EQ(to_doubles(run_op("ReduceMax", {z, axis1}, {}, DType::kF32)),
            (std::vector<double>{-INFINITY, -INFINITY}));
}

TEST(ReduceOps, Inference) {
  ValueState x = state(DType::kF32, {Dim::sym("N"), Dim(4)});
  Tensor axis1 = Tensor::from_vector<int64_t>({1}, {-1});
  ValueState axes = state(DType::kI64, {Dim(1)});
  axes.constant = &axis1;
  EXPECT_EQ(infer_single_op("ReduceMean", {&x, &axes}, {})[0].shape, (Shape{Dim::sym("N"), Dim(1)}));
  EXPECT_EQ(infer_single_op("ReduceMean", {&x, &axes}, {{"keepdims", int64_t(0)}})[0].shape,
            (Shape{Dim::sym("N")}));
  ValueState unknown_axes = state(DType::kI64, {Dim(1)});
  auto out = infer_single_op("ReduceSum", {&x, &unknown_axes}, {});
  EXPECT_TRUE(out[0].rank_known);
  EXPECT_EQ(out[0].shape, (Shape{Dim(), Dim()}));
  EXPECT_FALSE(infer_single_op("ReduceSum", {&x, &unknown_axes}, {{"keepdims", int64_t(0)}})[0].rank_known);
  Tensor bad = Tensor::from_vector<int64_t>({2}, {1, -1});
  axes.constant = &bad;
  EXPECT_THROW(infer_single_op("ReduceSum", {&x, &axes}, {}), Error);
  Tensor out_of_range = Tensor::from_vector<int64_t>({1}, {2});
  axes.constant = &out_of_range;
  EXPECT_THROW(infer_single_op("ReduceSum", {&x, &axes}, {}), Error);
}

}  // namespace
}  // namespace rankrt::test
