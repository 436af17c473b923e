// fold_constants: evaluates constant subgraphs into initializers, in float64 with a single
// rounding to each value's declared dtype, and turns fully known shape values into constants.
#include "ops/shape_inference.h"
#include "passes/graph_rewrite.h"
#include "passes/passes.h"

namespace rankrt {

namespace {

using passes::constant_of;

// Outputs larger than this stay computed at run time (folding would bloat the model).
constexpr int64_t kMaxFoldedElements = int64_t(1) << 22;

bool all_inputs_constant(const Graph& g, const Node& n) {
  for (const std::string& in : n.inputs)
    if (!in.empty() && !constant_of(g, in)) return false;
  return true;
}

// Runs the node's kernel on its constant inputs; adds its outputs as initializers (rounded to
// their dtype) and to `exact` (float64), which later nodes of the sweep read instead, so that a
// chain of folded nodes is rounded once, at its end.
bool evaluate(Graph& g, const Node& n, std::map<std::string, Tensor>& exact) {
  const OpSchema* schema = find_op(n.op);
  if (!schema) return false;
  std::vector<Tensor> stored(n.inputs.size());
  std::vector<ValueState> states(n.inputs.size());
  std::vector<const ValueState*> state_ptrs;
  std::vector<const Tensor*> tensors;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (n.inputs[i].empty()) {
      state_ptrs.push_back(nullptr);
      tensors.push_back(nullptr);
      continue;
    }
    const Tensor& t = *constant_of(g, n.inputs[i]);
    auto it = exact.find(n.inputs[i]);
    stored[i] = it != exact.end() ? it->second : t.to(storage_dtype(t.dtype(), DType::kF64));
    states[i] = ValueState{t.dtype(), shape_from_dims(t.dims()), true, &stored[i], std::nullopt};
    state_ptrs.push_back(&states[i]);
    tensors.push_back(&stored[i]);
  }
  std::vector<ValueState> out_states = infer_node(n, state_ptrs);
  std::vector<Tensor> outs;
  std::vector<DType> declared;
  for (const ValueState& s : out_states) {
    auto dims = concrete_dims(s.shape);
    if (!s.rank_known || !dims || num_elements(*dims) > kMaxFoldedElements) return false;
    outs.emplace_back(storage_dtype(s.dtype, DType::kF64), *dims);
    declared.push_back(s.dtype);
  }
  ComputeContext ctx{n, tensors, outs, declared, DType::kF64};
  schema->compute(ctx);
  for (size_t i = 0; i < n.outputs.size() && i < outs.size(); ++i)
    if (!n.outputs[i].empty()) {
      g.initializers[n.outputs[i]] = outs[i].to(declared[i]);
      exact[n.outputs[i]] = std::move(outs[i]);
    }
  return true;
}

// The value of an output whose inference already knows it: a propagated constant, or an integer
// or bool shape value whose elements are all concrete.
std::optional<Tensor> known_value(const ValueState& s) {
  if (s.constant) return s.constant->clone();
  if (!s.shape_value || !s.rank_known || is_float(s.dtype)) return std::nullopt;
  auto values = concrete_dims(*s.shape_value);
  auto dims = concrete_dims(s.shape);
  if (!values || !dims || num_elements(*dims) != int64_t(values->size())) return std::nullopt;
  return Tensor::from_vector<int64_t>(*dims, *values).to(s.dtype);
}

// Replaces nodes all of whose outputs are known after inference by initializers.
bool fold_known_values(Graph& g) {
  const std::map<std::string, ValueState> states = infer_value_states(g);
  std::map<std::string, Tensor> found;
  std::set<size_t> folded;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    std::map<std::string, Tensor> values;
    for (const std::string& out : n.outputs) {
      if (out.empty()) continue;
      auto it = states.find(out);
      std::optional<Tensor> v = it == states.end() ? std::nullopt : known_value(it->second);
      if (!v) break;
      values[out] = std::move(*v);
    }
    size_t named = 0;
    for (const std::string& out : n.outputs) named += out.empty() ? 0 : 1;
    if (values.size() != named) continue;
    folded.insert(i);
    found.merge(values);
  }
  for (auto& [name, t] : found) g.initializers[name] = std::move(t);
  passes::remove_nodes(g, folded);
  return !folded.empty();
}

}  // namespace

bool fold_constants(Graph& g) {
  bool changed = false;
  std::vector<Node> kept;
  std::map<std::string, Tensor> exact;
  for (Node& n : g.nodes) {
    if (all_inputs_constant(g, n) && evaluate(g, n, exact)) {
      changed = true;
      continue;
    }
    kept.push_back(std::move(n));
  }
  g.nodes = std::move(kept);
  return fold_known_values(g) || changed;
}

}  // namespace rankrt
