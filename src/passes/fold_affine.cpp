// fold_affine: MatMul/Gemm with constant 2-D weights become Dense; per-column affines y = x*s + t
// (Mul/Add/Sub/Div by constants, BatchNormalization in inference mode) that follow a Dense are
// folded into its weights and bias, ones that precede it into its weights:
//   (x·W + b)*s + t = x·(W diag(s)) + (b*s + t),   (x*s + t)·W + b = x·(diag(s) W) + (t·W + b).
// Everything is computed in float64 and rounded once to the weight dtype.
#include <cmath>

#include "ops/dense_post_ops.h"
#include "ops/shape_inference.h"
#include "passes/graph_rewrite.h"
#include "passes/passes.h"

namespace rankrt {

namespace {

using passes::constant_of;
using States = std::map<std::string, ValueState>;

// A node computing out = x*scale + shift per column of x.
struct Affine {
  std::string x;
  std::vector<double> scale, shift;
};

const ValueState* state_of(const States& states, const std::string& v) {
  auto it = states.find(v);
  return it == states.end() ? nullptr : &it->second;
}

// x's rank and known last dim when x is a float value of known rank >= 1.
std::optional<std::pair<size_t, int64_t>> columns_of(const States& states, const std::string& x) {
  const ValueState* s = state_of(states, x);
  if (!s || !s->rank_known || s->shape.empty() || !is_float(s->dtype) || !s->shape.back().is_known())
    return std::nullopt;
  return std::pair{s->shape.size(), s->shape.back().value};
}

std::optional<Affine> match_batch_norm(const Graph& g, const Node& n, const States& states) {
  if (n.inputs.size() != 5 || n.outputs.size() != 1 || n.attr_int("training_mode", 0) != 0)
    return std::nullopt;
  auto cols = columns_of(states, n.inputs[0]);
  if (!cols || cols->first != 2) return std::nullopt;  // the channel axis (1) is the last one
  std::vector<std::vector<double>> p;
  for (size_t i = 1; i < 5; ++i) {
    const Tensor* c = constant_of(g, n.inputs[i]);
    auto v = c ? passes::per_column(*c, cols->second, 1) : std::nullopt;
    if (!v) return std::nullopt;
    p.push_back(std::move(*v));
  }
  const double eps = n.attr_float("epsilon", 1e-5);
  Affine a{n.inputs[0], {}, {}};
  for (int64_t j = 0; j < cols->second; ++j) {
    const double s = p[0][j] / std::sqrt(p[3][j] + eps);
    a.scale.push_back(s);
    a.shift.push_back(p[1][j] - p[2][j] * s);
  }
  return a;
}

std::optional<Affine> match_affine(const Graph& g, const Node& n, const States& states) {
  if (n.op == "BatchNormalization") return match_batch_norm(g, n, states);
  if (n.inputs.size() != 2 || n.outputs.size() != 1) return std::nullopt;
  if (n.op != "Mul" && n.op != "Add" && n.op != "Sub" && n.op != "Div") return std::nullopt;
  for (size_t xi = 0; xi < 2; ++xi) {
    const std::string& x = n.inputs[xi];
    const Tensor* c = constant_of(g, n.inputs[1 - xi]);
    auto cols = columns_of(states, x);
    if (!c || constant_of(g, x) || !cols) continue;
    auto v = passes::per_column(*c, cols->second, cols->first);
    if (!v) continue;
    const size_t m = size_t(cols->second);
    Affine a{x, std::vector<double>(m, 1.0), std::vector<double>(m, 0.0)};
    if (n.op == "Mul") a.scale = *v;
    if (n.op == "Add") a.shift = *v;
    if (n.op == "Sub" && xi == 0)
      for (size_t j = 0; j < m; ++j) a.shift[j] = -(*v)[j];
    if (n.op == "Sub" && xi == 1) a.scale.assign(m, -1.0), a.shift = *v;
    if (n.op == "Div" && xi == 1) continue;  // c / x is not affine
    if (n.op == "Div")
      for (size_t j = 0; j < m; ++j) a.scale[j] = 1.0 / (*v)[j];
    return a;
  }
  return std::nullopt;
}

// A constant 2-D weight as doubles, row-major [k, m].
struct Weights {
  int64_t k = 0, m = 0;
  std::vector<double> w;
  DType dtype = DType::kF32;
};

std::optional<Weights> weights_of(const Graph& g, const std::string& name) {
  const Tensor* t = constant_of(g, name);
  if (!t || t->rank() != 2 || !is_float(t->dtype())) return std::nullopt;
  Weights w{t->dims()[0], t->dims()[1], std::vector<double>(size_t(t->numel())), t->dtype()};
  for (int64_t i = 0; i < t->numel(); ++i) w.w[size_t(i)] = t->as_double(i);
  return w;
}

Tensor weight_tensor(const Weights& w) { return Tensor::from_vector<double>({w.k, w.m}, w.w).to(w.dtype); }

// A Dense whose weights and bias are constants (the bias may be absent: zeros).
struct DenseParts {
  Weights w;
  std::vector<double> bias;
};

std::optional<DenseParts> dense_parts(const Graph& g, const Node& n) {
  if (n.op != "Dense") return std::nullopt;
  auto w = weights_of(g, n.inputs.at(1));
  if (!w) return std::nullopt;
  DenseParts parts{*w, std::vector<double>(size_t(w->m), 0.0)};
  if (n.has_input(2)) {
    const Tensor* b = constant_of(g, n.inputs[2]);
    auto v = b ? passes::per_column(*b, w->m, 2) : std::nullopt;
    if (!v) return std::nullopt;
    parts.bias = *v;
  }
  return parts;
}

void store_dense(Graph& g, Node& n, const DenseParts& parts) {
  n.inputs.resize(std::max<size_t>(n.inputs.size(), 3));
  n.inputs[1] = passes::add_initializer(g, n.name + "/weights", weight_tensor(parts.w));
  n.inputs[2] =
      passes::add_initializer(g, n.name + "/bias", passes::column_tensor(parts.bias, parts.w.dtype));
}

// MatMul(x, W) / Gemm(x, B, C) with constant 2-D weights -> Dense.
bool to_dense(Graph& g, size_t i, const States& states) {
  Node& n = g.nodes[i];
  if ((n.op != "MatMul" && n.op != "Gemm") || n.outputs.size() != 1) return false;
  const ValueState* x = state_of(states, n.inputs[0]);
  auto w = weights_of(g, n.inputs[1]);
  if (!x || !x->rank_known || x->shape.size() < 2 || !w || x->dtype != w->dtype) return false;
  Node dense{n.name, "Dense", {n.inputs[0], n.inputs[1], ""}, n.outputs, {}};
  dense.attrs[passes::kActivationAttr] = std::string("none");
  dense.attrs[passes::kSourceNodesAttr] = passes::source_nodes(n);
  if (n.op == "Gemm") {
    if (n.attr_int("transA", 0) != 0 || x->shape.size() != 2) return false;
    const double alpha = n.attr_float("alpha", 1.0), beta = n.attr_float("beta", 1.0);
    DenseParts parts{*w, std::vector<double>(size_t(w->m), 0.0)};
    if (n.attr_int("transB", 0) != 0) {
      parts.w.k = w->m;
      parts.w.m = w->k;
      for (int64_t r = 0; r < parts.w.k; ++r)
        for (int64_t c = 0; c < parts.w.m; ++c)
          parts.w.w[size_t(r * parts.w.m + c)] = w->w[size_t(c * w->m + r)];
      parts.bias.assign(size_t(parts.w.m), 0.0);
    }
    for (double& v : parts.w.w) v *= alpha;
    if (n.has_input(2)) {
      const Tensor* c = constant_of(g, n.inputs[2]);
      auto v = c ? passes::per_column(*c, parts.w.m, 2) : std::nullopt;
      if (!v) return false;
      for (size_t j = 0; j < v->size(); ++j) parts.bias[j] = beta * (*v)[j];
    }
    store_dense(g, dense, parts);
  }
  g.nodes[i] = std::move(dense);
  return true;
}

// Dense (no activation) followed by an affine of its output.
bool fold_following(Graph& g, size_t i, const States& states, const passes::Uses& uses) {
  const Node& d = g.nodes[i];
  if (d.attr_string(passes::kActivationAttr, "none") != "none" || d.has_attr(kPostOpsAttr)) return false;
  auto parts = dense_parts(g, d);
  auto reader = passes::sole_reader(uses, d.outputs[0]);
  if (!parts || !reader) return false;
  auto affine = match_affine(g, g.nodes[*reader], states);
  if (!affine || affine->x != d.outputs[0] || int64_t(affine->scale.size()) != parts->w.m) return false;
  for (int64_t r = 0; r < parts->w.k; ++r)
    for (int64_t c = 0; c < parts->w.m; ++c)
      parts->w.w[size_t(r * parts->w.m + c)] *= affine->scale[size_t(c)];
  for (size_t c = 0; c < parts->bias.size(); ++c)
    parts->bias[c] = parts->bias[c] * affine->scale[c] + affine->shift[c];
  Node& dense = g.nodes[i];
  store_dense(g, dense, *parts);
  passes::add_source_nodes(dense, g.nodes[*reader]);
  dense.outputs[0] = g.nodes[*reader].outputs[0];
  passes::remove_nodes(g, {*reader});
  return true;
}

// An affine whose only reader is a Dense's X input.
bool fold_preceding(Graph& g, size_t i, const States& states, const passes::Uses& uses) {
  const Node& d = g.nodes[i];
  auto parts = dense_parts(g, d);
  auto producer = g.producer(d.inputs[0]);
  if (!parts || !producer || passes::sole_reader(uses, d.inputs[0]) != i || d.inputs[1] == d.inputs[0])
    return false;
  auto affine = match_affine(g, g.nodes[*producer], states);
  if (!affine || int64_t(affine->scale.size()) != parts->w.k) return false;
  const int64_t m = parts->w.m;
  for (int64_t r = 0; r < parts->w.k; ++r) {
    for (int64_t c = 0; c < m; ++c) {
      double& w = parts->w.w[size_t(r * m + c)];
      parts->bias[size_t(c)] += affine->shift[size_t(r)] * w;
      w *= affine->scale[size_t(r)];
    }
  }
  Node& dense = g.nodes[i];
  store_dense(g, dense, *parts);
  passes::add_source_nodes(dense, g.nodes[*producer]);
  dense.inputs[0] = affine->x;
  passes::remove_nodes(g, {*producer});
  return true;
}

bool rewrite_once(Graph& g) {
  const States states = infer_value_states(g);
  const passes::Uses uses = passes::compute_uses(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (to_dense(g, i, states)) return true;
    if (g.nodes[i].op != "Dense") continue;
    if (fold_following(g, i, states, uses) || fold_preceding(g, i, states, uses)) return true;
  }
  return false;
}

}  // namespace

bool fold_affine(Graph& g) { return passes::rewrite_to_fixpoint(g, rewrite_once); }

}  // namespace rankrt
