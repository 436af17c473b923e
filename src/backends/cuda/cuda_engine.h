// The CUDA backend: an immutable engine (weights uploaded once, GEMM algorithms chosen per row
// count) and per-worker execution contexts (own stream, cuBLASLt handle, pinned staging
// buffers, liveness-planned activation arena, CUDA graphs per candidate count).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "runtime/engine.h"

namespace rankrt::cuda {

struct CudaOptions {
  std::string precision = "fp32";  // fp32 | tf32 | fp16 | bf16: the GEMM precision of Dense layers
  ShapeProfile profile;            // the symbolic candidate count served: buffers sized for max
  bool cuda_graphs = true;         // capture one CUDA graph per candidate count and replay it
  int device = 0;
  // Per-layer algorithms from an engine plan, in Dense-layer order; empty: cuBLASLt's heuristic.
  std::vector<GemmAlgorithms> gemm_algorithms;
  // With cuda_graphs: capture graphs for row counts rounded up to a power of two (at most
  // log2(profile.max) + 1 graphs) when every step is row-independent; otherwise per exact count.
  bool graph_buckets = false;
  // Time cuBLASLt's top GEMM candidates per row bucket at build time (see LtGemm).
  bool tune_gemms = false;
  // The GEMM precision of every GEMM layer (runtime/layer_precision.h); empty: `precision` for all.
  // A score head runs as one double-precision kernel only when both its layers are fp32 or tf32x3.
  LayerPrecisionMap layer_precision;
  // int8 / fp8 layers: the calibrated max |x| of each layer's input, by layer name.
  std::map<std::string, float> activation_amax;
};

// Lowers an optimized, shape-inferred graph. Throws kUnsupported naming the node for an op or
// dtype the CUDA backend does not run, kRuntime when no CUDA device is present.
std::unique_ptr<Engine> build_cuda_engine(Graph graph, const CudaOptions& options);

// Device `device`'s name, compute capability and driver / runtime / cuBLASLt versions.
DeviceDescription describe_device(int device);

// The zero-allocation request path of a CUDA execution context.
class CudaExecutionContext : public ExecutionContext {
 public:
  // Pinned host staging buffers, one per graph input / output, sized for the profile's max.
  virtual void* input_staging(size_t input_index) = 0;
  virtual const void* output_staging(size_t output_index) const = 0;
  // Enqueues host->device copies, the computation and device->host copies for `rows` candidates
  // (the value of the symbolic dim) on the context's stream; wait() blocks until outputs are in
  // host memory.
  virtual void enqueue(int64_t rows) = 0;
  // The same without staging: inputs are read from, and outputs written to, the caller's pinned
  // host buffers (cudaHostAlloc / cudaHostRegister), one per graph input / output, in graph order,
  // valid until wait() returns. The copies run outside the captured graph.
  virtual void enqueue(int64_t rows, const void* const* inputs, void* const* outputs) = 0;
  virtual void wait() = 0;
  virtual int64_t arena_bytes() const = 0;
};

}  // namespace rankrt::cuda
