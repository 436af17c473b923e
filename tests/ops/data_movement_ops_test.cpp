// Tests of the data-movement ops (Concat, Split, Slice, Gather, Tile): kernels on random data
// against hand-computed expectations, negative axes and indices, and symbolic shape propagation.
#include <gtest/gtest.h>

#include <functional>
#include <limits>

#include "ops/op_test_util.h"

namespace rankrt {
namespace {

using test::infer_single_op;
using test::random_tensor;
using test::run_op;
using test::run_single_op;
using test::state;
using test::to_doubles;

const Dim kN = Dim::sym("N");
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

using test::constant_state;
using test::error_code;
using test::ints;

TEST(ConcatOp, NegativeAxisAndDtypes) {
  const Tensor a = random_tensor(DType::kF32, {2, 3}, -2, 2, 1),
               b = random_tensor(DType::kF32, {2, 5}, -2, 2, 2);
  std::vector<double> expected;
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) expected.push_back(a.as_double(i * 3 + j));
    for (int j = 0; j < 5; ++j) expected.push_back(b.as_double(i * 5 + j));
  }
  test::expect_tensor_near(run_op("Concat", {a, b}, {{"axis", int64_t(-1)}}, DType::kF32), {2, 8}, expected,
                           0.0);
  const Tensor ba = a.to(DType::kBool), bb = random_tensor(DType::kF32, {1, 3}, -2, 2, 3).to(DType::kBool);
  const Tensor y = run_op("Concat", {ba, bb}, {{"axis", int64_t(0)}}, DType::kF64);
  std::vector<double> expected_bool = to_doubles(ba);
  for (double v : to_doubles(bb)) expected_bool.push_back(v);
  EXPECT_EQ(y.dtype(), DType::kBool);
  test::expect_tensor_near(y, {3, 3}, expected_bool, 0.0);
  EXPECT_EQ(error_code([&] {
              run_op("Concat", {a, b}, {{"axis", int64_t(0)}}, DType::kF32);
            }),
            ErrorCode::kShape);
  EXPECT_EQ(error_code([&] {
              run_op("Concat", {a, ba}, {{"axis", int64_t(0)}}, DType::kF32);
            }),
            ErrorCode::kShape);
}

TEST(ConcatOp, SymbolicInference) {
  const ValueState a = state(DType::kF32, {kN, 3}), b = state(DType::kF32, {kN, 5}),
                   c = state(DType::kF32, {2, 3});
  EXPECT_EQ(infer_single_op("Concat", {&a, &b}, {{"axis", int64_t(1)}})[0].shape, (Shape{kN, 8}));
  EXPECT_EQ(infer_single_op("Concat", {&a, &c}, {{"axis", int64_t(0)}})[0].shape, (Shape{Dim(), 3}));
  const ValueState d = state(DType::kF32, {Dim(), 3});
  EXPECT_EQ(infer_single_op("Concat", {&d, &a}, {{"axis", int64_t(1)}})[0].shape, (Shape{kN, 6}));
}

TEST(SplitOp, SizesInputNumOutputsAndEqual) {
  const Tensor x = random_tensor(DType::kF32, {6, 7});
  auto rows = [&](int64_t from, int64_t to, int64_t c0, int64_t c1) {
    std::vector<double> v;
    for (int64_t i = from; i < to; ++i)
      for (int64_t j = c0; j < c1; ++j) v.push_back(x.as_double(i * 7 + j));
    return v;
  };
  TensorMap out = run_single_op("Split", {x, ints({1, 2, 3})}, {}, DType::kF32, 3);
  test::expect_tensor_near(out.at("y0"), {1, 7}, rows(0, 1, 0, 7), 0.0);
  test::expect_tensor_near(out.at("y1"), {2, 7}, rows(1, 3, 0, 7), 0.0);
  test::expect_tensor_near(out.at("y2"), {3, 7}, rows(3, 6, 0, 7), 0.0);
  out = run_single_op("Split", {x}, {{"axis", int64_t(-1)}, {"num_outputs", int64_t(3)}}, DType::kF64, 3);
  test::expect_tensor_near(out.at("y0"), {6, 3}, rows(0, 6, 0, 3), 0.0);
  test::expect_tensor_near(out.at("y1"), {6, 3}, rows(0, 6, 3, 6), 0.0);
  test::expect_tensor_near(out.at("y2"), {6, 1}, rows(0, 6, 6, 7), 0.0);
  out = run_single_op("Split", {x}, {}, DType::kF32, 2);
  test::expect_tensor_near(out.at("y1"), {3, 7}, rows(3, 6, 0, 7), 0.0);
  EXPECT_EQ(error_code([&] {
              run_single_op("Split", {x, ints({1, 2})}, {}, DType::kF32, 2);
            }),
            ErrorCode::kShape);
  EXPECT_EQ(error_code([&] {
              run_single_op("Split", {x}, {{"axis", int64_t(1)}}, DType::kF32, 2);
            }),
            ErrorCode::kShape);
  const ValueState s = state(DType::kF32, {kN, 4});
  const auto sym = infer_single_op("Split", {&s}, {{"axis", int64_t(1)}}, 2);
  EXPECT_EQ(sym[1].shape, (Shape{kN, 2}));
}

