// Reference executor: input validation, op-by-op execution, freeing values after last use.
#include "backends/reference/reference_executor.h"

#include <set>

#include "ir/input_binding.h"
#include "ops/shape_inference.h"

namespace rankrt {

ReferenceExecutor::ReferenceExecutor(const Graph& graph, DType float_type)
    : graph_(graph), float_type_(float_type) {
  if (float_type != DType::kF32 && float_type != DType::kF64)
    fail(ErrorCode::kUsage, "reference executor computes in float32 or float64, not {}",
         dtype_name(float_type));
  std::set<std::string> keep;
  for (const ValueInfo& v : graph.outputs) keep.insert(v.name);
  std::map<std::string, size_t> last;
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    for (const std::string& in : graph.nodes[i].inputs)
      if (!in.empty()) last[in] = i;
  free_after_.resize(graph.nodes.size());
  for (const auto& [name, node] : last)
    if (!keep.count(name) && !graph.find_initializer(name)) free_after_[node].push_back(name);
}

SymbolBindings ReferenceExecutor::bind_inputs(const TensorMap& inputs) const {
  return rankrt::bind_inputs(graph_, inputs);
}

TensorMap ReferenceExecutor::run(const TensorMap& inputs, bool keep_all) const {
  bind_inputs(inputs);
  TensorMap values;
  std::map<std::string, ValueState> states;
  auto add_value = [&](const std::string& name, Tensor t, DType declared) {
    Tensor& stored = values[name] = std::move(t);
    states[name] = ValueState{declared, shape_from_dims(stored.dims()), true, &stored, std::nullopt};
  };
  for (const auto& [name, t] : graph_.initializers) {
    if (!inputs.count(name)) add_value(name, t.to(storage_dtype(t.dtype(), float_type_)), t.dtype());
  }
  for (const auto& [name, t] : inputs)
    add_value(name, t.to(storage_dtype(t.dtype(), float_type_)), t.dtype());

  for (size_t idx = 0; idx < graph_.nodes.size(); ++idx) {
    const Node& n = graph_.nodes[idx];
    std::vector<const ValueState*> in_states;
    std::vector<const Tensor*> in_tensors;
    for (const std::string& name : n.inputs) {
      if (name.empty()) {
        in_states.push_back(nullptr);
        in_tensors.push_back(nullptr);
        continue;
      }
      auto it = values.find(name);
      if (it == values.end())
        fail(ErrorCode::kInvalidGraph, "{}: node '{}' reads undefined value '{}'", graph_.source, n.name,
             name);
      in_states.push_back(&states.at(name));
      in_tensors.push_back(&it->second);
    }
    std::vector<ValueState> out_states = infer_node(n, in_states);
    std::vector<Tensor> outs;
    std::vector<DType> declared;
    for (const ValueState& s : out_states) {
      auto dims = concrete_dims(s.shape);
      if (!dims || !s.rank_known)
        fail(ErrorCode::kRuntime, "node '{}' ({}): output shape {} is not concrete at run time", n.name, n.op,
             shape_to_string(s.shape));
      outs.emplace_back(storage_dtype(s.dtype, float_type_), *dims);
      declared.push_back(s.dtype);
    }
    ComputeContext ctx{n, in_tensors, outs, declared, float_type_};
    find_op(n.op)->compute(ctx);
    for (size_t i = 0; i < n.outputs.size() && i < outs.size(); ++i) {
      if (!n.outputs[i].empty()) add_value(n.outputs[i], std::move(outs[i]), declared[i]);
    }
    if (!keep_all) {
      for (const std::string& name : free_after_[idx]) {
        values.erase(name);
        states.erase(name);
      }
    }
  }
  if (keep_all) return values;
  TensorMap result;
  for (const ValueInfo& v : graph_.outputs) result[v.name] = values.at(v.name);
  return result;
}

}  // namespace rankrt
