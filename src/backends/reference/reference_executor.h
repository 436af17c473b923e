// The reference executor: runs any IR graph op by op on the CPU with the naive op kernels, in
// float32 or float64 (the accuracy oracle for every other backend).
#pragma once
#include <map>
#include <string>

#include "ir/graph.h"

namespace rankrt {

using TensorMap = std::map<std::string, Tensor>;

class ReferenceExecutor {
 public:
  // float_type: kF32 or kF64; every float value is stored and computed in it.
  ReferenceExecutor(const Graph& graph, DType float_type);

  // Checks the inputs against the graph's declared inputs (names, dtypes, ranks, fixed dims,
  // agreement of symbolic dims such as N), runs the graph and returns the graph outputs. Float
  // outputs come back in the executor's float type. With keep_all, every value is returned.
  TensorMap run(const TensorMap& inputs, bool keep_all = false) const;

  // Symbol bindings implied by a set of inputs (throws on disagreement or a bad input).
  SymbolBindings bind_inputs(const TensorMap& inputs) const;

  const Graph& graph() const { return graph_; }
  DType float_type() const { return float_type_; }

 private:
  const Graph& graph_;
  DType float_type_;
  std::vector<std::vector<std::string>> free_after_;
};

}  // namespace rankrt
