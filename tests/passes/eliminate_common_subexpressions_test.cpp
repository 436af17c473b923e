// eliminate_common_subexpressions: identical initializers and nodes are merged.
#include "pass_test_util.h"
#include "passes/passes.h"

namespace rankrt::test {
namespace {

TEST(EliminateCommonSubexpressions, MergesDuplicates) {
  GraphBuilder b;
  const std::string x = b.input("x", DType::kF32, {Dim::sym("N"), 2});
  const std::string c1 = b.constant("c1", Tensor::from_vector<float>({2}, {0.5f, 3.0f}));
  const std::string c2 = b.constant("c2", Tensor::from_vector<float>({2}, {0.5f, 3.0f}));
  const std::string a = b.node("Sigmoid", {b.node("Mul", {x, c1})});
  const std::string c = b.node("Sigmoid", {b.node("Mul", {x, c2})});
  const std::string d = b.node("Softmax", {x}, {{"axis", int64_t(1)}});
  const std::string e = b.node("Softmax", {x}, {{"axis", int64_t(0)}});
  b.output(b.node("Add", {b.node("Add", {a, c}), b.node("Add", {d, e})}));
  const Graph before = b.build();
  Graph after = before;
  EXPECT_TRUE(eliminate_common_subexpressions(after));
  eliminate_dead_code(after);
  EXPECT_EQ(count_op(after, "Mul"), 1);
  EXPECT_EQ(count_op(after, "Sigmoid"), 1);
  EXPECT_EQ(count_op(after, "Softmax"), 2);  // different attributes
  EXPECT_EQ(after.initializers.size(), 1u);
  expect_equivalent_random(before, after);
}

}  // namespace
}  // namespace rankrt::test
