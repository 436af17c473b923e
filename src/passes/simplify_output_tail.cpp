// simplify_output_tail: an elementwise op between a tensor filled with one constant and a
// one-element constant, e.g. TensorFlow's ZerosLike(z) + 1e-7 imported as
// ConstantOfShape(Shape(z)) + 1e-7, becomes Expand(v, Shape(z)) with v computed here. This is exact:
// the fill never depends on z's values (ZerosLike(NaN) is 0).
#include "ops/shape_inference.h"
#include "passes/graph_rewrite.h"
#include "passes/passes.h"

namespace rankrt {

namespace {

using passes::constant_of;
using passes::Fill;
using passes::fill_of;

std::optional<double> apply(const std::string& op, double a, double b) {
  if (op == "Add") return a + b;
  if (op == "Sub") return a - b;
  if (op == "Mul") return a * b;
  return std::nullopt;
}

}  // namespace

bool simplify_output_tail(Graph& g) {
  const std::map<std::string, ValueState> states = infer_value_states(g);
  bool changed = false;
  for (Node& n : g.nodes) {
    if (n.inputs.size() != 2 || n.outputs.size() != 1) continue;
    for (size_t fi = 0; fi < 2; ++fi) {
      std::optional<Fill> fill = fill_of(g, n.inputs[fi]);
      const Tensor* c = constant_of(g, n.inputs[1 - fi]);
      if (!fill || !c || c->numel() != 1) continue;
      const ValueState& filled = states.at(n.inputs[fi]);
      const ValueState& out = states.at(n.outputs[0]);
      if (!filled.rank_known || !out.rank_known || filled.shape != out.shape ||
          int64_t(out.shape.size()) < c->rank())
        continue;
      std::optional<double> v = fi == 0 ? apply(n.op, fill->value.as_double(0), c->as_double(0))
                                        : apply(n.op, c->as_double(0), fill->value.as_double(0));
      if (!v) continue;
      const std::string value =
          passes::add_initializer(g, n.name + "/value", Tensor::scalar<double>(*v).to(out.dtype));
      Node expand{n.name, "Expand", {value, fill->shape}, n.outputs, {}};
      passes::add_source_nodes(expand, n);
      if (std::optional<size_t> p = g.producer(n.inputs[fi])) passes::add_source_nodes(expand, g.nodes[*p]);
      n = std::move(expand);
      changed = true;
      break;
    }
  }
  return changed;
}

}  // namespace rankrt
