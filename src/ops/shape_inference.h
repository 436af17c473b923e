// Graph-level dtype and shape inference over the op schemas.
#pragma once
#include "ir/graph.h"
#include "ops/op_schema.h"

namespace rankrt {

// Infers every value's dtype and (symbolic) shape into g.value_info. Symbols in `bindings` are
// replaced by their sizes first (pass {} to keep N symbolic). Throws naming the node on a
// dtype/shape conflict.
void infer_shapes(Graph& g, const SymbolBindings& bindings = {});

// The full inference state of every value (with constants and shape values), for passes.
// Constants point into `g`, which must outlive the result.
std::map<std::string, ValueState> infer_value_states(const Graph& g, const SymbolBindings& bindings = {});

// Runs one op's inference; shared by infer_shapes and the executors.
std::vector<ValueState> infer_node(const Node& node, const std::vector<const ValueState*>& inputs);

}  // namespace rankrt
