// fuse_activation: folds the activation applied to a Dense's output into the Dense: Relu,
// LeakyRelu, PRelu, PReLU written max(0,x) + a*min(0,x), Sigmoid, Tanh, swish x*sigmoid(x), GELU
// (erf and tanh forms) and Dice (p = sigmoid(s*(x-m)); a*(1-p)*x + p*x). Every operand order and
// grouping of the products is recognised. A pattern is fused only when its intermediate values
// (the Dense output included) are read by the pattern alone and are not graph outputs.
#include <algorithm>
#include <cmath>

#include "ops/dense_post_ops.h"
#include "ops/shape_inference.h"
#include "passes/graph_rewrite.h"
#include "passes/passes.h"

namespace rankrt {

namespace {

using passes::constant_of;

struct Match {
  std::string activation;
  std::vector<std::vector<double>> params;
  std::set<size_t> nodes;
  size_t final_node = 0;
};

// What the matchers look at: the graph, its uses, the Dense output y and its column count.
struct Site {
  const Graph& g;
  const passes::Uses& uses;
  std::string y;
  int64_t m;
  size_t rank;

  const Node& node(size_t i) const { return g.nodes[i]; }
  const std::string& out(size_t i) const { return g.nodes[i].outputs[0]; }

  // The only reader of `v` with op `op` (other readers may exist: closure is checked later).
  std::optional<size_t> reader(const std::string& v, const std::string& op) const {
    std::optional<size_t> found;
    for (size_t r : uses.readers(v)) {
      if (g.nodes[r].op != op || g.nodes[r].outputs.size() != 1) continue;
      if (found) return std::nullopt;
      found = r;
    }
    return found;
  }
  std::optional<std::vector<double>> columns(const std::string& name) const {
    const Tensor* c = constant_of(g, name);
    return c ? passes::per_column(*c, m, rank) : std::nullopt;
  }
  // A constant all of whose elements are `v` (to float32 precision of common constants).
  bool is_constant(const std::string& name, double v) const {
    auto c = columns(name);
    if (!c) return false;
    for (double x : *c)
      if (std::fabs(x - v) > 1e-6 * std::fabs(v)) return false;
    return true;
  }
  // The other operand of binary node i, which reads `v`.
  std::optional<std::string> other(size_t i, const std::string& v) const {
    return passes::other_input(g.nodes[i], v);
  }
};

// Mul(Mul(f1, f2), f3) for {f1, f2, f3} = {a, b, a constant} in any order: (inner, outer, constant).
struct Product {
  size_t inner, outer;
  std::string constant;
};

std::optional<Product> match_product(const Site& s, const std::string& a, const std::string& b) {
  for (const std::string& start : {a, b}) {
    for (size_t inner : s.uses.readers(start)) {
      const Node& n = s.node(inner);
      if (n.op != "Mul" || n.inputs.size() != 2) continue;
      auto outer = s.reader(s.out(inner), "Mul");
      if (!outer) continue;
      auto w = s.other(*outer, s.out(inner));
      if (!w) continue;
      std::vector<std::string> factors = {n.inputs[0], n.inputs[1], *w};
      for (const std::string& known : {a, b}) {
        auto it = std::find(factors.begin(), factors.end(), known);
        if (it != factors.end()) factors.erase(it);
      }
      if (factors.size() == 1 && constant_of(s.g, factors[0])) return Product{inner, *outer, factors[0]};
    }
  }
  return std::nullopt;
}

std::optional<Match> single_op(const Site& s, const std::string& op, const std::string& activation) {
  auto r = s.reader(s.y, op);
  if (!r || s.node(*r).inputs.size() != 1) return std::nullopt;
  return Match{activation, {}, {*r}, *r};
}

std::optional<Match> leaky_relu(const Site& s) {
  auto r = s.reader(s.y, "LeakyRelu");
  if (!r) return std::nullopt;
  const double alpha = s.node(*r).attr_float("alpha", 0.01);
  return Match{"prelu", {std::vector<double>(size_t(s.m), alpha)}, {*r}, *r};
}

std::optional<Match> prelu_op(const Site& s) {
  auto r = s.reader(s.y, "PRelu");
  if (!r || s.node(*r).inputs.size() != 2 || s.node(*r).inputs[0] != s.y) return std::nullopt;
  auto slope = s.columns(s.node(*r).inputs[1]);
  if (!slope) return std::nullopt;
  return Match{"prelu", {*slope}, {*r}, *r};
}

// max(0, y) + a * min(0, y)
std::optional<Match> prelu_max_min(const Site& s) {
  auto mx = s.reader(s.y, "Max"), mn = s.reader(s.y, "Min");
  if (!mx || !mn) return std::nullopt;
  auto zero_max = s.other(*mx, s.y), zero_min = s.other(*mn, s.y);
  if (!zero_max || !zero_min || !s.is_constant(*zero_max, 0.0) || !s.is_constant(*zero_min, 0.0))
    return std::nullopt;
  auto mul = s.reader(s.out(*mn), "Mul");
  if (!mul) return std::nullopt;
  auto alpha_name = s.other(*mul, s.out(*mn));
  auto alpha = alpha_name ? s.columns(*alpha_name) : std::nullopt;
  auto add = s.reader(s.out(*mul), "Add");
  if (!alpha || !add || s.other(*add, s.out(*mul)) != s.out(*mx)) return std::nullopt;
  return Match{"prelu", {*alpha}, {*mx, *mn, *mul, *add}, *add};
}

// y * sigmoid(y)
std::optional<Match> swish(const Site& s) {
  auto sig = s.reader(s.y, "Sigmoid");
  if (!sig) return std::nullopt;
  auto mul = s.reader(s.out(*sig), "Mul");
  if (!mul || s.other(*mul, s.out(*sig)) != s.y) return std::nullopt;
  return Match{"swish", {}, {*sig, *mul}, *mul};
}

// 0.5 * y * (1 + inner) where `one_plus` = Add(inner, 1) reads the node `inner_node`.
std::optional<Match> half_y_times(const Site& s, size_t inner_node, const std::string& activation,
                                  std::set<size_t> nodes) {
  auto one_plus = s.reader(s.out(inner_node), "Add");
  if (!one_plus) return std::nullopt;
  auto one = s.other(*one_plus, s.out(inner_node));
  if (!one || !s.is_constant(*one, 1.0)) return std::nullopt;
  auto product = match_product(s, s.y, s.out(*one_plus));
  if (!product || !s.is_constant(product->constant, 0.5)) return std::nullopt;
  nodes.insert({inner_node, *one_plus, product->inner, product->outer});
  return Match{activation, {}, nodes, product->outer};
}

// 0.5 * y * (1 + erf(y / sqrt(2)))
std::optional<Match> gelu_erf(const Site& s) {
  std::optional<size_t> scaled;
  for (size_t r : s.uses.readers(s.y)) {
    const Node& n = s.node(r);
    if (n.inputs.size() != 2 || n.outputs.size() != 1) continue;
    if (n.op == "Div" && n.inputs[0] == s.y && s.is_constant(n.inputs[1], std::sqrt(2.0))) scaled = r;
    auto c = s.other(r, s.y);
    if (n.op == "Mul" && c && s.is_constant(*c, 1 / std::sqrt(2.0))) scaled = r;
  }
  if (!scaled) return std::nullopt;
  auto erf = s.reader(s.out(*scaled), "Erf");
  if (!erf) return std::nullopt;
  return half_y_times(s, *erf, "gelu", {*scaled});
}

// y^3 as Pow(y, 3), Mul(y, Mul(y, y)) or Mul(Mul(y, y), y): the nodes and the final one.
std::optional<std::pair<std::set<size_t>, size_t>> cube(const Site& s) {
  if (auto pow = s.reader(s.y, "Pow");
      pow && s.node(*pow).inputs[0] == s.y && s.is_constant(s.node(*pow).inputs[1], 3.0))
    return std::pair{std::set<size_t>{*pow}, *pow};
  for (size_t sq : s.uses.readers(s.y)) {
    const Node& n = s.node(sq);
    if (n.op != "Mul" || n.inputs.size() != 2 || n.inputs[0] != s.y || n.inputs[1] != s.y) continue;
    auto cu = s.reader(s.out(sq), "Mul");
    if (cu && s.other(*cu, s.out(sq)) == s.y) return std::pair{std::set<size_t>{sq, *cu}, *cu};
  }
  return std::nullopt;
}

// 0.5 * y * (1 + tanh(sqrt(2/pi) * (y + 0.044715 * y^3)))
std::optional<Match> gelu_tanh(const Site& s) {
  auto y3 = cube(s);
  if (!y3) return std::nullopt;
  auto scaled = s.reader(s.out(y3->second), "Mul");
  if (!scaled) return std::nullopt;
  auto c1 = s.other(*scaled, s.out(y3->second));
  auto sum = s.reader(s.out(*scaled), "Add");
  if (!c1 || !s.is_constant(*c1, 0.044715) || !sum || s.other(*sum, s.out(*scaled)) != s.y)
    return std::nullopt;
  auto inner = s.reader(s.out(*sum), "Mul");
  if (!inner) return std::nullopt;
  auto c2 = s.other(*inner, s.out(*sum));
  auto tanh = s.reader(s.out(*inner), "Tanh");
  if (!c2 || !s.is_constant(*c2, std::sqrt(2 / M_PI)) || !tanh) return std::nullopt;
  std::set<size_t> nodes = y3->first;
  nodes.insert({*scaled, *sum, *inner});
  return half_y_times(s, *tanh, "gelu_tanh", nodes);
}

// p = sigmoid(scale * (y - mean)); alpha * (1 - p) * y + p * y
std::optional<Match> dice(const Site& s) {
  auto centered = s.reader(s.y, "Sub");
  if (!centered || s.node(*centered).inputs[0] != s.y) return std::nullopt;
  auto mean = s.columns(s.node(*centered).inputs[1]);
  auto scaled = s.reader(s.out(*centered), "Mul");
  if (!mean || !scaled) return std::nullopt;
  auto scale_name = s.other(*scaled, s.out(*centered));
  auto scale = scale_name ? s.columns(*scale_name) : std::nullopt;
  auto p = s.reader(s.out(*scaled), "Sigmoid");
  if (!scale || !p) return std::nullopt;
  auto one_minus = s.reader(s.out(*p), "Sub");
  auto py = s.reader(s.out(*p), "Mul");
  if (!one_minus || !py || s.node(*one_minus).inputs[1] != s.out(*p) ||
      !s.is_constant(s.node(*one_minus).inputs[0], 1.0) || s.other(*py, s.out(*p)) != s.y)
    return std::nullopt;
  auto product = match_product(s, s.y, s.out(*one_minus));
  if (!product) return std::nullopt;
  auto alpha = s.columns(product->constant);
  auto sum = s.reader(s.out(product->outer), "Add");
  if (!alpha || !sum || s.other(*sum, s.out(product->outer)) != s.out(*py)) return std::nullopt;
  return Match{"dice",
               {*alpha, *scale, *mean},
               {*centered, *scaled, *p, *one_minus, *py, product->inner, product->outer, *sum},
               *sum};
}

std::optional<Match> match_activation(const Site& s) {
  using Matcher = std::optional<Match> (*)(const Site&);
  static const Matcher matchers[] = {
      [](const Site& s) { return single_op(s, "Relu", "relu"); },
      [](const Site& s) { return single_op(s, "Sigmoid", "sigmoid"); },
      [](const Site& s) { return single_op(s, "Tanh", "tanh"); },
      leaky_relu,
      prelu_op,
      prelu_max_min,
      swish,
      gelu_erf,
      gelu_tanh,
      dice,
  };
  for (Matcher matcher : matchers) {
    auto match = matcher(s);
    if (match && passes::pattern_is_closed(s.g, s.uses, match->nodes, match->final_node, {s.y})) return match;
  }
  return std::nullopt;
}

bool fuse_once(Graph& g) {
  const std::map<std::string, ValueState> states = infer_value_states(g);
  const passes::Uses uses = passes::compute_uses(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& d = g.nodes[i];
    if (d.op != "Dense" || d.attr_string(passes::kActivationAttr, "none") != "none" || d.inputs.size() > 3 ||
        d.has_attr(kPostOpsAttr))  // an activation after the post-ops is not the Dense's activation
      continue;
    const ValueState& y = states.at(d.outputs[0]);
    if (!y.rank_known || y.shape.empty() || !y.shape.back().is_known()) continue;
    const Site site{g, uses, d.outputs[0], y.shape.back().value, y.shape.size()};
    std::optional<Match> match = match_activation(site);
    if (!match) continue;
    Node fused = g.nodes[i];
    fused.attrs[passes::kActivationAttr] = match->activation;
    fused.inputs.resize(3);
    for (const std::vector<double>& p : match->params)
      fused.inputs.push_back(passes::add_initializer(g, fused.name + "/" + match->activation,
                                                     passes::column_tensor(p, y.dtype)));
    passes::absorb_nodes(g, i, std::move(fused), match->nodes, match->final_node);
    return true;
  }
  return false;
}

}  // namespace

bool fuse_activation(Graph& g) { return passes::rewrite_to_fixpoint(g, fuse_once); }

}  // namespace rankrt
