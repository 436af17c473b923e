// Backend-neutral runtime interfaces: an immutable Engine shared by threads, and one
// ExecutionContext per worker holding all per-request state.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "backends/reference/reference_executor.h"
#include "core/shape_profile.h"
#include "ir/graph.h"
#include "runtime/device_description.h"
#include "runtime/gemm_algorithms.h"
#include "runtime/layer_precision.h"

namespace rankrt {

struct EngineOptions {
  std::string backend = "cpu";     // cpu (oneDNN; fp64 runs the reference executor) | reference | cuda
  std::string precision = "fp32";  // cpu fp32|bf16|int8|fp64; reference fp32|fp64; cuda fp32|tf32|fp16|bf16
  ShapeProfile profile;            // cpu / cuda: the candidate counts served (N=min:opt:max)
  bool cuda_graphs = true;         // cuda: replay one captured CUDA graph per candidate count
  int device = 0;                  // cuda device ordinal
  // cpu: intra-op (OpenMP) threads per execution context; 0 = every core this process may use.
  // With several contexts (predictors) per process, give each cores / predictors threads.
  int threads = 0;
  // cpu / cuda: run the optimizer (src/passes) before lowering; the reference backend always
  // runs the graph as imported (it is the oracle).
  bool optimize = true;
  std::set<std::string> disabled_passes;  // optimizer passes to skip, by name
  // cuda: the per-layer GEMM algorithms of an engine plan (empty: chosen by cuBLASLt's heuristic).
  std::vector<GemmAlgorithms> gemm_algorithms;
  // cuda: capture graphs per power-of-two bucket of the candidate count (see CudaOptions).
  bool graph_buckets = false;
  // cuda: time cuBLASLt's top GEMM candidates per row bucket at build time instead of taking the
  // heuristic's first choice (the choice is stored in engine plans).
  bool tune_gemms = false;
  // Per-layer precision: rules that build_engine resolves over the optimized graph, or the final
  // precision of every GEMM layer given directly. cuda obeys each layer's; the other backends run
  // every layer in `precision` (a rule asking otherwise is an error).
  LayerPrecision layer_precision;
  // int8 / fp8 layers: the calibrated max |x| of each GEMM layer's input (input 0), by layer (node)
  // name of the optimized graph (runtime/calibration.h measures it on samples; plans store it).
  std::map<std::string, float> activation_amax;
};

// Whether this build has the CUDA backend and a CUDA device is present.
bool cuda_available();

// The CUDA device `device` and its driver / runtime / cuBLASLt versions. Throws kUsage in a
// build without CUDA, kRuntime without a device.
DeviceDescription describe_cuda_device(int device);

// Where a request's device time went (the backend's own clock, e.g. CUDA events).
struct DeviceTimes {
  double h2d_us = 0, compute_us = 0, d2h_us = 0;
};

class ExecutionContext {
 public:
  virtual ~ExecutionContext() = default;
  // Runs one request. Not thread-safe: one context per worker.
  virtual TensorMap run(const TensorMap& inputs) = 0;
  // Asks the context to time each request's transfers and computation on the device. Backends
  // without such a split (cpu, reference) ignore it.
  virtual void enable_device_timing() {}
  // The last request's split, once enabled and supported.
  virtual std::optional<DeviceTimes> device_times() const { return std::nullopt; }
};

class Engine {
 public:
  virtual ~Engine() = default;
  // Thread-safe: any thread may create contexts.
  virtual std::unique_ptr<ExecutionContext> create_context() const = 0;
  virtual const Graph& graph() const = 0;
  virtual std::string description() const = 0;  // e.g. "cpu reference fp32"
  // Page-locks the memory of these tensors (e.g. a benchmark's samples) until the returned handle
  // is released, so that the CUDA backend copies them to the device without a staging copy.
  // Backends without host-device transfers return null.
  virtual std::shared_ptr<void> pin_host_memory(const std::vector<TensorMap>&) const { return nullptr; }
  // cuda: the GEMM algorithm chosen for every Dense layer (saved in engine plans); others: none.
  virtual std::vector<GemmAlgorithms> gemm_algorithms() const { return {}; }
};

// Compiles a verified, shape-inferred graph for a backend. Throws kUsage on an unknown
// backend or precision.
std::unique_ptr<Engine> build_engine(Graph graph, const EngineOptions& options);

}  // namespace rankrt
