// fold_affine: MatMul/Gemm -> Dense, affines before and after folded into weights and bias. The
// models are float64 so that the single rounding of the folded weights is below the tolerance.
#include "pass_test_util.h"
#include "passes/passes.h"

namespace rankrt::test {
namespace {

std::vector<std::string> sources(const Node& n) { return passes::source_nodes(n); }

TEST(FoldAffine, FoldsBiasAndBatchNormAfterMatMul) {
  std::mt19937 rng = fresh_rng();
  GraphBuilder b;
  const std::string x = b.input("x", DType::kF64, {Dim::sym("N"), 5});
  std::string y =
      b.node("MatMul", {x, b.constant("w", random_tensor(DType::kF64, {5, 3}, rng))}, {}, "fc/MatMul");
  y = b.node("Add", {y, b.constant("bias", random_tensor(DType::kF64, {3}, rng))}, {}, "fc/add");
  y = b.node("Mul", {b.constant("s", random_tensor(DType::kF64, {1, 3}, rng)), y}, {}, "fc/bn/mul");
  y = b.node("Sub", {y, b.constant("m", random_tensor(DType::kF64, {3}, rng))}, {}, "fc/bn/sub");
  y = b.node("Div", {y, b.constant("d", random_tensor(DType::kF64, {3}, rng))}, {}, "fc/bn/div");
  y = b.node("Sub", {b.constant("t", random_tensor(DType::kF64, {3}, rng)), y}, {}, "fc/bn/neg");
  b.output(b.node("Relu", {y}));
  const Graph before = b.build();
  Graph after = before;
  EXPECT_TRUE(fold_affine(after));
  EXPECT_TRUE(eliminate_dead_code(after));
  ASSERT_EQ(after.nodes.size(), 2u);
  const Node& dense = after.nodes[0];
  EXPECT_EQ(dense.op, "Dense");
  EXPECT_EQ(dense.name, "fc/MatMul");
  EXPECT_EQ(sources(dense), (std::vector<std::string>{"fc/MatMul", "fc/add", "fc/bn/mul", "fc/bn/sub",
                                                      "fc/bn/div", "fc/bn/neg"}));
  expect_equivalent_random(before, after);
}

TEST(FoldAffine, FoldsBatchNormalizationOp) {
  std::mt19937 rng = fresh_rng();
  GraphBuilder b;
  const std::string x = b.input("x", DType::kF64, {Dim::sym("N"), 4});
  std::string y = b.node("MatMul", {x, b.constant("w", random_tensor(DType::kF64, {4, 6}, rng))});
  y = b.node("BatchNormalization",
             {y, b.constant("g", random_tensor(DType::kF64, {6}, rng)),
              b.constant("b", random_tensor(DType::kF64, {6}, rng)),
              b.constant("mean", random_tensor(DType::kF64, {6}, rng)),
              b.constant("var", random_tensor(DType::kF64, {6}, rng, 0.5, 2.0, false))},
             {{"epsilon", 1e-3}});
  b.output(y);
  const Graph before = b.build();
  Graph after = before;
  EXPECT_TRUE(fold_affine(after));
  ASSERT_EQ(after.nodes.size(), 1u);
  EXPECT_EQ(after.nodes[0].op, "Dense");
  expect_equivalent_random(before, after);
}

TEST(FoldAffine, FoldsAffineBeforeMatMulIntoWeights) {
  std::mt19937 rng = fresh_rng();
  GraphBuilder b;
  const std::string x = b.input("x", DType::kF64, {Dim::sym("N"), 4});
  std::string v = b.node("Mul", {b.constant("s", random_tensor(DType::kF64, {4}, rng)), x}, {}, "bn/mul");
  v = b.node("Add", {v, b.constant("t", random_tensor(DType::kF64, {4}, rng))}, {}, "bn/add");
  v = b.node("MatMul", {v, b.constant("w", random_tensor(DType::kF64, {4, 3}, rng))}, {}, "fc/MatMul");
  b.output(b.node("Add", {v, b.constant("bias", random_tensor(DType::kF64, {3}, rng))}, {}, "fc/add"));
  const Graph before = b.build();
  Graph after = before;
  EXPECT_TRUE(fold_affine(after));
  ASSERT_EQ(after.nodes.size(), 1u);
  EXPECT_EQ(after.nodes[0].inputs[0], "x");
  EXPECT_EQ(after.nodes[0].outputs[0], "fc/add");
  expect_equivalent_random(before, after);
}

TEST(FoldAffine, ConvertsGemm) {
  std::mt19937 rng = fresh_rng();
  GraphBuilder b;
  const std::string x = b.input("x", DType::kF64, {Dim::sym("N"), 4});
  b.output(b.node("Gemm",
                  {x, b.constant("w", random_tensor(DType::kF64, {3, 4}, rng)),
                   b.constant("c", random_tensor(DType::kF64, {1, 3}, rng))},
                  {{"transB", int64_t(1)}, {"alpha", 0.5}, {"beta", 2.0}}));
  const Graph before = b.build();
  Graph after = before;
  EXPECT_TRUE(fold_affine(after));
  ASSERT_EQ(count_op(after, "Dense"), 1);
  expect_equivalent_random(before, after);
}

TEST(FoldAffine, LeavesSharedOutputsAndBroadcastsAlone) {
  std::mt19937 rng = fresh_rng();
  GraphBuilder b;
  const std::string x = b.input("x", DType::kF64, {Dim::sym("N"), 4});
  const std::string y = b.node("MatMul", {x, b.constant("w", random_tensor(DType::kF64, {4, 1}, rng))});
  b.output(b.node("Mul", {y, b.constant("s", random_tensor(DType::kF64, {1}, rng))}));
  b.output(b.node("Add", {y, b.constant("wide", random_tensor(DType::kF64, {1, 3}, rng))}));  // broadcasts
  const Graph before = b.build();
  Graph after = before;
  EXPECT_TRUE(fold_affine(after));  // MatMul -> Dense only
  EXPECT_EQ(count_op(after, "Dense"), 1);
  EXPECT_EQ(count_op(after, "Mul"), 1);
  EXPECT_EQ(count_op(after, "Add"), 1);
  expect_equivalent_random(before, after);
}

}  // namespace
}  // namespace rankrt::test
