// TensorFlow importer: every supported op, imported from a tiny GraphDef and run in float64
// against values computed here.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "core/half.h"
#include "import/tf_graph_fixture.h"

namespace rankrt::testing {
namespace {

std::vector<double> values(const Tensor& t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.numel(); ++i) v.push_back(t.as_double(i));
  return v;
}

// Imports g, runs it with x and returns the output `out`.
Tensor run_one(const TfGraphDef& g, const TensorMap& inputs, const std::string& out = "y") {
  return run_f64(import_def(g.def), inputs).at(out);
}

TEST(TfOps, Unary) {
  const std::vector<std::pair<std::string, std::function<double(double)>>> cases = {
      {"Identity", [](double v) { return v; }},
      {"Sqrt", [](double v) { return std::sqrt(v); }},
      {"Rsqrt", [](double v) { return 1.0 / std::sqrt(v); }},
      {"Relu", [](double v) { return std::max(v, 0.0); }},
      {"Tanh", [](double v) { return std::tanh(v); }},
      {"Neg", [](double v) { return -v; }},
      {"Exp", [](double v) { return std::exp(v); }},
      {"Log", [](double v) { return std::log(v); }},
      {"Abs", [](double v) { return std::abs(v); }},
      {"Sigmoid", [](double v) { return 1.0 / (1.0 + std::exp(-v)); }},
  };
  for (const auto& [op, fn] : cases) {
    const bool positive = op == "Sqrt" || op == "Rsqrt" || op == "Log";
    Tensor x = positive ? random_f32({2, 3}, 0.1, 3.0) : random_f32({2, 3});
    TfGraphDef g;
    g.placeholder("x", DType::kF32, {-1, 3});
    g.node("y", op, {"x"});
    std::vector<double> expected = values(x);
    for (double& v : expected) v = fn(v);
    SCOPED_TRACE(op);
    expect_values(run_one(g, {{"x", x}}), {2, 3}, expected);
  }
}

TEST(TfOps, BinaryWithBroadcast) {
  const std::vector<std::pair<std::string, std::function<double(double, double)>>> cases = {
      {"Add", std::plus<double>()},
      {"AddV2", std::plus<double>()},
      {"BiasAdd", std::plus<double>()},
      {"Sub", std::minus<double>()},
      {"Mul", std::multiplies<double>()},
      {"RealDiv", std::divides<double>()},
      {"Maximum", [](double a, double b) { return std::max(a, b); }},
      {"Minimum", [](double a, double b) { return std::min(a, b); }},
  };
  for (const auto& [op, fn] : cases) {
    Tensor a = random_f32({2, 3}), b = random_f32({3}, 0.5, 2.0);
    TfGraphDef g;
    g.placeholder("a", DType::kF32, {2, 3});
    g.constant("b", b);
    g.node("y", op, {"a", "b"});
    std::vector<double> expected;
    for (int i = 0; i < 6; ++i) expected.push_back(fn(a.as_double(i), b.as_double(i % 3)));
    SCOPED_TRACE(op);
    expect_values(run_one(g, {{"a", a}}), {2, 3}, expected);
  }
}

TEST(TfOps, Softmax) {
  Tensor x = random_f32({2, 3});
  TfGraphDef g;
  g.placeholder("x", DType::kF32, {2, 3});
  g.node("y", "Softmax", {"x"});
  std::vector<double> expected;
  for (int r = 0; r < 2; ++r) {
    double sum = 0;
    for (int c = 0; c < 3; ++c) sum += std::exp(x.as_double(r * 3 + c));
    for (int c = 0; c < 3; ++c) expected.push_back(std::exp(x.as_double(r * 3 + c)) / sum);
  }
  expect_values(run_one(g, {{"x", x}}), {2, 3}, expected);
}

TEST(TfOps, CastRoundsThroughHalf) {
  Tensor x = random_f32({5});
  TfGraphDef g;
  g.placeholder("x", DType::kF32, {5});
  TfGraphDef::type(g.node("y", "Cast", {"x"}), "DstT", DType::kF16);
  TfGraphDef::type(g.node("z", "Cast", {"x"}), "DstT", DType::kI32);
  Graph ir = import_def(g.def);
  EXPECT_EQ(find_node(ir, "y").attr_int("to"), int64_t(DType::kF16));
  TensorMap out = run_f64(ir, {{"x", x}});
  std::vector<double> half, truncated;
  for (float v : x.span<float>()) {
    half.push_back(half_to_float(float_to_half(v)));
    truncated.push_back(std::trunc(v));
  }
  expect_values(out.at("y"), {5}, half);
  EXPECT_EQ(out.at("z").dtype(), DType::kI32);
  expect_values(out.at("z"), {5}, truncated);
}

TEST(TfOps, ShapeAndZerosLike) {
  TfGraphDef g;
  g.placeholder("x", DType::kF32, {-1, 3});
  g.node("s32", "Shape", {"x"});
  TfGraphDef::type(g.node("s64", "Shape", {"x"}), "out_type", DType::kI64);
  TfGraphDef::type(g.node("z", "ZerosLike", {"x"}), "T", DType::kF32);
  Graph ir = import_def(g.def);
  EXPECT_EQ(ir.value_info.at("s32").dtype, DType::kI32);
  EXPECT_EQ(find_node(ir, "z").op, "ConstantOfShape");
  Tensor x = random_f32({2, 3});
  x.data<float>()[0] = std::nanf("");
  x.data<float>()[1] = INFINITY;
  TensorMap out = run_f64(ir, {{"x", x}});
  expect_values(out.at("s32"), {2}, {2, 3});
  EXPECT_EQ(out.at("s64").dtype(), DType::kI64);
  expect_values(out.at("z"), {2, 3}, {0, 0, 0, 0, 0, 0});
}

// a [m,k] (or [k,m] with ta) times b.
std::vector<double> matmul(const Tensor& a, const Tensor& b, bool ta, bool tb, int m, int k, int n) {
  std::vector<double> out;
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      double acc = 0;
      for (int p = 0; p < k; ++p)
        acc += a.as_double(ta ? p * m + i : i * k + p) * b.as_double(tb ? j * k + p : p * n + j);
      out.push_back(acc);
    }
  }
  return out;
}

