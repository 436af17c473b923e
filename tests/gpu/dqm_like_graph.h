// A small DQM-shaped graph for GPU tests: per-candidate features x [N, 24] joined with common
// features comm [1, 8] expanded to every candidate, a Dense tower with Dice and a sigmoid score;
// and a CUDA engine for it.
#pragma once
#include "gpu/gpu_test_util.h"

namespace rankrt::test {

inline Graph dqm_like_graph(std::mt19937& rng) {
  Graph g;
  g.source = "dqm-like";
  g.inputs.push_back({"x", DType::kF32, {Dim::sym("N"), 24}, true});
  g.inputs.push_back({"comm", DType::kF32, {1, 8}, true});
  g.initializers["w1"] = random_tensor(rng, DType::kF32, {32, 64}, -0.3, 0.3);
  g.initializers["b1"] = random_tensor(rng, DType::kF32, {64});
  g.initializers["w2"] = random_tensor(rng, DType::kF32, {64, 16}, -0.3, 0.3);
  g.initializers["b2"] = random_tensor(rng, DType::kF32, {16});
  g.initializers["w3"] = random_tensor(rng, DType::kF32, {16, 1}, -0.3, 0.3);
  g.initializers["b3"] = random_tensor(rng, DType::kF32, {1});
  for (const char* p : {"d0", "d1", "d2"})
    g.initializers[p] = random_tensor(rng, DType::kF32, {16}, 0.1, 1.0);
  // comm broadcast to [N, 8] through a shape computed from x (skipped by the CUDA lowering).
  g.initializers["zero"] = Tensor::from_vector<int64_t>({1}, {0});
  g.initializers["one"] = Tensor::from_vector<int64_t>({1}, {1});
  g.initializers["eight"] = Tensor::from_vector<int64_t>({1}, {8});
  g.nodes.push_back({"shape", "Shape", {"x"}, {"x_shape"}, {}});
  g.nodes.push_back({"rows", "Slice", {"x_shape", "zero", "one"}, {"n"}, {}});
  g.nodes.push_back({"target", "Concat", {"n", "eight"}, {"comm_shape"}, {{"axis", int64_t(0)}}});
  g.nodes.push_back({"expand", "Expand", {"comm", "comm_shape"}, {"comm_n"}, {}});
  g.nodes.push_back({"concat", "Concat", {"x", "comm_n"}, {"joined"}, {{"axis", int64_t(1)}}});
  g.nodes.push_back({"fc1", "Dense", {"joined", "w1", "b1"}, {"h1"}, {{"activation", std::string("relu")}}});
  g.nodes.push_back(
      {"fc2", "Dense", {"h1", "w2", "b2", "d0", "d1", "d2"}, {"h2"}, {{"activation", std::string("dice")}}});
  g.nodes.push_back({"fc3", "Dense", {"h2", "w3", "b3"}, {"logit"}, {}});
  g.nodes.push_back({"score", "Sigmoid", {"logit"}, {"y"}, {}});
  g.outputs.push_back({"y", DType::kF32, {}, false});
  return g;
}

// A CUDA engine for the dqm-like graph serving 1..256 candidates; graph_buckets: power-of-two
// CUDA graph buckets instead of one graph per row count.
inline std::unique_ptr<Engine> dqm_like_cuda_engine(const Graph& g, bool graph_buckets) {
  EngineOptions options;
  options.backend = "cuda";
  options.profile = {1, 256, 256};
  options.graph_buckets = graph_buckets;
  return build_engine(g, options);
}

}  // namespace rankrt::test
