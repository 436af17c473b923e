// eliminate_identity: pass-through nodes go; look-alikes that change shape or dtype stay.
#include "pass_test_util.h"
#include "passes/passes.h"

namespace rankrt::test {
namespace {

TEST(EliminateIdentity, RemovesPassThroughNodes) {
  GraphBuilder b;
  const std::string x = b.input("x", DType::kF32, {Dim::sym("N"), 4});
  std::string v = b.node("Identity", {x});
  v = b.node("Cast", {v}, {{"to", int64_t(DType::kF32)}});
  v = b.node("Reshape", {v, b.constant("shape", Tensor::from_vector<int64_t>({2}, {-1, 4}))});
  v = b.node("Mul", {b.constant("ones", Tensor::from_vector<float>({4}, {1, 1, 1, 1})), v});
  v = b.node("Add", {v, b.constant("zero", Tensor::scalar<float>(0))});
  v = b.node("Sub", {v, b.constant("zero2", Tensor::scalar<float>(0))});
  v = b.node("Div", {v, b.constant("one", Tensor::scalar<float>(1))});
  b.output(b.node("Identity", {b.node("Tanh", {v})}, {}, "y"));
  const Graph before = b.build();
  Graph after = before;
  EXPECT_TRUE(eliminate_identity(after));
  ASSERT_EQ(after.nodes.size(), 1u);
  EXPECT_EQ(after.nodes[0].op, "Tanh");
  EXPECT_EQ(after.nodes[0].inputs[0], "x");
  EXPECT_EQ(after.nodes[0].outputs[0], "y");  // the graph output keeps its name
  expect_equivalent_random(before, after);
}

TEST(EliminateIdentity, KeepsShapeOrDtypeChanges) {
  GraphBuilder b;
  const std::string x = b.input("x", DType::kF32, {Dim::sym("N"), 1});
  b.output(b.node("Mul", {x, b.constant("ones", Tensor::from_vector<float>({1, 3}, {1, 1, 1}))}));
  b.output(b.node("Cast", {x}, {{"to", int64_t(DType::kF16)}}));
  b.output(b.node("Reshape", {x, b.constant("shape", Tensor::from_vector<int64_t>({1}, {-1}))}));
  b.output(b.node("Identity", {x}, {}, "copy"));
  Graph g = b.build();
  EXPECT_FALSE(eliminate_identity(g));  // an Identity from a graph input to a graph output stays
  EXPECT_EQ(g.nodes.size(), 4u);
}

}  // namespace
}  // namespace rankrt::test