TEST(TfOps, MatMulTransposes) {
  for (int mode = 0; mode < 4; ++mode) {
    const bool ta = mode & 1, tb = mode & 2;
    Tensor a = random_f32(ta ? std::vector<int64_t>{4, 2} : std::vector<int64_t>{2, 4});
    Tensor b = random_f32(tb ? std::vector<int64_t>{3, 4} : std::vector<int64_t>{4, 3});
    TfGraphDef g;
    g.placeholder("a", DType::kF32, a.dims());
    g.constant("b", b);
    tf::NodeDef& n = g.node("y", "MatMul", {"a", "b"});
    TfGraphDef::boolean(n, "transpose_a", ta);
    TfGraphDef::boolean(n, "transpose_b", tb);
    SCOPED_TRACE(mode);
    expect_values(run_one(g, {{"a", a}}), {2, 3}, matmul(a, b, ta, tb, 2, 4, 3));
  }
}

TEST(TfOps, BatchMatMulAdjoints) {
  for (int mode = 0; mode < 4; ++mode) {
    const bool ax = mode & 1, ay = mode & 2;
    Tensor a = random_f32(ax ? std::vector<int64_t>{2, 4, 2} : std::vector<int64_t>{2, 2, 4});
    Tensor b = random_f32(ay ? std::vector<int64_t>{2, 3, 4} : std::vector<int64_t>{2, 4, 3});
    TfGraphDef g;
    g.placeholder("a", DType::kF32, {-1, a.dims()[1], a.dims()[2]});
    g.placeholder("b", DType::kF32, {-1, b.dims()[1], b.dims()[2]});
    tf::NodeDef& n = g.node("y", "BatchMatMulV2", {"a", "b"});
    TfGraphDef::boolean(n, "adj_x", ax);
    TfGraphDef::boolean(n, "adj_y", ay);
    std::vector<double> expected;
    for (int batch = 0; batch < 2; ++batch) {
      Tensor a1 = Tensor(DType::kF32, {8}), b1 = Tensor(DType::kF32, {12});
      std::memcpy(a1.raw(), a.data<float>() + batch * 8, 8 * sizeof(float));
      std::memcpy(b1.raw(), b.data<float>() + batch * 12, 12 * sizeof(float));
      for (double v : matmul(a1, b1, ax, ay, 2, 4, 3)) expected.push_back(v);
    }
    SCOPED_TRACE(mode);
    expect_values(run_one(g, {{"a", a}, {"b", b}}), {2, 2, 3}, expected);
  }
}

