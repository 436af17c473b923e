// Elementwise fusion: a chain of unary / binary float32 ops whose intermediates have a single
// reader becomes one kernel (e.g. DQM's output tail 0.01 * (|z| + 1e-7)).
#include "backends/cuda/lowering.h"

namespace rankrt::cuda {

namespace {

bool fusible(const Graph& g, const Node& n) {
  const bool unary =
      unary_ops().count(n.op) && unary_ops().at(n.op) != UnaryOp::kCopy && n.inputs.size() == 1;
  const bool binary = binary_ops().count(n.op) && n.inputs.size() == 2;
  if (!(unary || binary) || n.outputs.size() != 1) return false;
  auto it = g.value_info.find(n.outputs[0]);
  return it != g.value_info.end() && it->second.dtype == DType::kF32;
}

// External inputs and op count of a chain.
std::pair<size_t, size_t> chain_size(const std::vector<const Node*>& chain) {
  std::set<std::string> produced, external;
  for (const Node* n : chain) {
    for (const std::string& in : n->inputs)
      if (!produced.count(in)) external.insert(in);
    produced.insert(n->outputs[0]);
  }
  return {external.size(), chain.size()};
}

}  // namespace

std::map<const Node*, const Node*> plan_elementwise_fusion(const Graph& g,
                                                           const std::set<const Node*>& skip) {
  std::set<std::string> graph_outputs;
  for (const ValueInfo& v : g.outputs) graph_outputs.insert(v.name);
  std::map<std::string, std::vector<const Node*>> readers;
  for (const Node& n : g.nodes)
    if (!skip.count(&n))
      for (const std::string& in : n.inputs) readers[in].push_back(&n);
  // Walk backwards: a node joins its only reader's chain when that reader is fusible.
  std::map<const Node*, const Node*> root_of;
  for (auto it = g.nodes.rbegin(); it != g.nodes.rend(); ++it) {
    const Node& n = *it;
    if (skip.count(&n) || !fusible(g, n)) continue;
    root_of[&n] = &n;
    const std::vector<const Node*>& r = readers[n.outputs[0]];
    if (graph_outputs.count(n.outputs[0]) || r.size() != 1 || !root_of.count(r[0])) continue;
    root_of[&n] = root_of[r[0]];
  }
  // Chains over the kernel's limits are not fused.
  std::map<const Node*, std::vector<const Node*>> chains;
  for (const Node& n : g.nodes)
    if (root_of.count(&n)) chains[root_of[&n]].push_back(&n);
  for (const auto& [root, chain] : chains) {
    auto [inputs, ops] = chain_size(chain);
    if (inputs > size_t(kMaxFusedInputs) || ops > size_t(kMaxFusedOps))
      for (const Node* n : chain) root_of[n] = n;
  }
  return root_of;
}

void Lowering::lower_fused(const std::vector<const Node*>& chain) {
  const Node& root = *chain.back();
  FusedElementwise proto;
  std::vector<size_t> inputs;
  std::map<std::string, int> operand;
  for (const Node* n : chain) {
    FusedOp& op = proto.ops[proto.num_ops];
    op.binary = n->inputs.size() == 2;
    op.op = op.binary ? int(binary_ops().at(n->op)) : int(unary_ops().at(n->op));
    op.alpha = float(n->attr_float("alpha", 0.01));
    for (size_t j = 0; j < n->inputs.size(); ++j) {
      auto it = operand.find(n->inputs[j]);
      if (it == operand.end()) {
        const size_t v = value(n->inputs[j], root.name);
        require_f32(*n, v);
        it = operand.emplace(n->inputs[j], int(inputs.size())).first;
        inputs.push_back(v);
      }
      (j == 0 ? op.a : op.b) = it->second;
    }
    operand[n->outputs[0]] = kMaxFusedInputs + proto.num_ops++;
  }
  const size_t y = output(root);
  proto.num_inputs = int(inputs.size());
  const Program* prog = program_.get();
  const std::string layer = root.name;
  add_step(root, [=](const RunState& s) {
    FusedElementwise f = proto;
    const Dims out = prog->values[y].dims(s.rows);
    f.rank = out.rank;
    for (int d = 0; d < out.rank; ++d) f.dims[d] = out.d[d];
    for (size_t k = 0; k < inputs.size(); ++k) {
      f.inputs[k] = static_cast<const float*>(prog->pointer(s, inputs[k]));
      broadcast_strides(prog->values[inputs[k]].dims(s.rows), out, f.strides[k]);
    }
    launch_fused_elementwise(f, static_cast<float*>(prog->pointer(s, y)), out.numel(), s.stream);
    RANKRT_CUDA_CHECK_LAUNCH(layer);
  });
}

}  // namespace rankrt::cuda
