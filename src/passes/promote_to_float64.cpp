// promote_to_float64: retypes a graph's float values to float64 (see promote_to_float64.h).
#include "passes/promote_to_float64.h"

#include <set>

#include "ops/shape_inference.h"

namespace rankrt {

namespace {

constexpr int64_t kOnnxDoubleType = 11;  // LayerNormalization's stash_type for float64

// A value name derived from `base` that is not in `names`; added to them.
std::string unused_name(std::set<std::string>& names, const std::string& base) {
  std::string name = base;
  for (int i = 1; names.count(name); ++i) name = base + "_" + std::to_string(i);
  names.insert(name);
  return name;
}

}  // namespace

Graph promote_to_float64(Graph g) {
  for (auto& [name, t] : g.initializers)
    if (is_float(t.dtype())) t = t.to(DType::kF64);
  for (ValueInfo& v : g.inputs)
    if (is_float(v.dtype)) v.dtype = DType::kF64;
  std::set<std::string> names;
  for (const ValueInfo& v : g.inputs) names.insert(v.name);
  for (const auto& [name, t] : g.initializers) names.insert(name);
  for (const Node& n : g.nodes) names.insert(n.outputs.begin(), n.outputs.end());
  std::vector<Node> nodes;
  for (Node& n : g.nodes) {
    for (auto& [key, a] : n.attrs)
      if (Tensor* t = std::get_if<Tensor>(&a); t && is_float(t->dtype())) *t = t->to(DType::kF64);
    if (n.op == "LayerNormalization") n.attrs["stash_type"] = kOnnxDoubleType;
    if (n.op != "Cast" || !is_float(DType(n.attr_int("to")))) {
      nodes.push_back(std::move(n));
      continue;
    }
    const DType to = DType(n.attr_int("to"));
    if (to == DType::kF32 || to == DType::kF64) {
      n.attrs["to"] = int64_t(DType::kF64);
      nodes.push_back(std::move(n));
      continue;
    }
    // float16 / bfloat16: round as before, then widen.
    const std::string rounded = unused_name(names, n.outputs[0] + "/" + std::string(dtype_name(to)));
    Node widen{n.name + "/to_float64", "Cast", {rounded}, {n.outputs[0]}, {{"to", int64_t(DType::kF64)}}};
    n.outputs[0] = rounded;
    nodes.push_back(std::move(n));
    nodes.push_back(std::move(widen));
  }
  g.nodes = std::move(nodes);
  verify_graph(g);
  infer_shapes(g);
  return g;
}

}  // namespace rankrt