// Reference slicing of one axis, written independently of the kernel (Python semantics).
std::vector<int64_t> slice_indices(int64_t dim, int64_t start, int64_t end, int64_t step) {
  std::vector<int64_t> out;
  if (step > 0) {
    start = start < 0 ? std::max<int64_t>(0, start + dim) : std::min(start, dim);
    end = end < 0 ? std::max<int64_t>(0, end + dim) : std::min(end, dim);
    for (int64_t i = start; i < end; i += step) out.push_back(i);
  } else {
    start = start < 0 ? std::max<int64_t>(-1, start + dim) : std::min(start, dim - 1);
    end = end < 0 ? std::max<int64_t>(-1, end + dim) : std::min(end, dim - 1);
    for (int64_t i = start; i > end; i += step) out.push_back(i);
  }
  return out;
}

TEST(SliceOp, StepsClampingNegativeAxes) {
  const Tensor x = random_tensor(DType::kF64, {5, 6});
  struct Case {
    std::vector<int64_t> starts, ends, axes, steps;
  };
  const std::vector<Case> cases = {
      {{1, -1}, {4, kMin}, {0, 1}, {2, -2}}, {{-100}, {kMax}, {-1}, {1}},
      {{4, 0}, {-6, 5}, {0, -1}, {-1, 3}},   {{2}, {2}, {0}, {1}},
      {{kMax}, {kMin}, {1}, {-1}},           {{0, 7}, {-1, 2}, {1, 0}, {1, -3}},
  };
  for (const Case& c : cases) {
    std::vector<std::vector<int64_t>> picks = {slice_indices(5, 0, kMax, 1), slice_indices(6, 0, kMax, 1)};
    for (size_t i = 0; i < c.axes.size(); ++i) {
      const size_t a = size_t(c.axes[i] < 0 ? c.axes[i] + 2 : c.axes[i]);
      picks[a] = slice_indices(a == 0 ? 5 : 6, c.starts[i], c.ends[i], c.steps[i]);
    }
    std::vector<double> expected;
    for (int64_t i : picks[0])
      for (int64_t j : picks[1]) expected.push_back(x.as_double(i * 6 + j));
    const Tensor y =
        run_op("Slice", {x, ints(c.starts), ints(c.ends), ints(c.axes), ints(c.steps)}, {}, DType::kF64);
    test::expect_tensor_near(y, {int64_t(picks[0].size()), int64_t(picks[1].size())}, expected, 0.0);
  }
  const Tensor y = run_op("Slice", {x.to(DType::kI8), ints({1}), ints({3})}, {}, DType::kF32);
  EXPECT_EQ(y.dims(), (std::vector<int64_t>{2, 6}));
  EXPECT_EQ(error_code([&] {
              run_op("Slice", {x, ints({0}), ints({1}), ints({0}), ints({0})}, {}, DType::kF32);
            }),
            ErrorCode::kShape);
  EXPECT_EQ(error_code([&] {
              run_op("Slice", {x, ints({0, 0}), ints({1, 1}), ints({1, -1})}, {}, DType::kF32);
            }),
            ErrorCode::kShape);
}

