// layer_table: FLOPs per candidate / per request, fused epilogue, weights.
#include "passes/layer_info.h"

#include "pass_test_util.h"
#include "passes/pipeline.h"

namespace rankrt::test {
namespace {

TEST(LayerInfo, CountsFlopsPerCandidateAndPerRequest) {
  std::mt19937 rng = fresh_rng();
  GraphBuilder b;
  const std::string comm = b.input("comm", DType::kF32, {1, 3});
  const std::string x = b.input("x", DType::kF32, {Dim::sym("N"), 4});
  const std::string row = b.node("MatMul", {comm, b.constant("wc", random_tensor(DType::kF32, {3, 5}, rng))});
  std::string y = b.node("MatMul", {x, b.constant("w", random_tensor(DType::kF32, {4, 5}, rng))});
  y = b.node("Add", {y, row});
  b.output(b.node("Relu", {y}));
  Graph g = b.build();
  optimize(g);
  const std::vector<LayerInfo> layers = layer_table(g);
  double per_candidate = 0, fixed = 0;
  for (const LayerInfo& l : layers) per_candidate += l.flops_per_candidate, fixed += l.flops_fixed;
  EXPECT_EQ(fixed, 2.0 * 3 * 5);                    // the one-row MatMul
  EXPECT_EQ(per_candidate, (2.0 * 4 * 5) + 5 + 5);  // MatMul, Add, Relu (Add/Relu not fused: non-bias Add)
  const LayerInfo* dense = nullptr;
  for (const LayerInfo& l : layers)
    if (l.op == "Dense" && !l.inputs.empty() && l.inputs[0].name == "x") dense = &l;
  ASSERT_TRUE(dense);
  EXPECT_EQ(dense->precision, "fp32");
  EXPECT_EQ(dense->weight_bytes, 4 * 5 * 4);
  EXPECT_EQ(dense->outputs.at(0).shape, (Shape{Dim::sym("N"), 5}));
}

}  // namespace
}  // namespace rankrt::test
