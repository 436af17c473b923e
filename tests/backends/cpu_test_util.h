// CPU backend test helpers: engine options and runs against the FP64 reference executor (random
// tensors and error measures: tensor_error.h).
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

#include "backends/reference/reference_executor.h"
#include "ops/shape_inference.h"
#include "runtime/engine.h"
#include "tensor_error.h"

namespace rankrt::test {

// Options of a CPU engine at `precision`.
inline EngineOptions cpu_options(const std::string& precision, int threads = 1) {
  EngineOptions options;
  options.precision = precision;
  options.threads = threads;
  return options;
}

// Whether oneDNN creates bf16 matmuls on this CPU (AVX-512 and newer; elsewhere an engine build
// fails naming the layer, and the tests skip bf16).
inline bool cpu_bf16_supported() {
  static const bool supported = [] {
    Graph g;
    g.source = "bf16-probe";
    g.inputs.push_back({"x", DType::kF32, {1, 8}, true});
    g.initializers["w"] = Tensor(DType::kF32, {8, 8});
    g.nodes.push_back({"probe", "Dense", {"x", "w"}, {"y"}, {}});
    g.outputs.push_back({"y", DType::kF32, {}, false});
    infer_shapes(g);
    try {
      build_engine(g, cpu_options("bf16"));
      return true;
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kUnsupported) throw;
      std::printf("bf16 skipped: %s\n", e.what());
      return false;
    }
  }();
  return supported;
}

// Runs a graph on the FP64 reference and on the oneDNN CPU backend at `precision`; returns
// error(actual, expected) of the worst output.
template <typename Measure>
double cpu_error(Graph g, const TensorMap& inputs, int threads, const std::string& precision, Measure error) {
  infer_shapes(g);
  ReferenceExecutor ref(g, DType::kF64);
  const TensorMap expected = ref.run(inputs);
  auto engine = build_engine(g, cpu_options(precision, threads));
  auto ctx = engine->create_context();
  const TensorMap actual = ctx->run(inputs);
  double worst = 0;
  for (const auto& [name, t] : expected) worst = std::max(worst, error(actual.at(name), t));
  return worst;
}

// The worst relative error in fp32, relative to at least 1e-2 (values here are O(0.1..1): fp32
// accumulation leaves ~1e-6 absolute error, a wrong term leaves > 1e-2).
inline double cpu_vs_reference(Graph g, const TensorMap& inputs, int threads = 1) {
  return cpu_error(std::move(g), inputs, threads, "fp32",
                   [](const Tensor& a, const Tensor& b) { return max_rel_error(a, b, 1e-2); });
}

// The worst normwise error at `precision` (bf16 and int8 round single values by up to 0.4%).
inline double cpu_normwise_vs_reference(Graph g, const TensorMap& inputs, const std::string& precision,
                                        int threads = 1) {
  return cpu_error(std::move(g), inputs, threads, precision, normwise_error);
}

}  // namespace rankrt::test
