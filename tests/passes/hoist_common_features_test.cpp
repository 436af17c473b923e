// hoist_common_features: the broadcast one-row features move to a per-request Dense whose
// [1, M] result is the main Dense's bias, through Casts, batch norm and activations.
#include "pass_test_util.h"
#include "passes/passes.h"
#include "passes/pipeline.h"

namespace rankrt::test {
namespace {

// DQM's front in miniature: Tile(comm, [N, 1]) with N from Shape(ncomm), Concat, Cast to float32,
// batch norm, MatMul, bias, Relu (in float64, so that the folded weights' rounding is negligible). With
// `expand`, Expand(comm, [N, 3]) replaces the Tile and the candidate features come first.
Graph dqm_front(std::mt19937& rng, bool expand) {
  GraphBuilder b;
  const std::string comm = b.input("comm", DType::kF16, {1, 3});
  const std::string ncomm = b.input("ncomm", DType::kF16, {Dim::sym("N"), 4});
  const std::string n =
      b.node("Slice", {b.node("Shape", {ncomm}), b.constant("s0", Tensor::from_vector<int64_t>({1}, {0})),
                       b.constant("e1", Tensor::from_vector<int64_t>({1}, {1}))});
  std::string tiled;
  if (expand) {
    const std::string shape = b.node(
        "Concat", {n, b.constant("three", Tensor::from_vector<int64_t>({1}, {3}))}, {{"axis", int64_t(0)}});
    tiled = b.node("Expand", {comm, shape}, {}, "Expand");
  } else {
    const std::string reps = b.node("Concat", {n, b.constant("one", Tensor::from_vector<int64_t>({1}, {1}))},
                                    {{"axis", int64_t(0)}});
    tiled = b.node("Tile", {comm, reps}, {}, "Tile");
  }
  std::vector<std::string> parts =
      expand ? std::vector<std::string>{ncomm, tiled} : std::vector<std::string>{tiled, ncomm};
  std::string x = b.node("Concat", parts, {{"axis", int64_t(1)}}, "concat");
  x = b.node("Cast", {x}, {{"to", int64_t(DType::kF64)}}, "Cast");
  x = b.node("Mul", {x, b.constant("bn_s", random_tensor(DType::kF64, {7}, rng))}, {}, "bn/mul");
  x = b.node("Add", {x, b.constant("bn_t", random_tensor(DType::kF64, {7}, rng))}, {}, "bn/add");
  std::string y =
      b.node("MatMul", {x, b.constant("w", random_tensor(DType::kF64, {7, 5}, rng))}, {}, "fc1/MatMul");
  y = b.node("Add", {y, b.constant("bias", random_tensor(DType::kF64, {5}, rng))}, {}, "fc1/add");
  b.output(b.node("Relu", {y}, {}, "fc1/relu"));
  return b.build();
}

void expect_hoisted(bool expand) {
  std::mt19937 rng = fresh_rng();
  const Graph before = dqm_front(rng, expand);
  Graph after = before;
  optimize(after);
  EXPECT_EQ(count_op(after, "Tile"), 0) << graph_to_string(after);
  EXPECT_EQ(count_op(after, "Expand"), 0);
  EXPECT_EQ(count_op(after, "Concat"), 0);
  EXPECT_EQ(count_op(after, "Shape"), 0);
  ASSERT_EQ(count_op(after, "Dense"), 2);
  const Node* common = nullptr;
  const Node* main = nullptr;
  for (const Node& n : after.nodes) {
    if (n.op != "Dense") continue;
    (n.name == "fc1/MatMul/common" ? common : main) = &n;
  }
  ASSERT_TRUE(common && main);
  EXPECT_EQ(after.value_info.at(common->outputs[0]).shape, (Shape{1, 5}));
  EXPECT_EQ(main->inputs[2], common->outputs[0]);
  EXPECT_EQ(main->attr_string("activation", ""), "relu");
  EXPECT_EQ(after.initializers.at(main->inputs[1]).dims(), dims({4, 5}));
  EXPECT_EQ(after.initializers.at(common->inputs[1]).dims(), dims({3, 5}));
  for (int64_t n : {1, 9}) expect_equivalent_random(before, after, n);
}

TEST(HoistCommonFeatures, SplitsTiledRowsOutOfTheFirstLayer) { expect_hoisted(false); }
TEST(HoistCommonFeatures, HandlesExpandAfterTheCandidateFeatures) { expect_hoisted(true); }

TEST(HoistCommonFeatures, LeavesPerCandidateConcatsAlone) {
  std::mt19937 rng = fresh_rng();
  GraphBuilder b;
  const std::string a = b.input("a", DType::kF64, {Dim::sym("N"), 2});
  const std::string c = b.input("c", DType::kF64, {Dim::sym("N"), 3});
  const std::string x = b.node("Concat", {a, c}, {{"axis", int64_t(-1)}});
  b.output(b.node("MatMul", {x, b.constant("w", random_tensor(DType::kF64, {5, 2}, rng))}));
  Graph g = b.build();
  fold_affine(g);
  EXPECT_FALSE(hoist_common_features(g));
}

}  // namespace
}  // namespace rankrt::test
