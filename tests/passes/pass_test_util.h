// Test helpers for the optimizer passes: a small graph builder, op counts, random inputs and an
// FP64 equivalence check of a graph before and after a rewrite.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "backends/reference/reference_executor.h"
#include "ops/shape_inference.h"
#include "passes/graph_rewrite.h"

namespace rankrt::test {

// Builds a graph node by node; each node's output value has the node's name.
class GraphBuilder {
 public:
  std::string input(const std::string& name, DType dtype, Shape shape) {
    g_.inputs.push_back(ValueInfo{name, dtype, std::move(shape), true});
    return name;
  }
  std::string constant(const std::string& name, Tensor t) {
    g_.initializers[name] = std::move(t);
    return name;
  }
  std::string node(const std::string& op, std::vector<std::string> inputs, AttributeMap attrs = {},
                   std::string name = "") {
    if (name.empty()) name = op + "_" + std::to_string(g_.nodes.size());
    g_.nodes.push_back(Node{name, op, std::move(inputs), {name}, std::move(attrs)});
    return name;
  }
  void output(const std::string& name) { g_.outputs.push_back(ValueInfo{name, DType::kF32, {}, false}); }
  Graph build() {
    Graph g = g_;
    g.source = "test";
    topological_sort(g);
    verify_graph(g);
    infer_shapes(g);
    return g;
  }

 private:
  Graph g_;
};

inline std::vector<int64_t> dims(std::initializer_list<int64_t> d) { return d; }

// Uniform random values in [lo, hi) with a random sign when `signed_values`; never exactly 0.
inline Tensor random_tensor(DType dtype, std::vector<int64_t> shape, std::mt19937& rng, double lo = 0.1,
                            double hi = 2.0, bool signed_values = true) {
  std::uniform_real_distribution<double> dist(lo, hi);
  std::bernoulli_distribution sign(0.5);
  Tensor t(DType::kF64, std::move(shape));
  for (double& v : t.span<double>()) v = (signed_values && sign(rng) ? -1 : 1) * dist(rng);
  return t.to(dtype);
}

// A generator seeded from the system, its seed printed on failure.
inline std::mt19937 fresh_rng() {
  const uint32_t seed = std::random_device{}();
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  std::printf("random seed %u\n", seed);
  return std::mt19937(seed);
}

inline int count_op(const Graph& g, const std::string& op) {
  return int(std::count_if(g.nodes.begin(), g.nodes.end(), [&](const Node& n) { return n.op == op; }));
}

inline const Node* find_node(const Graph& g, const std::string& op) {
  for (const Node& n : g.nodes)
    if (n.op == op) return &n;
  return nullptr;
}

// Random inputs for every graph input, symbolic dims bound by `bindings`.
inline TensorMap random_inputs(const Graph& g, const SymbolBindings& bindings, std::mt19937& rng) {
  TensorMap inputs;
  for (const ValueInfo& v : g.inputs)
    inputs[v.name] = random_tensor(v.dtype, *concrete_dims(bind_shape(v.shape, bindings)), rng);
  return inputs;
}

// The inputs of `g`: float tensors widened to float64 where `g` declares float64 (a graph from
// promote_to_float64), the rest as given.
inline TensorMap inputs_for(const Graph& g, TensorMap inputs) {
  for (auto& [name, t] : inputs) {
    const ValueInfo* v = g.find_input(name);
    if (v && v->dtype == DType::kF64 && is_float(t.dtype())) t = t.to(DType::kF64);
  }
  return inputs;
}

// Runs both graphs in float64 and checks every output value a (before) against b (after):
// |a - b| <= rel * (max(|a|, |b|) + 1e-3 * scale), scale = the output's largest finite |a| (a
// floor for values near 0, which cancellation leaves with an error relative to the scale). NaN
// must stay NaN. Returns the largest |a - b| / (max(|a|, |b|) + 1e-3 * scale).
inline double expect_equivalent(const Graph& before, const Graph& after, const TensorMap& inputs,
                                double rel = 1e-6) {
  const TensorMap a = ReferenceExecutor(before, DType::kF64).run(inputs_for(before, inputs));
  const TensorMap b = ReferenceExecutor(after, DType::kF64).run(inputs_for(after, inputs));
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (const auto& [name, expected] : a) {
    const Tensor& actual = b.at(name);
    EXPECT_EQ(actual.dims(), expected.dims()) << name;
    if (actual.dims() != expected.dims()) continue;
    double scale = 0;
    for (int64_t i = 0; i < expected.numel(); ++i)
      if (std::isfinite(expected.as_double(i))) scale = std::max(scale, std::fabs(expected.as_double(i)));
    for (int64_t i = 0; i < expected.numel(); ++i) {
      const double e = expected.as_double(i), x = actual.as_double(i);
      if (x == e) continue;
      if (std::isnan(e)) {
        EXPECT_TRUE(std::isnan(x)) << name << "[" << i << "]";
        continue;
      }
      const double err = std::fabs(x - e) / (std::max(std::fabs(e), std::fabs(x)) + 1e-3 * scale);
      EXPECT_LE(err, rel) << name << "[" << i << "]: " << x << " vs " << e;
      worst = std::max(worst, err);
    }
  }
  return worst;
}

// Random inputs with N = `n`, then expect_equivalent.
inline void expect_equivalent_random(const Graph& before, const Graph& after, int64_t n = 7,
                                     double rel = 1e-6) {
  std::mt19937 rng = fresh_rng();
  expect_equivalent(before, after, random_inputs(before, {{"N", n}}, rng), rel);
}

}  // namespace rankrt::test