TEST(TfOps, ConcatV2AndPack) {
  Tensor a = random_f32({2, 2}), b = random_f32({2, 1});
  TfGraphDef g;
  g.placeholder("a", DType::kF32, {2, 2});
  g.placeholder("b", DType::kF32, {2, 1});
  g.constant("axis", Tensor::scalar<int32_t>(-1));
  g.node("y", "ConcatV2", {"a", "b", "axis"});
  g.placeholder("u", DType::kF32, {3});
  g.placeholder("v", DType::kF32, {3});
  g.node("p0", "Pack", {"u", "v"});
  TfGraphDef::integer(g.node("p1", "Pack", {"u", "v"}), "axis", 1);
  Tensor u = random_f32({3}), v = random_f32({3});
  TensorMap out = run_f64(import_def(g.def), {{"a", a}, {"b", b}, {"u", u}, {"v", v}});
  expect_values(
      out.at("y"), {2, 3},
      {a.as_double(0), a.as_double(1), b.as_double(0), a.as_double(2), a.as_double(3), b.as_double(1)});
  expect_values(
      out.at("p0"), {2, 3},
      {u.as_double(0), u.as_double(1), u.as_double(2), v.as_double(0), v.as_double(1), v.as_double(2)});
  expect_values(
      out.at("p1"), {3, 2},
      {u.as_double(0), v.as_double(0), u.as_double(1), v.as_double(1), u.as_double(2), v.as_double(2)});
}

TEST(TfOps, TileReshapeExpandDimsSqueezeTranspose) {
  Tensor x = random_f32({2, 3});
  TfGraphDef g;
  g.placeholder("x", DType::kF32, {2, 3});
  g.constant("multiples", Tensor::from_vector<int32_t>({2}, {2, 1}));
  g.node("tile", "Tile", {"x", "multiples"});
  g.constant("shape", Tensor::from_vector<int32_t>({3}, {3, -1, 1}));
  g.node("reshape", "Reshape", {"x", "shape"});
  g.constant("axis", Tensor::scalar<int32_t>(-1));
  g.node("expand", "ExpandDims", {"x", "axis"});
  TfGraphDef::ints(g.node("squeeze", "Squeeze", {"reshape"}), "squeeze_dims", {2});
  g.node("squeeze_all", "Squeeze", {"expand"});
  g.constant("perm", Tensor::from_vector<int32_t>({2}, {1, 0}));
  g.node("transpose", "Transpose", {"x", "perm"});
  TensorMap out = run_f64(import_def(g.def), {{"x", x}});
  std::vector<double> xv = values(x), tiled = xv;
  tiled.insert(tiled.end(), xv.begin(), xv.end());
  expect_values(out.at("tile"), {4, 3}, tiled);
  expect_values(out.at("reshape"), {3, 2, 1}, xv);
  expect_values(out.at("expand"), {2, 3, 1}, xv);
  expect_values(out.at("squeeze"), {3, 2}, xv);
  expect_values(out.at("squeeze_all"), {2, 3}, xv);
  expect_values(out.at("transpose"), {3, 2}, {xv[0], xv[3], xv[1], xv[4], xv[2], xv[5]});
}

