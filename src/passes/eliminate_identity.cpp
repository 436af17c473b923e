// eliminate_identity: removes nodes that return their input unchanged: Identity, Cast to the
// input's dtype, Reshape to the input's shape, and x*1, x/1, x+0, x-0 with constant 1 / 0 that do
// not broadcast x to a larger shape.
#include "ops/shape_inference.h"
#include "passes/graph_rewrite.h"
#include "passes/passes.h"

namespace rankrt {

namespace {

using passes::all_equal;
using passes::constant_of;

bool same_shape(const ValueState& a, const ValueState& b) {
  if (!a.rank_known || !b.rank_known || a.shape != b.shape) return false;
  for (const Dim& d : a.shape)
    if (!d.is_known() && !d.is_symbolic()) return false;
  return true;
}

// The input that node `n` passes through unchanged, if it is an identity.
std::optional<std::string> identity_input(const Graph& g, const Node& n,
                                          const std::map<std::string, ValueState>& states) {
  if (n.outputs.size() != 1 || n.inputs.empty() || n.inputs[0].empty()) return std::nullopt;
  auto state = [&](const std::string& v) -> const ValueState* {
    auto it = states.find(v);
    return it == states.end() ? nullptr : &it->second;
  };
  const ValueState* out = state(n.outputs[0]);
  if (!out) return std::nullopt;
  auto keeps = [&](const std::string& x) {
    const ValueState* in = state(x);
    return in && in->dtype == out->dtype && same_shape(*in, *out);
  };
  if (n.op == "Identity") return n.inputs[0];
  if (n.op == "Cast" || n.op == "Reshape")
    return keeps(n.inputs[0]) ? std::optional(n.inputs[0]) : std::nullopt;
  if (n.inputs.size() != 2) return std::nullopt;
  auto neutral_operand = [&](size_t x, double neutral) -> std::optional<std::string> {
    const Tensor* c = constant_of(g, n.inputs[1 - x]);
    if (c && all_equal(*c, neutral) && keeps(n.inputs[x])) return n.inputs[x];
    return std::nullopt;
  };
  if (n.op == "Mul") {
    if (auto x = neutral_operand(0, 1.0)) return x;
    return neutral_operand(1, 1.0);
  }
  if (n.op == "Add") {
    if (auto x = neutral_operand(0, 0.0)) return x;
    return neutral_operand(1, 0.0);
  }
  if (n.op == "Div") return neutral_operand(0, 1.0);
  if (n.op == "Sub") return neutral_operand(0, 0.0);
  return std::nullopt;
}

}  // namespace

bool eliminate_identity(Graph& g) {
  // Bypassing a node renames values but keeps every remaining value's type and shape, so one
  // inference serves the whole sweep.
  const std::map<std::string, ValueState> states = infer_value_states(g);
  bool changed = false;
  for (size_t i = 0; i < g.nodes.size();) {
    std::optional<std::string> x = identity_input(g, g.nodes[i], states);
    if (x && passes::bypass_node(g, i, *x)) {
      changed = true;
    } else {
      ++i;
    }
  }
  return changed;
}

}  // namespace rankrt
