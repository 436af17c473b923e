// Dense test graphs: one layer X [N,K] -> Dense(activation, bias form) -> Y, and a layer whose
// bias row is computed from common features.
#pragma once
#include <random>
#include <string>

#include "backends/cpu_test_util.h"

namespace rankrt::test {

// How a Dense layer gets its bias.
enum class Bias { kNone, kColumn, kRow, kFull, kScalar };

// X [N,K] (graph input) -> Dense -> Y; the weight and parameters are initializers, a [1,M]
// row bias or a [N,M] full bias is a graph input.
inline Graph dense_graph(int64_t k, int64_t m, const std::string& act, Bias bias, std::mt19937& rng) {
  Graph g;
  g.source = "dense-test";
  g.inputs.push_back({"x", DType::kF32, {Dim::sym("N"), k}, true});
  g.initializers["w"] = random_tensor(rng, DType::kF32, {k, m}, -0.2, 0.2);
  Node n{"dense", "Dense", {"x", "w", ""}, {"y"}, {{"activation", act}}};
  if (bias != Bias::kNone) n.inputs[2] = "b";
  if (bias == Bias::kColumn) g.initializers["b"] = random_tensor(rng, DType::kF32, {m});
  if (bias == Bias::kScalar) g.initializers["b"] = random_tensor(rng, DType::kF32, {});
  if (bias == Bias::kRow) g.inputs.push_back({"b", DType::kF32, {1, m}, true});
  if (bias == Bias::kFull) g.inputs.push_back({"b", DType::kF32, {Dim::sym("N"), m}, true});
  const int params = act == "prelu" ? 1 : act == "dice" ? 3 : 0;
  for (int p = 0; p < params; ++p) {
    const std::string name = "p" + std::to_string(p);
    // Per-column [M], [1,M] and scalar parameters.
    const std::vector<int64_t> dims = p == 0   ? std::vector<int64_t>{m}
                                      : p == 1 ? std::vector<int64_t>{1, m}
                                               : std::vector<int64_t>{};
    g.initializers[name] = random_tensor(rng, DType::kF32, dims, 0.1, 1.0);
    n.inputs.push_back(name);
  }
  g.nodes.push_back(n);
  g.outputs.push_back({"y", DType::kF32, {}, false});
  return g;
}

// A hoisted common-feature layer: comm [1,24] (float16) -> Dense -> row [1,32], the bias row of
// Dense(x [N,16] (float16), prelu) -> y.
inline Graph common_feature_graph(std::mt19937& rng) {
  Graph g;
  g.source = "common-test";
  g.inputs.push_back({"comm", DType::kF16, {1, 24}, true});
  g.inputs.push_back({"x", DType::kF16, {Dim::sym("N"), 16}, true});
  g.initializers["wc"] = random_tensor(rng, DType::kF32, {24, 32}, -0.3, 0.3);
  g.initializers["bc"] = random_tensor(rng, DType::kF32, {32});
  g.initializers["wx"] = random_tensor(rng, DType::kF32, {16, 32}, -0.3, 0.3);
  g.initializers["alpha"] = random_tensor(rng, DType::kF32, {32}, 0.1, 0.5);
  g.nodes.push_back({"comm_cast", "Cast", {"comm"}, {"commf"}, {{"to", int64_t(DType::kF32)}}});
  g.nodes.push_back({"x_cast", "Cast", {"x"}, {"xf"}, {{"to", int64_t(DType::kF32)}}});
  g.nodes.push_back({"common", "Dense", {"commf", "wc", "bc"}, {"row"}, {}});
  g.nodes.push_back(
      {"fc", "Dense", {"xf", "wx", "row", "alpha"}, {"y"}, {{"activation", std::string("prelu")}}});
  g.outputs.push_back({"y", DType::kF32, {}, false});
  return g;
}

}  // namespace rankrt::test
