// GPU test helpers: skip without a device, runs against FP64 (random tensors and error measures:
// tensor_error.h).
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

#define RANKRT_REQUIRE_GPU()                     \
  do {                                           \
    if (!::rankrt::cuda_available()) {           \
      std::printf("skipped: no CUDA device\n");  \
      GTEST_SKIP() << "skipped: no CUDA device"; \
    }                                            \
  } while (0)

// Runs a graph on the FP64 reference and on the CUDA backend; returns the worst normwise error.
inline double cuda_vs_reference(Graph g, const TensorMap& inputs, const std::string& precision = "fp32",
                                bool cuda_graphs = true) {
  infer_shapes(g);
  ReferenceExecutor ref(g, DType::kF64);
  TensorMap expected = ref.run(inputs);
  EngineOptions options;
  options.backend = "cuda";
  options.precision = precision;
  options.cuda_graphs = cuda_graphs;
  options.optimize = false;  // test the kernels of exactly these nodes
  auto engine = build_engine(g, options);
  auto ctx = engine->create_context();
  TensorMap actual = ctx->run(inputs);
  double worst = 0;
  for (const auto& [name, t] : expected) worst = std::max(worst, normwise_error(actual.at(name), t));
  return worst;
}

}  // namespace rankrt::test