TEST(SliceOp, SymbolicInferenceAndShapeValue) {
  const ValueState x = state(DType::kF32, {kN, 10});
  const Tensor zero = ints({0}), one = ints({1}), big = ints({kMax}), three = ints({3}), axis1 = ints({1});
  const ValueState z = constant_state(zero), o = constant_state(one), b = constant_state(big),
                   t = constant_state(three), a1 = constant_state(axis1);
  EXPECT_EQ(infer_single_op("Slice", {&x, &z, &b}, {})[0].shape, (Shape{kN, 10}));
  EXPECT_EQ(infer_single_op("Slice", {&x, &z, &o}, {})[0].shape, (Shape{Dim(), 10}));
  EXPECT_EQ(infer_single_op("Slice", {&x, &o, &t, &a1}, {})[0].shape, (Shape{kN, 2}));
  const ValueState unknown_start = state(DType::kI64, {1});
  EXPECT_EQ(infer_single_op("Slice", {&x, &unknown_start, &t, &a1}, {})[0].shape, (Shape{kN, Dim()}));
  ValueState shape = state(DType::kI64, {3});
  shape.shape_value = Shape{kN, 384, 7};
  auto out = infer_single_op("Slice", {&shape, &z, &o}, {});
  EXPECT_EQ(out[0].shape, (Shape{1}));
  EXPECT_EQ(out[0].shape_value, (Shape{kN}));
  out = infer_single_op("Slice", {&shape, &o, &b}, {});
  EXPECT_EQ(out[0].shape_value, (Shape{384, 7}));
}

TEST(GatherOp, AxesAndNegativeIndices) {
  const Tensor x = random_tensor(DType::kF32, {4, 3});
  const Tensor idx = Tensor::from_vector<int32_t>({2, 2}, {2, -1, 0, 1});
  std::vector<double> expected;
  for (int i = 0; i < 4; ++i)
    for (int k : {2, 2, 0, 1}) expected.push_back(x.as_double(i * 3 + k));
  test::expect_tensor_near(run_op("Gather", {x, idx}, {{"axis", int64_t(-1)}}, DType::kF32), {4, 2, 2},
                           expected, 0.0);
  const Tensor row = run_op("Gather", {x.to(DType::kI64), Tensor::scalar<int64_t>(-1)}, {}, DType::kF32);
  std::vector<double> last;
  for (int j = 0; j < 3; ++j) last.push_back(double(int64_t(x.as_double(9 + j))));
  test::expect_tensor_near(row, {3}, last, 0.0);
  EXPECT_EQ(error_code([&] {
              run_op("Gather", {x, Tensor::scalar<int64_t>(4)}, {}, DType::kF32);
            }),
            ErrorCode::kRuntime);
  EXPECT_EQ(error_code([&] {
              run_op("Gather", {x, Tensor::scalar<int64_t>(0)}, {{"axis", int64_t(2)}}, DType::kF32);
            }),
            ErrorCode::kShape);
}

TEST(GatherOp, ShapeValue) {
  ValueState shape = state(DType::kI64, {3});
  shape.shape_value = Shape{kN, 384, 7};
  const Tensor scalar = Tensor::scalar<int64_t>(-3), pair = ints({2, 1});
  const ValueState s = constant_state(scalar), p = constant_state(pair);
  auto out = infer_single_op("Gather", {&shape, &s}, {});
  EXPECT_EQ(out[0].shape, Shape{});
  EXPECT_EQ(out[0].shape_value, (Shape{kN}));
  out = infer_single_op("Gather", {&shape, &p}, {});
  EXPECT_EQ(out[0].shape_value, (Shape{7, 384}));
  const ValueState data = state(DType::kF32, {kN, 5, 6});
  EXPECT_EQ(infer_single_op("Gather", {&data, &p}, {{"axis", int64_t(1)}})[0].shape, (Shape{kN, 2, 6}));
}

