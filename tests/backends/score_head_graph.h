// A score head whose output cancels: x [N,16] -> Dense(32, dice) -> Dense(1). Hidden columns
// c and c + 16 are equal, and the score weights of c + 16 are -(1 + 1e-4) times those of c, so
// |z| is about 1e-4 of sum |w h|: rounding the hidden values to float32 would leave a relative
// error near 1e-3 in z, the double-precision head leaves ~1e-7.
#pragma once
#include <random>

#include "ir/graph.h"

namespace rankrt::test {

inline Graph cancelling_score_head(std::mt19937& rng) {
  std::uniform_real_distribution<double> u(-1, 1), pos(0.2, 1);
  auto tensor = [](std::vector<int64_t> dims) { return Tensor(DType::kF64, std::move(dims)); };
  Tensor w1 = tensor({16, 32}), b1 = tensor({32}), alpha = tensor({32}), scale = tensor({32}),
         mean = tensor({32});
  Tensor w2 = tensor({32, 1});
  for (int64_t c = 0; c < 16; ++c) {
    for (int64_t i = 0; i < 16; ++i)
      w1.data<double>()[i * 32 + c] = w1.data<double>()[i * 32 + c + 16] = u(rng);
    const double values[4] = {u(rng), pos(rng), pos(rng), u(rng) * 0.1};
    for (int64_t col : {c, c + 16}) {
      b1.data<double>()[col] = values[0];
      alpha.data<double>()[col] = values[1];
      scale.data<double>()[col] = values[2];
      mean.data<double>()[col] = values[3];
    }
    const double w = u(rng);
    w2.data<double>()[c] = w;
    w2.data<double>()[c + 16] = -w * (1 + 1e-4);
  }
  Graph g;
  g.source = "score-head-test";
  g.inputs.push_back({"x", DType::kF32, {Dim::sym("N"), 16}, true});
  g.initializers["w1"] = w1.to(DType::kF32);
  g.initializers["b1"] = b1.to(DType::kF32);
  g.initializers["alpha"] = alpha.to(DType::kF32);
  g.initializers["scale"] = scale.to(DType::kF32);
  g.initializers["mean"] = mean.to(DType::kF32);
  g.initializers["w2"] = w2.to(DType::kF32);
  g.nodes.push_back({"hidden",
                     "Dense",
                     {"x", "w1", "b1", "alpha", "scale", "mean"},
                     {"h"},
                     {{"activation", std::string("dice")}}});
  g.nodes.push_back({"score", "Dense", {"h", "w2"}, {"z"}, {}});
  g.outputs.push_back({"z", DType::kF32, {}, false});
  return g;
}

}  // namespace rankrt::test
