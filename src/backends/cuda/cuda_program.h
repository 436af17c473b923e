// The lowered form of a graph for the CUDA backend: device-resident values, uploaded weights,
// and an ordered list of launch steps that read their pointers from a per-context arena.
#pragma once
#include <cublasLt.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backends/cuda/cuda_engine.h"
#include "backends/cuda/device_buffer.h"
#include "backends/cuda/kernels/kernels.h"
#include "backends/cuda/lt_gemm.h"
#include "ir/graph.h"

namespace rankrt::cuda {

// Concrete dims of a value for one request, without heap allocation.
struct Dims {
  int rank = 0;
  int64_t d[kMaxRank] = {};
  int64_t numel() const {
    int64_t n = 1;
    for (int i = 0; i < rank; ++i) n *= d[i];
    return n;
  }
};

struct DeviceValue {
  std::string name;
  DType dtype = DType::kF32;     // device storage dtype
  Shape shape;                   // known sizes or the profile's symbol
  const void* weight = nullptr;  // set for weights (uploaded once)
  int64_t arena_offset = -1;     // set for activations, inputs and outputs
  Dims dims(int64_t rows) const;
  int64_t max_bytes = 0;
};

// Per-request state handed to every step.
struct RunState {
  std::byte* arena = nullptr;
  cudaStream_t stream = nullptr;
  cublasLtHandle_t lt = nullptr;
  void* workspace = nullptr;  // cuBLASLt workspace
  void* scratch = nullptr;    // converted GEMM operands (fp16 / bf16)
  int64_t rows = 0;
};

struct Step {
  std::string layer;  // node name (errors and profiles name it)
  std::string op;
  std::function<void(const RunState&)> run;
  // Whether the step's real rows depend only on real rows of its inputs, so that it may run on a
  // larger (bucketed) row count whose padding rows hold stale data.
  bool row_independent = true;
};

class Program {
 public:
  std::vector<DeviceValue> values;
  std::vector<Step> steps;
  std::vector<size_t> inputs;   // value index of each graph input
  std::vector<size_t> outputs;  // value index of each graph output
  int64_t arena_bytes = 0;
  int64_t scratch_bytes = 0;  // per-context scratch for converted GEMM operands
  std::string symbol;         // the profile's symbolic dim ("" when all shapes are static)
  ShapeProfile profile;
  std::vector<DeviceBuffer> weights;
  std::vector<std::unique_ptr<LtGemm>> gemms;
  // Why the program cannot run on bucketed row counts ("" when it can): a step that is not
  // row-independent, or a graph input / output whose symbolic dim is not its leading dim.
  std::string bucket_blocker;

  void* pointer(const RunState& s, size_t value) const;
};

// Lowers every node of `graph` (shape-inferred, symbolic dims allowed for one symbol).
std::unique_ptr<Program> lower_graph(const Graph& graph, const CudaOptions& options, cublasLtHandle_t lt);

}  // namespace rankrt::cuda
