// Graph-level dtype and shape inference.
#include "ops/shape_inference.h"

namespace rankrt {

std::vector<ValueState> infer_node(const Node& node, const std::vector<const ValueState*>& inputs) {
  const OpSchema* schema = find_op(node.op);
  if (!schema) fail(ErrorCode::kUnsupported, "node '{}': unsupported op '{}'", node.name, node.op);
  InferContext ctx(node, inputs, node.outputs.size());
  schema->infer(ctx);
  return std::move(ctx.outputs());
}

std::map<std::string, ValueState> infer_value_states(const Graph& g, const SymbolBindings& bindings) {
  std::map<std::string, ValueState> states;
  for (const ValueInfo& v : g.inputs) {
    states[v.name] = ValueState{v.dtype, bind_shape(v.shape, bindings), v.rank_known, nullptr, std::nullopt};
  }
  for (const auto& [name, t] : g.initializers) {
    if (g.find_input(name)) continue;  // an input with a default: its value may be overridden
    states[name] = ValueState{t.dtype(), shape_from_dims(t.dims()), true, &t, std::nullopt};
  }
  for (const Node& n : g.nodes) {
    std::vector<const ValueState*> ins;
    for (const std::string& name : n.inputs) {
      if (name.empty()) {
        ins.push_back(nullptr);
        continue;
      }
      auto it = states.find(name);
      if (it == states.end())
        fail(ErrorCode::kInvalidGraph, "{}: node '{}' reads undefined value '{}'", g.source, n.name, name);
      ins.push_back(&it->second);
    }
    std::vector<ValueState> outs;
    try {
      outs = infer_node(n, ins);
    } catch (const Error& e) {
      throw Error(e.code(), g.source.empty() ? e.what() : g.source + ": " + e.what());
    }
    for (size_t i = 0; i < n.outputs.size() && i < outs.size(); ++i) {
      if (n.outputs[i].empty()) continue;
      states[n.outputs[i]] = std::move(outs[i]);
    }
  }
  return states;
}

void infer_shapes(Graph& g, const SymbolBindings& bindings) {
  const std::map<std::string, ValueState> states = infer_value_states(g, bindings);
  g.value_info.clear();
  for (const auto& [name, s] : states) {
    g.value_info[name] = ValueInfo{name, s.dtype, s.shape, s.rank_known};
  }
  for (ValueInfo& out : g.outputs) {
    auto it = g.value_info.find(out.name);
    if (it != g.value_info.end()) {
      out.dtype = it->second.dtype;
      if (it->second.rank_known) out.shape = it->second.shape;
    }
  }
}

}  // namespace rankrt
