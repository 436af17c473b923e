// fuse_post_ops: Abs / Neg and scalar Add / Sub / Mul / Div after a Dense become its post-ops,
// applied after the activation; equivalence in FP64 on fresh random inputs.
#include "pass_test_util.h"
#include "passes/layer_info.h"
#include "passes/passes.h"
#include "passes/pipeline.h"

namespace rankrt::test {
namespace {

std::string scalar(GraphBuilder& b, const std::string& name, float v, std::vector<int64_t> dims = {}) {
  return b.constant(name, Tensor::from_vector<float>(dims, {v}));
}

// x [N,5] -> Dense(w, b, activation) -> y.
std::string dense(GraphBuilder& b, const std::string& activation, std::mt19937& rng) {
  const std::string x = b.input("x", DType::kF32, {Dim::sym("N"), 5});
  const std::string w = b.constant("w", random_tensor(DType::kF32, {5, 3}, rng));
  const std::string bias = b.constant("b", random_tensor(DType::kF32, {3}, rng));
  return b.node("Dense", {x, w, bias}, {{"activation", activation}}, "fc");
}

TEST(FusePostOps, EveryOpAndOperandOrder) {
  std::mt19937 rng = fresh_rng();
  GraphBuilder b;
  std::string y = dense(b, "relu", rng);
  y = b.node("Abs", {y});
  y = b.node("Sub", {scalar(b, "c1", 0.5f), y});  // rsub
  y = b.node("Div", {y, scalar(b, "c2", 3.0f, {1, 1})});
  y = b.node("Neg", {y});
  y = b.node("Div", {scalar(b, "c3", 2.0f, {1}), y});  // rdiv
  y = b.node("Mul", {scalar(b, "c4", -1.5f), y});
  y = b.node("Add", {y, scalar(b, "c5", 1e-7f)});
  b.output(b.node("Sub", {y, scalar(b, "c6", 0.25f)}, {}, "score"));
  const Graph before = b.build();
  Graph after = before;
  EXPECT_TRUE(fuse_post_ops(after));
  ASSERT_EQ(after.nodes.size(), 1u) << graph_to_string(after);
  const Node& fused = after.nodes[0];
  EXPECT_EQ(fused.name, "fc");
  EXPECT_EQ(fused.outputs[0], "score");
  EXPECT_EQ(fused.attr_string("activation", ""), "relu");
  EXPECT_EQ(std::get<std::vector<std::string>>(fused.attrs.at("post_ops")),
            (std::vector<std::string>{"abs", "rsub", "div", "neg", "rdiv", "mul", "add", "sub"}));
  EXPECT_EQ(std::get<std::vector<double>>(fused.attrs.at("post_values")),
            (std::vector<double>{0, 0.5, 3, 0, 2, -1.5, double(1e-7f), 0.25}));
  EXPECT_EQ(passes::source_nodes(fused).size(), 9u);
  expect_equivalent_random(before, after);
  infer_shapes(after);
  EXPECT_EQ(layer_table(after)[0].fused, (std::vector<std::string>{"bias", "relu", "abs", "rsub", "div",
                                                                   "neg", "rdiv", "mul", "add", "sub"}));
}

TEST(FusePostOps, OnlyClosedChainsOfOneElementConstants) {
  std::mt19937 rng = fresh_rng();
  {  // The Dense output is also a graph output.
    GraphBuilder b;
    const std::string y = dense(b, "none", rng);
    b.output(y);
    b.output(b.node("Abs", {y}));
    Graph g = b.build();
    EXPECT_FALSE(fuse_post_ops(g));
  }
  {  // Read twice, a per-column constant, two activations.
    GraphBuilder b;
    const std::string y = dense(b, "none", rng);
    b.output(b.node("Add", {y, b.constant("cols", random_tensor(DType::kF32, {3}, rng))}));
    b.output(b.node("Mul", {y, y}));
    Graph g = b.build();
    EXPECT_FALSE(fuse_post_ops(g));
  }
  {  // A one-element constant of higher rank would broadcast y to [1, N, 3].
    GraphBuilder b;
    const std::string y = dense(b, "none", rng);
    b.output(b.node("Add", {y, scalar(b, "c", 1.0f, {1, 1, 1})}));
    Graph g = b.build();
    EXPECT_FALSE(fuse_post_ops(g));
  }
}

TEST(FusePostOps, PipelineKeepsActivationsAndAffinesInOrder) {
  std::mt19937 rng = fresh_rng();
  GraphBuilder b;
  const std::string x = b.input("x", DType::kF32, {Dim::sym("N"), 5});
  std::string y = b.node("MatMul", {x, b.constant("w", random_tensor(DType::kF32, {5, 3}, rng))});
  y = b.node("Mul", {y, scalar(b, "s", 2.0f)});  // an affine: folds into the weights
  y = b.node("Abs", {y});
  y = b.node("Relu", {y});  // after a post-op: stays a node
  b.output(b.node("Add", {y, scalar(b, "t", 1.0f)}));
  const Graph before = b.build();
  Graph after = before;
  optimize(after);
  ASSERT_EQ(count_op(after, "Dense"), 1) << graph_to_string(after);
  EXPECT_EQ(count_op(after, "Relu"), 1);
  EXPECT_EQ(count_op(after, "Add"), 1);
  EXPECT_EQ(count_op(after, "Mul"), 0);
  const Node* d = find_node(after, "Dense");
  EXPECT_EQ(d->attr_string("activation", ""), "none");
  EXPECT_EQ(std::get<std::vector<std::string>>(d->attrs.at("post_ops")), (std::vector<std::string>{"abs"}));
  expect_equivalent_random(before, after);
}

}  // namespace
}  // namespace rankrt::test
