// fuse_post_ops: Abs / Neg, and Add / Sub / Mul / Div with a one-element constant (either operand
// order), reading a Dense's output become post-ops of the Dense (ops/dense_post_ops.h), applied
// after its activation in the Dense's own arithmetic: e.g. DQM's score tail (|z| + c1) * c2. An op
// is fused only when it is the only reader of the Dense output, which is not a graph output.
#include "ops/dense_post_ops.h"
#include "ops/shape_inference.h"
#include "passes/graph_rewrite.h"
#include "passes/passes.h"

namespace rankrt {

namespace {

// The post-op that node `r` applies to `y`, with its constant; nullopt when it is not one.
std::optional<std::pair<PostOp, double>> post_op_of(const Graph& g, const Node& r, const std::string& y,
                                                    size_t rank) {
  if (r.outputs.size() != 1) return std::nullopt;
  if (r.inputs.size() == 1 && r.op == "Abs") return std::pair{PostOp::kAbs, 0.0};
  if (r.inputs.size() == 1 && r.op == "Neg") return std::pair{PostOp::kNeg, 0.0};
  if (r.inputs.size() != 2 || r.inputs[0] == r.inputs[1]) return std::nullopt;
  const bool y_first = r.inputs[0] == y;
  const Tensor* c = passes::constant_of(g, r.inputs[y_first ? 1 : 0]);
  if (!c || c->numel() != 1 || size_t(c->rank()) > rank) return std::nullopt;
  const double v = c->as_double(0);
  if (r.op == "Add") return std::pair{PostOp::kAdd, v};
  if (r.op == "Mul") return std::pair{PostOp::kMul, v};
  if (r.op == "Sub") return std::pair{y_first ? PostOp::kSub : PostOp::kRsub, v};
  if (r.op == "Div") return std::pair{y_first ? PostOp::kDiv : PostOp::kRdiv, v};
  return std::nullopt;
}

bool fuse_once(Graph& g) {
  const std::map<std::string, ValueState> states = infer_value_states(g);
  const passes::Uses uses = passes::compute_uses(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& d = g.nodes[i];
    if (d.op != "Dense" || dense_post_ops(d).count == kMaxPostOps) continue;
    const ValueState& y = states.at(d.outputs[0]);
    const std::optional<size_t> r = passes::sole_reader(uses, d.outputs[0]);
    if (!y.rank_known || !r) continue;
    const Node& reader = g.nodes[*r];
    const std::optional<std::pair<PostOp, double>> op = post_op_of(g, reader, d.outputs[0], y.shape.size());
    if (!op || !(states.at(reader.outputs[0]).shape == y.shape)) continue;
    Node fused = d;
    append_post_op(fused, op->first, op->second);
    passes::absorb_nodes(g, i, std::move(fused), {*r}, *r);
    return true;
  }
  return false;
}

}  // namespace

bool fuse_post_ops(Graph& g) { return passes::rewrite_to_fixpoint(g, fuse_once); }

}  // namespace rankrt
