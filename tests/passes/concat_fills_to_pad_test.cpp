// concat_fills_to_pad: Concat of a computed tensor and constant fills becomes one exact Pad.
#include <limits>

#include "pass_test_util.h"
#include "passes/passes.h"

namespace rankrt::test {
namespace {

TEST(ConcatFillsToPad, DqmTailBecomesOnePadExactAlsoForNaN) {
  GraphBuilder b;
  const std::string z = b.input("z", DType::kF32, {Dim::sym("N"), 1});
  const std::string fill =
      b.node("Expand", {b.constant("eps", Tensor::scalar<float>(1e-7f)), b.node("Shape", {z})}, {}, "add");
  b.output(b.node("Concat", {fill, b.node("Abs", {z})}, {{"axis", int64_t(1)}}, "concat_1"));
  const Graph before = b.build();
  Graph after = before;
  EXPECT_TRUE(concat_fills_to_pad(after));
  EXPECT_TRUE(eliminate_dead_code(after));
  EXPECT_EQ(count_op(after, "Concat"), 0);
  EXPECT_EQ(count_op(after, "Expand"), 0);
  EXPECT_EQ(count_op(after, "Shape"), 0);
  const Node* pad = find_node(after, "Pad");
  ASSERT_TRUE(pad);
  EXPECT_EQ(pad->name, "concat_1");
  EXPECT_EQ(after.initializers.at(pad->inputs[1]).to_int64_vector(), (std::vector<int64_t>{0, 1, 0, 0}));
  EXPECT_EQ(after.initializers.at(pad->inputs[2]).as_double(0), double(1e-7f));
  const std::vector<std::string> sources = passes::source_nodes(*pad);
  EXPECT_EQ(sources, (std::vector<std::string>{"concat_1", "add"}));
  infer_shapes(after);
  EXPECT_EQ(after.value_info.at("concat_1").shape, (Shape{Dim::sym("N"), 2}));
  std::mt19937 rng = fresh_rng();
  Tensor zv = random_tensor(DType::kF32, {6, 1}, rng);
  zv.data<float>()[1] = std::numeric_limits<float>::quiet_NaN();
  zv.data<float>()[2] = -std::numeric_limits<float>::infinity();
  expect_equivalent(before, after, {{"z", zv}}, 0.0);
  for (DType t : {DType::kF32, DType::kF64}) {
    const Tensor out = ReferenceExecutor(after, t).run({{"z", zv}}).at("concat_1");
    for (int64_t r = 0; r < 6; ++r) EXPECT_EQ(out.as_double(2 * r), double(1e-7f));
  }
}

// x [4,3] between fills of 5: ConstantOfShape [4,2] before and Expand(5, [4,1]) after it.
Graph fills_around(float before_value, float after_value, int64_t axis) {
  GraphBuilder b;
  const std::string x = b.input("x", DType::kF32, {4, 3});
  const std::string front =
      b.node("ConstantOfShape", {b.constant("front_shape", Tensor::from_vector<int64_t>({2}, {4, 2}))},
             {{"value", Tensor::from_vector<float>({1}, {before_value})}});
  const std::string back =
      b.node("Expand", {b.constant("five", Tensor::from_vector<float>({1, 1}, {after_value})),
                        b.constant("back_shape", Tensor::from_vector<int64_t>({2}, {4, 1}))});
  b.output(b.node("Concat", {front, b.node("Relu", {x}), back}, {{"axis", axis}}, "concat"));
  return b.build();
}

TEST(ConcatFillsToPad, FillsOnBothSidesAndNegativeAxis) {
  const Graph before = fills_around(5.0f, 5.0f, -1);
  Graph after = before;
  EXPECT_TRUE(concat_fills_to_pad(after));
  eliminate_dead_code(after);
  ASSERT_EQ(count_op(after, "Pad"), 1) << graph_to_string(after);
  const Node* pad = find_node(after, "Pad");
  EXPECT_EQ(after.initializers.at(pad->inputs[1]).to_int64_vector(), (std::vector<int64_t>{0, 2, 0, 1}));
  EXPECT_EQ(after.nodes.size(), 2u);
  std::mt19937 rng = fresh_rng();
  expect_equivalent(before, after, {{"x", random_tensor(DType::kF32, {4, 3}, rng)}}, 0.0);
}

TEST(ConcatFillsToPad, KeepsOtherConcats) {
  Graph different_values = fills_around(5.0f, 6.0f, 1);
  EXPECT_FALSE(concat_fills_to_pad(different_values));
  // Two computed inputs.
  GraphBuilder b;
  const std::string x = b.input("x", DType::kF32, {Dim::sym("N"), 2});
  b.output(b.node("Concat", {b.node("Abs", {x}), b.node("Neg", {x})}, {{"axis", int64_t(1)}}));
  Graph two = b.build();
  EXPECT_FALSE(concat_fills_to_pad(two));
  // A fill whose other dims are not x's (unknown rows: the fill's shape is a graph input).
  GraphBuilder c;
  const std::string y = c.input("y", DType::kF32, {Dim::sym("N"), 2});
  const std::string shape = c.input("shape", DType::kI64, {2});
  const std::string f = c.node("ConstantOfShape", {shape}, {{"value", Tensor::from_vector<float>({1}, {1})}});
  c.output(c.node("Concat", {f, c.node("Abs", {y})}, {{"axis", int64_t(1)}}));
  Graph unknown = c.build();
  EXPECT_FALSE(concat_fills_to_pad(unknown));
}

}  // namespace
}  // namespace rankrt::test
