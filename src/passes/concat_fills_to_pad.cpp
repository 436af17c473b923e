// concat_fills_to_pad: a Concat of one computed tensor x and fills of one value v (ConstantOfShape,
// or Expand of a one-element constant) whose shapes equal x's but on the concat axis, static there,
// becomes Pad(x, pads, v): e.g. DQM's output concat([fill(Shape(z), 1e-7), score]). Exact: the
// padded elements never depend on x's values (NaN included), as the fills did not.
#include <cstring>

#include "ops/shape_inference.h"
#include "passes/graph_rewrite.h"
#include "passes/passes.h"

namespace rankrt {

namespace {

// The one input of `n` that is not a fill, or nullopt when there is none or several.
std::optional<size_t> computed_input(const Graph& g, const Node& n) {
  std::optional<size_t> found;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (passes::fill_of(g, n.inputs[i])) continue;
    if (found) return std::nullopt;
    found = i;
  }
  return found;
}

bool same_element(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && std::memcmp(a.raw(), b.raw(), dtype_size(a.dtype())) == 0;
}

// Rewrites Concat node `i` into a Pad when it has the pattern.
bool rewrite(Graph& g, size_t i, const std::map<std::string, ValueState>& states) {
  const Node& n = g.nodes[i];
  if (n.op != "Concat" || n.outputs.size() != 1 || n.inputs.size() < 2) return false;
  const std::optional<size_t> xi = computed_input(g, n);
  if (!xi) return false;
  const ValueState& x = states.at(n.inputs[*xi]);
  if (!x.rank_known || x.shape.empty()) return false;
  const int64_t rank = int64_t(x.shape.size());
  int64_t axis = n.attr_int("axis");
  if (axis < -rank || axis >= rank) return false;
  if (axis < 0) axis += rank;
  std::vector<int64_t> pads(size_t(2 * rank), 0);
  std::optional<Tensor> value;
  std::vector<size_t> fill_nodes;
  for (size_t k = 0; k < n.inputs.size(); ++k) {
    if (k == *xi) continue;
    const ValueState& f = states.at(n.inputs[k]);
    if (!f.rank_known || int64_t(f.shape.size()) != rank || !f.shape[size_t(axis)].is_known()) return false;
    for (size_t d = 0; d < size_t(rank); ++d) {
      const Dim& fd = f.shape[d];
      if (d != size_t(axis) && (!(fd == x.shape[d]) || (!fd.is_known() && !fd.is_symbolic()))) return false;
    }
    passes::Fill fill = *passes::fill_of(g, n.inputs[k]);
    if (fill.value.dtype() != x.dtype || (value && !same_element(*value, fill.value))) return false;
    value = fill.value.reshaped({});
    pads[size_t(k < *xi ? axis : rank + axis)] += f.shape[size_t(axis)].value;
    fill_nodes.push_back(*g.producer(n.inputs[k]));
  }
  const std::string pads_name =
      passes::add_initializer(g, n.name + "/pads", Tensor::from_vector<int64_t>({2 * rank}, pads));
  const std::string value_name = passes::add_initializer(g, n.name + "/value", std::move(*value));
  Node pad{
      n.name, "Pad", {n.inputs[*xi], pads_name, value_name}, n.outputs, {{"mode", std::string("constant")}}};
  passes::add_source_nodes(pad, n);
  for (size_t f : fill_nodes) passes::add_source_nodes(pad, g.nodes[f]);
  g.nodes[i] = std::move(pad);
  return true;
}

}  // namespace

bool concat_fills_to_pad(Graph& g) {
  const std::map<std::string, ValueState> states = infer_value_states(g);
  bool changed = false;
  for (size_t i = 0; i < g.nodes.size(); ++i) changed = rewrite(g, i, states) || changed;
  return changed;
}

}  // namespace rankrt
