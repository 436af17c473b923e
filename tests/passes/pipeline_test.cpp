// The pipeline: pass names, disabling passes, rejecting unknown names.
#include "passes/pipeline.h"

#include "pass_test_util.h"

namespace rankrt::test {
namespace {

Graph small_mlp(std::mt19937& rng) {
  GraphBuilder b;
  const std::string x = b.input("x", DType::kF32, {Dim::sym("N"), 4});
  std::string y = b.node("MatMul", {x, b.constant("w", random_tensor(DType::kF32, {4, 3}, rng))});
  y = b.node("Add", {y, b.constant("bias", random_tensor(DType::kF32, {3}, rng))});
  b.output(b.node("Sigmoid", {y}));
  return b.build();
}

TEST(Pipeline, ListsPassesInOrder) {
  const std::vector<std::string> names = pass_names();
  ASSERT_EQ(names.size(), 10u);
  EXPECT_EQ(names.front(), "fold_constants");
  EXPECT_EQ(names.back(), "eliminate_dead_code");
}

TEST(Pipeline, OptimizesAndHonoursDisabledPasses) {
  std::mt19937 rng = fresh_rng();
  const Graph before = small_mlp(rng);
  Graph all = before;
  optimize(all);
  ASSERT_EQ(all.nodes.size(), 1u);
  EXPECT_EQ(all.nodes[0].attr_string("activation", ""), "sigmoid");
  EXPECT_FALSE(all.value_info.empty());
  expect_equivalent_random(before, all);

  Graph no_fusion = before;
  optimize(no_fusion, {{"fuse_activation"}});
  EXPECT_EQ(no_fusion.nodes.size(), 2u);
  expect_equivalent_random(before, no_fusion);
}

TEST(Pipeline, RejectsUnknownPass) {
  std::mt19937 rng = fresh_rng();
  Graph g = small_mlp(rng);
  try {
    optimize(g, {{"fold_everything"}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("fold_everything"), std::string::npos);
  }
}

}  // namespace
}  // namespace rankrt::test