TEST(TfOps, GatherV2) {
  Tensor x = random_f32({3, 2});
  TfGraphDef g;
  g.placeholder("x", DType::kF32, {3, 2});
  g.constant("idx", Tensor::from_vector<int32_t>({2}, {2, 0}));
  g.constant("axis0", Tensor::scalar<int32_t>(0));
  g.constant("axis1", Tensor::from_vector<int64_t>({1}, {1}));
  g.node("rows", "GatherV2", {"x", "idx", "axis0"});
  g.constant("col", Tensor::scalar<int32_t>(1));
  g.node("cols", "GatherV2", {"x", "col", "axis1"});
  TensorMap out = run_f64(import_def(g.def), {{"x", x}});
  std::vector<double> xv = values(x);
  expect_values(out.at("rows"), {2, 2}, {xv[4], xv[5], xv[0], xv[1]});
  expect_values(out.at("cols"), {3}, {xv[1], xv[3], xv[5]});
}

TEST(TfOps, SelectAndSelectV2) {
  Tensor a = random_f32({3, 2}), b = random_f32({3, 2});
  TfGraphDef g;
  g.placeholder("a", DType::kF32, {3, 2});
  g.placeholder("b", DType::kF32, {3, 2});
  g.constant("rows", Tensor::from_vector<bool>({3}, {true, false, true}));
  g.node("select", "Select", {"rows", "a", "b"});
  g.constant("cols", Tensor::from_vector<bool>({2}, {false, true}));
  g.node("select_v2", "SelectV2", {"cols", "a", "b"});
  TensorMap out = run_f64(import_def(g.def), {{"a", a}, {"b", b}});
  std::vector<double> av = values(a), bv = values(b);
  expect_values(out.at("select"), {3, 2}, {av[0], av[1], bv[2], bv[3], av[4], av[5]});
  expect_values(out.at("select_v2"), {3, 2}, {bv[0], av[1], bv[2], av[3], bv[4], av[5]});
}

TEST(TfOps, SumAndMean) {
  Tensor x = random_f32({2, 3});
  TfGraphDef g;
  g.placeholder("x", DType::kF32, {2, 3});
  g.constant("axes", Tensor::from_vector<int32_t>({1}, {1}));
  g.node("sum", "Sum", {"x", "axes"});
  TfGraphDef::boolean(g.node("mean", "Mean", {"x", "axes"}), "keep_dims", true);
  g.constant("axis0", Tensor::scalar<int64_t>(0));
  g.node("sum0", "Sum", {"x", "axis0"});
  TensorMap out = run_f64(import_def(g.def), {{"x", x}});
  std::vector<double> xv = values(x);
  const double r0 = xv[0] + xv[1] + xv[2], r1 = xv[3] + xv[4] + xv[5];
  expect_values(out.at("sum"), {2}, {r0, r1});
  expect_values(out.at("mean"), {2, 1}, {r0 / 3, r1 / 3});
  expect_values(out.at("sum0"), {3}, {xv[0] + xv[3], xv[1] + xv[4], xv[2] + xv[5]});
}

struct SliceCase {
  std::vector<int32_t> begin, end, strides;
  int64_t begin_mask, end_mask, new_axis_mask, shrink_mask;
  std::vector<int64_t> dims;
  std::vector<int> picks;  // flat indices into x [3,4]
};

TEST(TfOps, StridedSlice) {
  const std::vector<SliceCase> cases = {
      {{1, 0}, {3, 4}, {1, 2}, 0, 0, 0, 0, {2, 2}, {4, 6, 8, 10}},
      {{0, 1}, {0, 3}, {1, 1}, 1, 1, 0, 0, {3, 2}, {1, 2, 5, 6, 9, 10}},
      {{0, -1}, {0, 0}, {1, -2}, 1, 3, 0, 0, {3, 2}, {3, 1, 7, 5, 11, 9}},
      {{-1}, {0}, {1}, 0, 0, 0, 1, {4}, {8, 9, 10, 11}},
      {{1, 2}, {2, 3}, {1, 1}, 0, 0, 0, 3, {}, {6}},
      {{0, 0, 1}, {0, 0, 2}, {1, 1, 1}, 2, 2, 1, 4, {1, 3}, {1, 5, 9}},
  };
  Tensor x = random_f32({3, 4});
  for (size_t c = 0; c < cases.size(); ++c) {
    const SliceCase& s = cases[c];
    TfGraphDef g;
    g.placeholder("x", DType::kF32, {3, 4});
    const int64_t k = int64_t(s.begin.size());
    g.constant("b", Tensor::from_vector<int32_t>({k}, s.begin));
    g.constant("e", Tensor::from_vector<int32_t>({k}, s.end));
    g.constant("s", Tensor::from_vector<int32_t>({k}, s.strides));
    tf::NodeDef& n = g.node("y", "StridedSlice", {"x", "b", "e", "s"});
    TfGraphDef::integer(n, "begin_mask", s.begin_mask);
    TfGraphDef::integer(n, "end_mask", s.end_mask);
    TfGraphDef::integer(n, "new_axis_mask", s.new_axis_mask);
    TfGraphDef::integer(n, "shrink_axis_mask", s.shrink_mask);
    std::vector<double> expected;
    for (int p : s.picks) expected.push_back(x.as_double(p));
    SCOPED_TRACE(c);
    expect_values(run_one(g, {{"x", x}}), s.dims, expected);
  }
}

