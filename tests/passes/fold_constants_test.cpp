// fold_constants: constant subgraphs become initializers rounded once to their dtype; shape
// subgraphs resolve from inferred shapes.
#include "pass_test_util.h"
#include "passes/passes.h"

namespace rankrt::test {
namespace {

TEST(FoldConstants, EvaluatesConstantChainsInFloat64) {
  std::mt19937 rng = fresh_rng();
  GraphBuilder b;
  const std::string x = b.input("x", DType::kF32, {Dim::sym("N"), 4});
  const Tensor var = random_tensor(DType::kF32, {4}, rng, 0.5, 2.0, false);
  const Tensor gamma = random_tensor(DType::kF32, {4}, rng);
  const std::string rsqrt = b.node("Reciprocal", {b.node("Sqrt", {b.constant("var", var)})});
  const std::string scale = b.node("Mul", {rsqrt, b.constant("gamma", gamma)}, {}, "scale");
  b.output(b.node("Mul", {x, scale}));
  const Graph before = b.build();
  Graph after = before;
  EXPECT_TRUE(fold_constants(after));
  ASSERT_EQ(after.nodes.size(), 1u);
  const Tensor& folded = after.initializers.at("scale");
  for (int64_t i = 0; i < 4; ++i) {
    const double expected = double(float(1 / std::sqrt(var.as_double(i)) * gamma.as_double(i)));
    EXPECT_EQ(folded.as_double(i), expected);
  }
  EXPECT_FALSE(fold_constants(after));
  expect_equivalent_random(before, after);
}

TEST(FoldConstants, RoundsToTheDeclaredDtype) {
  std::mt19937 rng = fresh_rng();
  GraphBuilder b;
  const std::string x = b.input("x", DType::kF16, {8});
  const Tensor p = random_tensor(DType::kF16, {8}, rng), q = random_tensor(DType::kF16, {8}, rng);
  const std::string prod = b.node("Mul", {b.constant("p", p), b.constant("q", q)}, {}, "prod");
  b.output(b.node("Add", {x, prod}));
  Graph g = b.build();
  EXPECT_TRUE(fold_constants(g));
  const Tensor& folded = g.initializers.at("prod");
  ASSERT_EQ(folded.dtype(), DType::kF16);
  for (int64_t i = 0; i < 8; ++i) {
    const double exact = p.as_double(i) * q.as_double(i);
    EXPECT_EQ(folded.as_double(i), Tensor::scalar<double>(exact).to(DType::kF16).as_double(0));
  }
}

TEST(FoldConstants, ResolvesShapesOfKnownDims) {
  GraphBuilder b;
  const std::string comm = b.input("comm", DType::kF32, {1, 3});
  const std::string ncomm = b.input("ncomm", DType::kF32, {Dim::sym("N"), 6});
  const std::string comm_shape = b.node("Shape", {comm}, {}, "comm_shape");
  b.output(b.node(
      "Reshape",
      {ncomm, b.node("Concat",
                     {b.constant("minus1", Tensor::from_vector<int64_t>({1}, {-1})),
                      b.node("Slice", {comm_shape, b.constant("s", Tensor::from_vector<int64_t>({1}, {1})),
                                       b.constant("e", Tensor::from_vector<int64_t>({1}, {2}))})},
                     {{"axis", int64_t(0)}})}));
  // Symbolic: Tile repeats [N, 1] from Shape(ncomm) stay computed but resolve symbolically.
  const std::string n =
      b.node("Slice", {b.node("Shape", {ncomm}), b.constant("s0", Tensor::from_vector<int64_t>({1}, {0})),
                       b.constant("e1", Tensor::from_vector<int64_t>({1}, {1}))});
  const std::string reps = b.node("Concat", {n, b.constant("one", Tensor::from_vector<int64_t>({1}, {1}))},
                                  {{"axis", int64_t(0)}}, "reps");
  b.output(b.node("Tile", {comm, reps}, {}, "tiled"));
  const Graph before = b.build();
  Graph after = before;
  EXPECT_TRUE(fold_constants(after));
  EXPECT_EQ(count_op(after, "Reshape"), 1);
  EXPECT_EQ(after.initializers.count("comm_shape"), 1u);
  EXPECT_EQ(count_op(after, "Tile"), 1);
  const auto states = infer_value_states(after);
  ASSERT_TRUE(states.at("reps").shape_value.has_value());
  EXPECT_EQ(*states.at("reps").shape_value, (Shape{Dim::sym("N"), 1}));
  EXPECT_EQ(after.value_info.size(), before.value_info.size());
  expect_equivalent_random(before, after);
}

// PyTorch's user.expand(item.shape[0], -1): s = Reshape(Concat(Unsqueeze(Gather(Shape(item), 0)),
// [-1]), [-1]) = [N, -1], then Expand(user, Where(Equal(s, -1 * ones), ones, s)). Folding makes the
// ones and the -1s constants; Equal(N, -1) is false (N is a size), so Where picks N, and Expand,
// broadcasting [1, 16] (the unknown second element must be 1 or 16), gives [N, 16].
TEST(FoldConstants, ResolvesPyTorchExpandShape) {
  GraphBuilder b;
  const std::string user = b.input("user", DType::kF32, {1, 16});
  const std::string item = b.input("item", DType::kF32, {Dim::sym("N"), 24});
  const std::string n =
      b.node("Gather", {b.node("Shape", {item}), b.constant("zero", Tensor::scalar<int64_t>(0))},
             {{"axis", int64_t(0)}});
  const Tensor minus1 = Tensor::from_vector<int64_t>({1}, {-1});
  const std::string s =
      b.node("Reshape",
             {b.node("Concat",
                     {b.node("Unsqueeze", {n, b.constant("axes", Tensor::from_vector<int64_t>({1}, {0}))}),
                      b.constant("minus1", minus1)},
                     {{"axis", int64_t(0)}}),
              b.constant("flat", minus1)},
             {}, "s");
  const std::string ones = b.node("ConstantOfShape", {b.node("Shape", {s})},
                                  {{"value", Tensor::from_vector<int64_t>({1}, {1})}}, "ones");
  const std::string eq =
      b.node("Equal", {s, b.node("Mul", {ones, b.constant("m1", Tensor::scalar<int64_t>(-1))})}, {}, "eq");
  const std::string target = b.node("Where", {eq, ones, s}, {}, "target");
  b.output(
      b.node("Concat", {b.node("Expand", {user, target}, {}, "expanded"), item}, {{"axis", int64_t(1)}}));
  const Graph before = b.build();
  EXPECT_EQ(before.value_info.at("expanded").shape, (Shape{Dim(), 16}));  // the -1s are not known yet
  Graph after = before;
  while (fold_constants(after)) {
  }
  EXPECT_EQ(count_op(after, "ConstantOfShape"), 0);
  EXPECT_EQ(count_op(after, "Mul"), 0);
  const auto states = infer_value_states(after);
  EXPECT_EQ(states.at("eq").shape_value, (Shape{0, Dim()}));
  EXPECT_EQ(states.at("target").shape_value, (Shape{Dim::sym("N"), Dim()}));
  EXPECT_EQ(states.at("expanded").shape, (Shape{Dim::sym("N"), 16}));
  expect_equivalent_random(before, after);
}

}  // namespace
}  // namespace rankrt::test
