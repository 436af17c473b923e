// The lowered form of a graph for the CPU backend: values in a per-context arena or in the
// program's weights, oneDNN Dense layers, and an ordered list of steps.
#pragma once
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <string>
#include <vector>

#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/dense_layer.h"
#include "core/shape_profile.h"
#include "ir/graph.h"

namespace rankrt::cpu {

struct CpuValue {
  std::string name;
  DType dtype = DType::kF32;     // storage dtype (the declared one)
  Shape shape;                   // known sizes or the profile's symbol
  const void* weight = nullptr;  // set for constants (owned by the program)
  int64_t arena_offset = -1;     // set for inputs, activations and outputs
  int64_t max_bytes = 0;
  Dims dims(int64_t rows) const;
  bool symbolic() const {
    return std::any_of(shape.begin(), shape.end(), [](const Dim& d) { return !d.is_known(); });
  }
};

// Per-request state handed to every step.
struct RunState {
  std::byte* arena = nullptr;
  int64_t rows = 0;  // the value of the symbolic dim
  dnnl_stream_t stream = nullptr;
  DenseLayer::Binding* const* dense = nullptr;  // the context's binding of each Dense layer
};

struct Step {
  std::string layer;  // node name
  std::string op;
  std::function<void(const RunState&)> run;
  // Each output row depends only on the same row of its inputs and on values without the symbol.
  bool row_independent = true;
};

// Where a Dense layer reads and writes (value indices), for binding per context.
struct DenseStep {
  std::unique_ptr<DenseLayer> layer;
  size_t x = 0, y = 0;
  std::optional<size_t> bias;       // the matmul's [1, m] bias operand
  std::optional<size_t> converted;  // bf16 / int8: the input converted to the matmul's dtype
};

class Program {
 public:
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  std::vector<CpuValue> values;
  std::vector<Step> steps;
  std::vector<DenseStep> dense;
  std::vector<size_t> inputs;   // value index of each graph input
  std::vector<size_t> outputs;  // value index of each graph output
  int64_t arena_bytes = 0;
  std::string symbol;  // the profile's symbolic dim ("" when all shapes are static)
  // Why a request cannot run as independent row slices ("": it can: every value with the symbol
  // leads with it, after dims of size 1 only, and every step is row-independent).
  std::string row_split_blocker;
  ShapeProfile profile;
  std::vector<Tensor> constants;  // storage of weights and other constants

  // A value a step reads (a constant or an arena slot) / writes (an arena slot).
  const void* read(const std::byte* arena, size_t value) const {
    const CpuValue& v = values[value];
    return v.weight ? v.weight : arena + v.arena_offset;
  }
  void* write(std::byte* arena, size_t value) const { return arena + values[value].arena_offset; }
};

// Lowers every node of `graph` (shape-inferred; symbolic dims allowed for one symbol, bounded by
// the profile's max), its Dense layers in `precision` (score heads run in double, fused, only in
// kF32; otherwise as two Dense layers; kInt8 layers named in `activation_amax` quantize their input
// with that calibrated amax). Throws kUnsupported naming the node for an op or dtype it does not run.
std::unique_ptr<Program> lower_graph(const Graph& graph, const ShapeProfile& profile,
                                     DensePrecision precision,
                                     const std::map<std::string, float>& activation_amax = {});

}  // namespace rankrt::cpu
