// fuse_activation: every supported activation spelling after MatMul + bias folds into one Dense.
#include <functional>

#include "pass_test_util.h"
#include "passes/passes.h"

namespace rankrt::test {
namespace {

constexpr int64_t kCols = 6;

using Pattern = std::function<std::string(GraphBuilder&, const std::string& y, std::mt19937& rng)>;

std::string col(GraphBuilder& b, const std::string& name, std::mt19937& rng,
                std::vector<int64_t> shape = {kCols}) {
  return b.constant(name, random_tensor(DType::kF32, std::move(shape), rng));
}
std::string scalar(GraphBuilder& b, const std::string& name, float v) {
  return b.constant(name, Tensor::scalar<float>(v));
}

// x -> MatMul -> Add(bias) -> pattern; returns the graph before optimisation.
Graph dense_with(const Pattern& pattern, std::mt19937& rng) {
  GraphBuilder b;
  const std::string x = b.input("x", DType::kF32, {Dim::sym("N"), 5});
  std::string y = b.node("MatMul", {x, col(b, "w", rng, {5, kCols})}, {}, "fc/MatMul");
  y = b.node("Add", {y, col(b, "bias", rng)}, {}, "fc/add");
  b.output(pattern(b, y, rng));
  return b.build();
}

void expect_fused(const Pattern& pattern, const std::string& activation) {
  std::mt19937 rng = fresh_rng();
  const Graph before = dense_with(pattern, rng);
  Graph after = before;
  fold_affine(after);
  EXPECT_TRUE(fuse_activation(after));
  eliminate_dead_code(after);
  ASSERT_EQ(after.nodes.size(), 1u) << graph_to_string(after);
  EXPECT_EQ(after.nodes[0].attr_string("activation", ""), activation);
  EXPECT_EQ(after.nodes[0].name, "fc/MatMul");
  EXPECT_EQ(after.nodes[0].outputs[0], before.outputs[0].name);
  expect_equivalent_random(before, after);
}

TEST(FuseActivation, SingleOps) {
  expect_fused([](GraphBuilder& b, const std::string& y, std::mt19937&) { return b.node("Relu", {y}); },
               "relu");
  expect_fused([](GraphBuilder& b, const std::string& y, std::mt19937&) { return b.node("Sigmoid", {y}); },
               "sigmoid");
  expect_fused([](GraphBuilder& b, const std::string& y, std::mt19937&) { return b.node("Tanh", {y}); },
               "tanh");
  expect_fused(
      [](GraphBuilder& b, const std::string& y, std::mt19937&) {
        return b.node("LeakyRelu", {y}, {{"alpha", 0.2}});
      },
      "prelu");
  expect_fused(
      [](GraphBuilder& b, const std::string& y, std::mt19937& rng) {
        return b.node("PRelu", {y, col(b, "slope", rng)});
      },
      "prelu");
}

TEST(FuseActivation, PReluAsMaxMin) {
  // max(0, y) + a * min(0, y), in both operand orders.
  expect_fused(
      [](GraphBuilder& b, const std::string& y, std::mt19937& rng) {
        const std::string mx = b.node("Max", {scalar(b, "zero", 0), y});
        const std::string mn = b.node("Min", {scalar(b, "zero2", 0), y});
        return b.node("Add", {mx, b.node("Mul", {col(b, "alpha", rng), mn})});
      },
      "prelu");
  expect_fused(
      [](GraphBuilder& b, const std::string& y, std::mt19937& rng) {
        const std::string mx = b.node("Max", {y, scalar(b, "zero", 0)});
        const std::string mn = b.node("Min", {y, scalar(b, "zero2", 0)});
        return b.node("Add", {b.node("Mul", {mn, col(b, "alpha", rng, {1, kCols})}), mx});
      },
      "prelu");
}

TEST(FuseActivation, Dice) {
  // DQM's spelling: p = sigmoid(rs * (y - mean)); alpha * ((1 - p) * y) + p * y; and a regrouping.
  for (bool regroup : {false, true}) {
    expect_fused(
        [regroup](GraphBuilder& b, const std::string& y, std::mt19937& rng) {
          const std::string centered = b.node("Sub", {y, col(b, "mean", rng)});
          const std::string p = b.node("Sigmoid", {b.node("Mul", {col(b, "rs", rng), centered})});
          const std::string one_minus = b.node("Sub", {scalar(b, "one", 1), p});
          const std::string alpha = col(b, "alpha", rng, {1, kCols});
          const std::string left = regroup ? b.node("Mul", {b.node("Mul", {alpha, one_minus}), y})
                                           : b.node("Mul", {alpha, b.node("Mul", {one_minus, y})});
          return b.node("Add", {left, b.node("Mul", {p, y})});
        },
        "dice");
  }
}

TEST(FuseActivation, Swish) {
  expect_fused(
      [](GraphBuilder& b, const std::string& y, std::mt19937&) {
        return b.node("Mul", {b.node("Sigmoid", {y}), y});
      },
      "swish");
}

TEST(FuseActivation, GeluErf) {
  expect_fused(
      [](GraphBuilder& b, const std::string& y, std::mt19937&) {
        const std::string e = b.node("Erf", {b.node("Div", {y, scalar(b, "sqrt2", float(std::sqrt(2.0)))})});
        const std::string one_plus = b.node("Add", {e, scalar(b, "one", 1)});
        return b.node("Mul", {b.node("Mul", {y, one_plus}), scalar(b, "half", 0.5f)});
      },
      "gelu");
  expect_fused(
      [](GraphBuilder& b, const std::string& y, std::mt19937&) {
        const std::string e =
            b.node("Erf", {b.node("Mul", {y, scalar(b, "rsqrt2", float(1 / std::sqrt(2.0)))})});
        const std::string one_plus = b.node("Add", {scalar(b, "one", 1), e});
        return b.node("Mul", {b.node("Mul", {scalar(b, "half", 0.5f), y}), one_plus});
      },
      "gelu");
}

TEST(FuseActivation, GeluTanh) {
  expect_fused(
      [](GraphBuilder& b, const std::string& y, std::mt19937&) {
        const std::string cube = b.node("Pow", {y, scalar(b, "three", 3)});
        const std::string sum = b.node("Add", {y, b.node("Mul", {scalar(b, "c", 0.044715f), cube})});
        const std::string t =
            b.node("Tanh", {b.node("Mul", {sum, scalar(b, "k", float(std::sqrt(2 / M_PI)))})});
        const std::string one_plus = b.node("Add", {t, scalar(b, "one", 1)});
        return b.node("Mul", {y, b.node("Mul", {scalar(b, "half", 0.5f), one_plus})});
      },
      "gelu_tanh");
}

TEST(FuseActivation, SkipsSharedIntermediates) {
  std::mt19937 rng = fresh_rng();
  // The Dense output is also a graph output: fusing would change it.
  GraphBuilder b;
  const std::string x = b.input("x", DType::kF32, {Dim::sym("N"), 5});
  const std::string y = b.node("MatMul", {x, col(b, "w", rng, {5, kCols})});
  b.output(b.node("Relu", {y}));
  b.output(y);
  // A PReLU whose min branch is also read elsewhere.
  const std::string z = b.node("MatMul", {x, col(b, "w2", rng, {5, kCols})});
  const std::string mn = b.node("Min", {scalar(b, "zero", 0), z});
  b.output(
      b.node("Add", {b.node("Max", {scalar(b, "zero2", 0), z}), b.node("Mul", {col(b, "alpha", rng), mn})}));
  b.output(b.node("Abs", {mn}));
  Graph g = b.build();
  fold_affine(g);
  EXPECT_FALSE(fuse_activation(g));
}

}  // namespace
}  // namespace rankrt::test
