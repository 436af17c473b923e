// eliminate_common_subexpressions: merges initializers with identical contents, then nodes with
// the same op, inputs and attributes (the later one's readers read the earlier one's outputs).
#include <map>

#include "passes/graph_rewrite.h"
#include "passes/passes.h"

namespace rankrt {

namespace {

std::string tensor_key(const Tensor& t) {
  std::string key = fmt::format("{}{}:", dtype_name(t.dtype()), dims_to_string(t.dims()));
  key.append(static_cast<const char*>(t.raw()), t.nbytes());
  return key;
}

std::string node_key(const Node& n) {
  std::string key = n.op + "(";
  for (const std::string& in : n.inputs) key += in + ",";
  key += ")";
  for (const std::string& out : n.outputs) key += out.empty() ? "-" : "+";
  for (const auto& [name, value] : n.attrs) {
    if (name == passes::kSourceNodesAttr) continue;
    key += "|" + name + "=";
    key += std::holds_alternative<Tensor>(value) ? tensor_key(std::get<Tensor>(value))
                                                 : attribute_to_string(value);
  }
  return key;
}

bool merge_initializers(Graph& g, const passes::Uses& uses) {
  std::map<std::string, std::string> first_by_content;
  std::vector<std::string> duplicates;
  for (const auto& [name, t] : g.initializers) {
    if (g.find_input(name) || uses.is_output(name)) continue;
    auto [it, inserted] = first_by_content.emplace(tensor_key(t), name);
    if (inserted) continue;
    passes::replace_uses(g, name, it->second);
    duplicates.push_back(name);
  }
  for (const std::string& name : duplicates) g.initializers.erase(name);
  return !duplicates.empty();
}

}  // namespace

bool eliminate_common_subexpressions(Graph& g) {
  const passes::Uses uses = passes::compute_uses(g);
  bool changed = merge_initializers(g, uses);
  std::map<std::string, size_t> first_by_key;
  std::set<size_t> duplicates;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.inputs.empty()) continue;
    auto [it, inserted] = first_by_key.emplace(node_key(n), i);
    if (inserted) continue;
    bool feeds_output = false;
    for (const std::string& out : n.outputs) feeds_output = feeds_output || uses.is_output(out);
    if (feeds_output) continue;
    const Node& first = g.nodes[it->second];
    for (size_t o = 0; o < n.outputs.size(); ++o)
      if (!n.outputs[o].empty()) passes::replace_uses(g, n.outputs[o], first.outputs[o]);
    duplicates.insert(i);
  }
  passes::remove_nodes(g, duplicates);
  return changed || !duplicates.empty();
}

}  // namespace rankrt