TEST(TileOp, RepeatsAndDtypes) {
  const Tensor x = random_tensor(DType::kF32, {2, 3});
  std::vector<double> expected;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 9; ++j) expected.push_back(x.as_double(i % 2 * 3 + j % 3));
  test::expect_tensor_near(run_op("Tile", {x, ints({2, 3})}, {}, DType::kF32), {4, 9}, expected, 0.0);
  const Tensor b = x.to(DType::kBool);
  const Tensor yb = run_op("Tile", {b, ints({1, 2})}, {}, DType::kF64);
  expected.clear();
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 6; ++j) expected.push_back(b.as_double(i * 3 + j % 3));
  test::expect_tensor_near(yb, {2, 6}, expected, 0.0);
  EXPECT_EQ(run_op("Tile", {x, ints({0, 2})}, {}, DType::kF32).dims(), (std::vector<int64_t>{0, 6}));
  EXPECT_EQ(error_code([&] { run_op("Tile", {x, ints({2})}, {}, DType::kF32); }), ErrorCode::kShape);
  EXPECT_EQ(error_code([&] { run_op("Tile", {x, ints({1, -1})}, {}, DType::kF32); }), ErrorCode::kShape);
}

Node make_node(std::string op, std::vector<std::string> inputs, std::string output, AttributeMap attrs = {}) {
  return Node{output + "_node", std::move(op), std::move(inputs), {std::move(output)}, std::move(attrs)};
}

// The TensorFlow pattern Tile(comm[1,176], Concat(Slice(Shape(ncomm[N,384]), 0, 1), [1])).
TEST(SymbolicShapes, TileByBatchOfAnotherInput) {
  Graph g;
  g.source = "test";
  g.inputs = {ValueInfo{"ncomm", DType::kF32, {kN, 384}, true}};
  g.initializers["comm"] = random_tensor(DType::kF32, {1, 176});
  g.initializers["zero"] = ints({0});
  g.initializers["one"] = ints({1});
  g.nodes = {make_node("Shape", {"ncomm"}, "shape"), make_node("Slice", {"shape", "zero", "one"}, "batch"),
             make_node("Concat", {"batch", "one"}, "repeats", {{"axis", int64_t(0)}}),
             make_node("Tile", {"comm", "repeats"}, "tiled")};
  g.outputs = {ValueInfo{"tiled", DType::kF32, {}, false}};
  verify_graph(g);
  infer_shapes(g);
  EXPECT_EQ(g.value_info.at("repeats").shape, (Shape{2}));
  EXPECT_EQ(g.value_info.at("tiled").shape, (Shape{kN, 176}));
  infer_shapes(g, {{"N", 3}});
  EXPECT_EQ(g.value_info.at("tiled").shape, (Shape{3, 176}));

  ReferenceExecutor exec(g, DType::kF32);
  const Tensor y = exec.run({{"ncomm", random_tensor(DType::kF32, {3, 384})}}).at("tiled");
  std::vector<double> expected;
  for (int i = 0; i < 3; ++i)
    for (double v : to_doubles(g.initializers["comm"])) expected.push_back(v);
  test::expect_tensor_near(y, {3, 176}, expected, 0.0);
}

// Reshape(x[N,2,3], Concat(Unsqueeze(Gather(Shape(x), 0), [0]), [-1])) gives [N,6].
TEST(SymbolicShapes, ReshapeByGatheredBatch) {
  Graph g;
  g.source = "test";
  g.inputs = {ValueInfo{"x", DType::kF32, {kN, 2, 3}, true}};
  g.initializers["index"] = Tensor::scalar<int64_t>(0);
  g.initializers["axes"] = ints({0});
  g.initializers["rest"] = ints({-1});
  g.nodes = {make_node("Shape", {"x"}, "shape"), make_node("Gather", {"shape", "index"}, "n"),
             make_node("Unsqueeze", {"n", "axes"}, "n1"),
             make_node("Concat", {"n1", "rest"}, "target", {{"axis", int64_t(0)}}),
             make_node("Reshape", {"x", "target"}, "y")};
  g.outputs = {ValueInfo{"y", DType::kF32, {}, false}};
  infer_shapes(g);
  EXPECT_EQ(g.value_info.at("y").shape, (Shape{kN, 6}));
  const Tensor x = random_tensor(DType::kF32, {4, 2, 3});
  test::expect_tensor_near(ReferenceExecutor(g, DType::kF64).run({{"x", x}}).at("y"), {4, 6}, to_doubles(x),
                           0.0);
}

}  // namespace
}  // namespace rankrt
