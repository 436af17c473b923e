// Per-layer analysis for `rankrt inspect`.
#include "passes/layer_info.h"

#include <set>

#include "ops/dense_post_ops.h"
#include "passes/graph_rewrite.h"

namespace rankrt {

namespace {

// Ops that only move, reshape or create data.
const std::set<std::string> kNoFlopOps = {
    "Cast",     "Concat", "Constant",  "ConstantOfShape", "Expand", "Flatten",        "Gather",
    "Identity", "Pad",    "Range",     "Reshape",         "Shape",  "Slice",          "Split",
    "Squeeze",  "Tile",   "Transpose", "Unsqueeze",       "Where",  "GatherElements", "Size",
};

// Elementwise ops per output element of each Dense activation.
double activation_flops(const std::string& act) {
  if (act == "none") return 0;
  if (act == "prelu" || act == "swish") return 2;
  if (act == "dice") return 7;
  if (act == "gelu" || act == "gelu_tanh") return 4;
  return 1;
}

// Element count of a shape as per-candidate and fixed parts.
struct Count {
  double per_candidate = 0, fixed = 0;
};

Count elements(const ValueInfo* v) {
  if (!v || !v->rank_known) return {};
  double known = 1;
  bool symbolic = false;
  for (const Dim& d : v->shape) {
    if (d.is_known())
      known *= double(d.value);
    else if (d.is_symbolic())
      symbolic = true;
    else
      return {};
  }
  return symbolic ? Count{known, 0} : Count{0, known};
}

std::string precision_of(DType t) {
  switch (t) {
    case DType::kF32:
      return "fp32";
    case DType::kF16:
      return "fp16";
    case DType::kBF16:
      return "bf16";
    case DType::kF64:
      return "fp64";
    default:
      return std::string(dtype_name(t));
  }
}

}  // namespace

std::vector<LayerInfo> layer_table(const Graph& g,
                                   const std::map<std::string, std::string>& layer_precision) {
  auto info = [&](const std::string& name) -> const ValueInfo* {
    auto it = g.value_info.find(name);
    return it == g.value_info.end() ? nullptr : &it->second;
  };
  std::vector<LayerInfo> layers;
  for (const Node& n : g.nodes) {
    LayerInfo l;
    l.name = n.name;
    l.op = n.op;
    l.source_nodes = passes::source_nodes(n);
    for (const std::string& in : n.inputs) {
      if (in.empty()) continue;
      if (const Tensor* t = passes::constant_of(g, in)) {
        l.weights.push_back(ValueInfo{in, t->dtype(), shape_from_dims(t->dims()), true});
        l.weight_bytes += int64_t(t->nbytes());
      } else if (const ValueInfo* v = info(in)) {
        l.inputs.push_back(*v);
      }
    }
    for (const std::string& out : n.outputs)
      if (const ValueInfo* v = info(out)) l.outputs.push_back(*v);
    const ValueInfo* out = n.outputs.empty() ? nullptr : info(n.outputs[0]);
    l.precision = out ? precision_of(out->dtype) : "";
    if (auto it = layer_precision.find(n.name); it != layer_precision.end()) l.precision = it->second;
    double per_element = kNoFlopOps.count(n.op) ? 0 : 1;
    if (n.op == "MatMul" || n.op == "Gemm" || n.op == "Dense") {
      const Tensor* w = passes::constant_of(g, n.inputs.at(1));
      const ValueInfo* a = info(n.inputs[0]);
      int64_t k = w && w->rank() == 2 ? w->dims()[0] : -1;
      if (n.op == "Gemm" && w && n.attr_int("transB", 0)) k = w->dims()[1];
      if (k < 0 && a && a->rank_known && !a->shape.empty() && a->shape.back().is_known())
        k = a->shape.back().value;
      per_element = 2.0 * double(std::max<int64_t>(k, 0));
    }
    if (n.op == "Dense") {
      const std::string act = n.attr_string(passes::kActivationAttr, "none");
      if (n.has_input(2)) {
        l.fused.push_back(passes::constant_of(g, n.inputs[2]) ? "bias" : "bias_row");
        per_element += 1;
      }
      if (act != "none") l.fused.push_back(act);
      per_element += activation_flops(act);
      const PostOps<double> post = dense_post_ops(n);
      for (int i = 0; i < post.count; ++i) l.fused.push_back(post_op_name(post.op[i]));
      per_element += post.count;
    }
    if (n.op == "BatchNormalization") per_element = 2;
    const Count c = elements(out);
    l.flops_per_candidate = per_element * c.per_candidate;
    l.flops_fixed = per_element * c.fixed;
    layers.push_back(std::move(l));
  }
  return layers;
}

}  // namespace rankrt
