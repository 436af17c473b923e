// eliminate_dead_code: unreachable nodes and unused initializers go, graph inputs stay.
#include "pass_test_util.h"
#include "passes/passes.h"

namespace rankrt::test {
namespace {

TEST(EliminateDeadCode, RemovesUnreachableNodesAndInitializers) {
  GraphBuilder b;
  const std::string x = b.input("x", DType::kF32, {Dim::sym("N"), 3});
  b.input("unused_input", DType::kF32, {2});
  const std::string w = b.constant("w", Tensor::from_vector<float>({3}, {1.5f, -2.0f, 0.25f}));
  b.constant("orphan", Tensor::from_vector<float>({1}, {3.0f}));
  b.node("Sigmoid", {b.node("Mul", {x, w})}, {}, "dead_tail");
  b.output(b.node("Abs", {x}));
  const Graph before = b.build();
  Graph after = before;
  EXPECT_TRUE(eliminate_dead_code(after));
  ASSERT_EQ(after.nodes.size(), 1u);
  EXPECT_EQ(after.nodes[0].op, "Abs");
  EXPECT_TRUE(after.initializers.empty());
  EXPECT_EQ(after.inputs.size(), 2u);
  EXPECT_FALSE(eliminate_dead_code(after));
  expect_equivalent_random(before, after);
}

}  // namespace
}  // namespace rankrt::test
