// Helpers shared by the optimizer passes.
#include "passes/graph_rewrite.h"

#include <algorithm>

namespace rankrt::passes {

std::set<size_t> Uses::readers(const std::string& value) const {
  auto it = consumers.find(value);
  if (it == consumers.end()) return {};
  return {it->second.begin(), it->second.end()};
}

Uses compute_uses(const Graph& g) {
  Uses uses;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (const std::string& in : g.nodes[i].inputs)
      if (!in.empty()) uses.consumers[in].push_back(i);
  for (const ValueInfo& v : g.outputs) uses.graph_outputs.insert(v.name);
  return uses;
}

std::optional<size_t> sole_reader(const Uses& uses, const std::string& value) {
  if (uses.is_output(value)) return std::nullopt;
  std::set<size_t> readers = uses.readers(value);
  if (readers.size() != 1) return std::nullopt;
  return *readers.begin();
}

bool pattern_is_closed(const Graph& g, const Uses& uses, const std::set<size_t>& nodes, size_t final_node,
                       const std::vector<std::string>& internal) {
  auto closed = [&](const std::string& value) {
    if (uses.is_output(value)) return false;
    for (size_t r : uses.readers(value))
      if (!nodes.count(r)) return false;
    return true;
  };
  for (const std::string& v : internal)
    if (!closed(v)) return false;
  for (size_t i : nodes) {
    if (i == final_node) continue;
    for (const std::string& out : g.nodes[i].outputs)
      if (!out.empty() && !closed(out)) return false;
  }
  return true;
}

const Tensor* constant_of(const Graph& g, const std::string& value) {
  if (value.empty() || g.find_input(value)) return nullptr;
  return g.find_initializer(value);
}

std::optional<std::vector<double>> per_column(const Tensor& t, int64_t m, size_t rank) {
  if (t.empty() || size_t(t.rank()) > rank) return std::nullopt;
  const std::vector<int64_t>& dims = t.dims();
  for (size_t i = 0; i + 1 < dims.size(); ++i)
    if (dims[i] != 1) return std::nullopt;
  const int64_t n = t.numel();
  if (n != 1 && n != m) return std::nullopt;
  std::vector<double> values(static_cast<size_t>(m));
  for (int64_t j = 0; j < m; ++j) values[size_t(j)] = t.as_double(n == 1 ? 0 : j);
  return values;
}

bool all_equal(const Tensor& t, double v) {
  if (t.empty()) return false;
  for (int64_t i = 0; i < t.numel(); ++i)
    if (t.as_double(i) != v) return false;
  return true;
}

Tensor column_tensor(const std::vector<double>& values, DType dtype) {
  return Tensor::from_vector<double>({int64_t(values.size())}, values).to(dtype);
}

std::string fresh_name(const Graph& g, const std::string& base) {
  std::set<std::string> used;
  for (const ValueInfo& v : g.inputs) used.insert(v.name);
  for (const auto& [name, t] : g.initializers) used.insert(name);
  for (const Node& n : g.nodes) used.insert(n.outputs.begin(), n.outputs.end());
  if (!used.count(base)) return base;
  for (int i = 1;; ++i) {
    std::string candidate = base + "_" + std::to_string(i);
    if (!used.count(candidate)) return candidate;
  }
}

std::string add_initializer(Graph& g, const std::string& base, Tensor t) {
  std::string name = fresh_name(g, base);
  g.initializers[name] = std::move(t);
  return name;
}

void replace_uses(Graph& g, const std::string& from, const std::string& to) {
  for (Node& n : g.nodes)
    for (std::string& in : n.inputs)
      if (in == from) in = to;
}

void remove_nodes(Graph& g, const std::set<size_t>& indices) {
  std::vector<Node> kept;
  kept.reserve(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!indices.count(i)) kept.push_back(std::move(g.nodes[i]));
  g.nodes = std::move(kept);
}

void absorb_nodes(Graph& g, size_t index, Node fused, const std::set<size_t>& absorbed, size_t last) {
  for (size_t n : absorbed) add_source_nodes(fused, g.nodes[n]);
  fused.outputs[0] = g.nodes[last].outputs[0];
  g.nodes[index] = std::move(fused);
  remove_nodes(g, absorbed);
}

bool rewrite_to_fixpoint(Graph& g, bool (*once)(Graph&)) {
  bool changed = false;
  while (once(g)) changed = true;
  return changed;
}

bool bypass_node(Graph& g, size_t index, const std::string& value) {
  const std::string out = g.nodes[index].outputs.at(0);
  const bool out_is_graph_output =
      std::any_of(g.outputs.begin(), g.outputs.end(), [&](const ValueInfo& v) { return v.name == out; });
  if (out_is_graph_output) {
    const bool value_is_graph_output =
        std::any_of(g.outputs.begin(), g.outputs.end(), [&](const ValueInfo& v) { return v.name == value; });
    std::optional<size_t> producer = g.producer(value);
    if (!producer || value_is_graph_output) return false;
    for (std::string& o : g.nodes[*producer].outputs)
      if (o == value) o = out;
    replace_uses(g, value, out);
  } else {
    replace_uses(g, out, value);
  }
  remove_nodes(g, {index});
  return true;
}

std::vector<std::string> source_nodes(const Node& n) {
  auto it = n.attrs.find(kSourceNodesAttr);
  if (it != n.attrs.end())
    if (const auto* list = std::get_if<std::vector<std::string>>(&it->second)) return *list;
  return {n.name};
}

void add_source_nodes(Node& to, const Node& from) { add_source_names(to, source_nodes(from)); }

void add_source_names(Node& to, const std::vector<std::string>& names) {
  std::vector<std::string> merged = source_nodes(to);
  for (const std::string& s : names)
    if (std::find(merged.begin(), merged.end(), s) == merged.end()) merged.push_back(s);
  to.attrs[kSourceNodesAttr] = merged;
}

std::optional<std::string> other_input(const Node& n, const std::string& value) {
  if (n.inputs.size() != 2) return std::nullopt;
  if (n.inputs[0] == value) return n.inputs[1];
  if (n.inputs[1] == value) return n.inputs[0];
  return std::nullopt;
}

std::optional<Fill> fill_of(const Graph& g, const std::string& value) {
  std::optional<size_t> p = g.producer(value);
  if (!p) return std::nullopt;
  const Node& n = g.nodes[*p];
  if (n.op == "ConstantOfShape" && n.inputs.size() == 1) {
    if (!n.has_attr("value")) return Fill{Tensor::scalar<float>(0.0f), n.inputs[0]};
    const Tensor& t = n.attr_tensor("value");
    if (t.numel() == 1) return Fill{t.clone(), n.inputs[0]};
  }
  if (n.op == "Expand" && n.inputs.size() == 2) {
    const Tensor* t = constant_of(g, n.inputs[0]);
    if (t && t->numel() == 1) return Fill{t->clone(), n.inputs[1]};
  }
  return std::nullopt;
}

}  // namespace rankrt::passes