// The DQM input pattern: Tile(comm, Pack(StridedSlice(Shape(ncomm))[0], 1)) with symbolic N.
TEST(TfOps, SymbolicBatchThroughShapeSlicePackTile) {
  TfGraphDef g;
  g.placeholder("comm", DType::kF16, {1, 2});
  g.placeholder("ncomm", DType::kF16, {-1, 3});
  g.node("Shape", "Shape", {"ncomm"});
  g.constant("b", Tensor::from_vector<int32_t>({1}, {0}));
  g.constant("e", Tensor::from_vector<int32_t>({1}, {1}));
  g.constant("s", Tensor::from_vector<int32_t>({1}, {1}));
  TfGraphDef::integer(g.node("n", "StridedSlice", {"Shape", "b", "e", "s"}), "shrink_axis_mask", 1);
  g.constant("one", Tensor::scalar<int32_t>(1));
  g.node("multiples", "Pack", {"n", "one"});
  g.node("tile", "Tile", {"comm", "multiples"});
  g.constant("axis", Tensor::scalar<int32_t>(1));
  g.node("concat", "ConcatV2", {"tile", "ncomm", "axis"});
  TfGraphDef::type(g.node("y", "Cast", {"concat"}), "DstT", DType::kF32);
  Graph ir = import_def(g.def);
  EXPECT_EQ(shape_to_string(ir.outputs.at(0).shape), shape_to_string({Dim::sym("N"), Dim(5)}));
  EXPECT_EQ(find_node(ir, "n").op, "Squeeze");
  EXPECT_EQ(find_node(ir, "n/slice").op, "Slice");
  EXPECT_EQ(find_node(ir, "multiples").op, "Concat");
  Tensor comm = random_f32({1, 2}).to(DType::kF16), ncomm = random_f32({3, 3}).to(DType::kF16);
  std::vector<double> expected;
  for (int r = 0; r < 3; ++r) {
    expected.push_back(comm.as_double(0));
    expected.push_back(comm.as_double(1));
    for (int c = 0; c < 3; ++c) expected.push_back(ncomm.as_double(r * 3 + c));
  }
  expect_values(run_f64(ir, {{"comm", comm}, {"ncomm", ncomm}}).at("y"), {3, 5}, expected);
}

TEST(TfOps, HalfSplatConstant) {
  TfGraphDef g;
  g.placeholder("x", DType::kF16, {2, 2});
  tf::TensorProto& c = *(*g.node("c", "Const").mutable_attr())["value"].mutable_tensor();
  c.set_dtype(tf::DT_HALF);
  c.mutable_tensor_shape()->add_dim()->set_size(2);
  c.mutable_tensor_shape()->add_dim()->set_size(2);
  c.add_half_val(float_to_half(0.5f));
  g.node("y", "Mul", {"x", "c"});
  Tensor x = random_f32({2, 2}).to(DType::kF16);
  std::vector<double> expected = values(x);
  for (double& v : expected) v *= 0.5;
  expect_values(run_one(g, {{"x", x}}), {2, 2}, expected);
}

}  // namespace
}  // namespace rankrt::testing
