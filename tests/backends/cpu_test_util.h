// CPU backend test helpers: random tensors, relative error, and a run against the FP64
// reference executor.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "backends/reference/reference_executor.h"
#include "ops/shape_inference.h"
#include "runtime/engine.h"

namespace rankrt::test {

inline Tensor random_tensor(std::mt19937& rng, DType dtype, std::vector<int64_t> dims, double lo = -1,
                            double hi = 1) {
  std::uniform_real_distribution<double> u(lo, hi);
  Tensor t(DType::kF64, std::move(dims));
  for (double& v : t.span<double>()) v = u(rng);
  return t.to(dtype);
}

// max |a-b| / max(|b|, floor) over all elements (NaN must match NaN).
inline double max_rel_error(const Tensor& a, const Tensor& b, double floor = 1e-3) {
  EXPECT_EQ(a.dims(), b.dims());
  if (a.dims() != b.dims()) return INFINITY;
  double worst = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double x = a.as_double(i), y = b.as_double(i);
    if (std::isnan(x) != std::isnan(y)) return INFINITY;
    if (std::isnan(x)) continue;
    worst = std::max(worst, std::abs(x - y) / std::max(std::abs(y), floor));
  }
  return worst;
}

// Runs a graph on the FP64 reference and on the oneDNN CPU backend (fp32); returns the worst
// relative error over all outputs, relative to at least 1e-2 (values here are O(0.1..1): fp32
// accumulation leaves ~1e-6 absolute error, a wrong term leaves > 1e-2).
inline double cpu_vs_reference(Graph g, const TensorMap& inputs, int threads = 1) {
  infer_shapes(g);
  ReferenceExecutor ref(g, DType::kF64);
  const TensorMap expected = ref.run(inputs);
  EngineOptions options;
  options.threads = threads;
  auto engine = build_engine(g, options);
  auto ctx = engine->create_context();
  const TensorMap actual = ctx->run(inputs);
  double worst = 0;
  for (const auto& [name, t] : expected) worst = std::max(worst, max_rel_error(actual.at(name), t, 1e-2));
  return worst;
}

}  // namespace rankrt::test
