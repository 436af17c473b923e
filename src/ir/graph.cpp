// Graph look-ups, topological sort and text printing.
#include "ir/graph.h"

#include <fmt/format.h>

#include <set>

namespace rankrt {

const ValueInfo* Graph::find_input(const std::string& name) const {
  for (const ValueInfo& v : inputs)
    if (v.name == name) return &v;
  return nullptr;
}

const Tensor* Graph::find_initializer(const std::string& name) const {
  auto it = initializers.find(name);
  return it == initializers.end() ? nullptr : &it->second;
}

std::optional<size_t> Graph::producer(const std::string& value) const {
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const std::string& out : nodes[i].outputs)
      if (out == value) return i;
  return std::nullopt;
}

void topological_sort(Graph& g) {
  std::map<std::string, size_t> producer_of;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (const std::string& out : g.nodes[i].outputs)
      if (!out.empty()) producer_of[out] = i;

  // Iterative DFS keeping the original order among independent nodes.
  enum class Mark { kNone, kActive, kDone };
  std::vector<Mark> mark(g.nodes.size(), Mark::kNone);
  std::vector<size_t> order;
  for (size_t root = 0; root < g.nodes.size(); ++root) {
    if (mark[root] != Mark::kNone) continue;
    std::vector<std::pair<size_t, size_t>> stack{{root, 0}};
    mark[root] = Mark::kActive;
    while (!stack.empty()) {
      auto& [node, next_input] = stack.back();
      const Node& n = g.nodes[node];
      if (next_input < n.inputs.size()) {
        auto it = producer_of.find(n.inputs[next_input++]);
        if (it == producer_of.end()) continue;
        size_t dep = it->second;
        if (mark[dep] == Mark::kActive) {
          fail(ErrorCode::kInvalidGraph, "{}: graph has a cycle through node '{}' ({})", g.source,
               g.nodes[dep].name, g.nodes[dep].op);
        }
        if (mark[dep] == Mark::kNone) {
          mark[dep] = Mark::kActive;
          stack.push_back({dep, 0});
        }
      } else {
        mark[node] = Mark::kDone;
        order.push_back(node);
        stack.pop_back();
      }
    }
  }
  std::vector<Node> sorted;
  sorted.reserve(order.size());
  for (size_t i : order) sorted.push_back(std::move(g.nodes[i]));
  g.nodes = std::move(sorted);
}

std::string graph_to_string(const Graph& g) {
  std::string out;
  auto type_of = [&](const std::string& name) -> std::string {
    auto it = g.value_info.find(name);
    if (it == g.value_info.end()) return "";
    return fmt::format(":{}{}", dtype_name(it->second.dtype),
                       it->second.rank_known ? shape_to_string(it->second.shape) : "[*]");
  };
  for (const ValueInfo& v : g.inputs)
    out += fmt::format("input {}: {}{}\n", v.name, dtype_name(v.dtype), shape_to_string(v.shape));
  for (const auto& [name, t] : g.initializers)
    out += fmt::format("initializer {}: {}{}\n", name, dtype_name(t.dtype()), dims_to_string(t.dims()));
  for (const Node& n : g.nodes) {
    std::vector<std::string> ins, outs, attrs;
    for (const auto& i : n.inputs) ins.push_back(i.empty() ? "-" : i + type_of(i));
    for (const auto& o : n.outputs) outs.push_back(o + type_of(o));
    for (const auto& [k, v] : n.attrs) attrs.push_back(k + "=" + attribute_to_string(v));
    out += fmt::format("{} = {}({}){} # {}\n", fmt::join(outs, ", "), n.op, fmt::join(ins, ", "),
                       attrs.empty() ? "" : fmt::format(" {{{}}}", fmt::join(attrs, ", ")), n.name);
  }
  for (const ValueInfo& v : g.outputs) out += fmt::format("output {}\n", v.name);
  return out;
}

}  // namespace rankrt
