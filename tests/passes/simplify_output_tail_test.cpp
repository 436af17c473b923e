// simplify_output_tail: ZerosLike(z) + c (ConstantOfShape(Shape(z)) + c) becomes one exact fill.
#include <limits>

#include "pass_test_util.h"
#include "passes/passes.h"

namespace rankrt::test {
namespace {

TEST(SimplifyOutputTail, FoldsTheAddendIntoTheFill) {
  GraphBuilder b;
  const std::string z = b.input("z", DType::kF32, {Dim::sym("N"), 1});
  const std::string zeros =
      b.node("ConstantOfShape", {b.node("Shape", {z})}, {{"value", Tensor(DType::kF32, {1})}}, "zeros_like");
  const std::string eps = b.node("Add", {zeros, b.constant("eps", Tensor::scalar<float>(1e-7f))}, {}, "add");
  b.output(b.node("Concat", {eps, b.node("Abs", {z})}, {{"axis", int64_t(1)}}, "concat_1"));
  const Graph before = b.build();
  Graph after = before;
  EXPECT_TRUE(simplify_output_tail(after));
  EXPECT_TRUE(eliminate_dead_code(after));
  EXPECT_EQ(count_op(after, "ConstantOfShape"), 0);
  EXPECT_EQ(count_op(after, "Add"), 0);
  const Node* fill = find_node(after, "Expand");
  ASSERT_TRUE(fill);
  EXPECT_EQ(fill->name, "add");
  EXPECT_EQ(after.initializers.at(fill->inputs[0]).as_double(0), double(1e-7f));
  // Exact, NaN and Inf in z included.
  std::mt19937 rng = fresh_rng();
  Tensor zv = random_tensor(DType::kF32, {5, 1}, rng);
  zv.data<float>()[1] = std::numeric_limits<float>::quiet_NaN();
  zv.data<float>()[2] = std::numeric_limits<float>::infinity();
  expect_equivalent(before, after, {{"z", zv}}, 0.0);
  for (DType t : {DType::kF32, DType::kF64}) {
    const TensorMap out = ReferenceExecutor(after, t).run({{"z", zv}});
    for (int64_t r = 0; r < 5; ++r) EXPECT_EQ(out.at("concat_1").as_double(2 * r), double(1e-7f));
  }
}

}  // namespace
}  // namespace rankrt::test
