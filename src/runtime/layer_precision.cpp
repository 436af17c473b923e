// Per-layer precision rules: parsing, glob matching and resolution over a graph's GEMM layers.
#include "runtime/layer_precision.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>

#include "passes/graph_rewrite.h"

namespace rankrt {

namespace {

const std::vector<std::string> kKnownPrecisions = {"fp32", "tf32", "fp16",   "bf16",
                                                   "int8", "fp8",  "tf32x3", "fp64"};
const std::set<std::string> kCudaPrecisions = {"fp32", "tf32", "fp16", "bf16", "int8", "fp8", "tf32x3"};

std::string trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  return std::string(s.substr(begin, s.find_last_not_of(" \t") - begin + 1));
}

// The set [...] at p[i]: whether it holds c, and its length; nullopt when it is not closed (the
// '[' is then an ordinary character).
std::optional<std::pair<bool, size_t>> match_set(std::string_view p, size_t i, char c) {
  size_t j = i + 1;
  const bool negate = j < p.size() && (p[j] == '!' || p[j] == '^');
  if (negate) ++j;
  const size_t first = j;
  bool in = false;
  while (j < p.size() && (p[j] != ']' || j == first)) {
    char lo = p[j];
    if (lo == '\\' && j + 1 < p.size()) lo = p[++j];
    char hi = lo;
    if (j + 2 < p.size() && p[j + 1] == '-' && p[j + 2] != ']') {
      j += 2;
      hi = p[j];
      if (hi == '\\' && j + 1 < p.size()) hi = p[++j];
    }
    in = in || (lo <= c && c <= hi);
    ++j;
  }
  if (j >= p.size()) return std::nullopt;
  return std::pair{in != negate, j + 1 - i};
}

bool matches(const std::string& pattern, const Node& n) {
  if (glob_match(pattern, n.name)) return true;
  for (const std::string& source : passes::source_nodes(n))
    if (glob_match(pattern, source)) return true;
  return false;
}

// Throws unless the backend can run a layer in precision `p`.
void check_precision(const std::string& p, const std::string& what, const std::string& backend,
                     const std::string& precision) {
  if (std::find(kKnownPrecisions.begin(), kKnownPrecisions.end(), p) == kKnownPrecisions.end())
    fail(ErrorCode::kUsage, "{}: unknown precision '{}' ({})", what, p, fmt::join(kKnownPrecisions, ", "));
  if (backend == "cuda" && !kCudaPrecisions.count(p))
    fail(ErrorCode::kUsage, "{}: backend cuda has no {} layers ({})", what, p,
         fmt::join(kCudaPrecisions, ", "));
  if (backend != "cuda" && p != precision)
    fail(ErrorCode::kUsage, "{}: backend {} runs every layer in its precision {}, not {}", what, backend,
         precision, p);
}

std::string layer_list(const std::vector<const Node*>& layers) {
  std::vector<std::string> names;
  for (const Node* n : layers) names.push_back(n->name);
  return names.empty() ? "the graph has none" : fmt::format("GEMM layers: {}", fmt::join(names, ", "));
}

}  // namespace

std::vector<PrecisionRule> parse_precision_rules(const std::string& text) {
  std::vector<std::string> parts(1);
  bool in_set = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      parts.back() += text.substr(i, 2);
      ++i;
      continue;
    }
    if (c == ',' && !in_set) {
      parts.emplace_back();
      continue;
    }
    if (c == '[') in_set = true;
    if (c == ']') in_set = false;
    parts.back() += c;
  }
  std::vector<PrecisionRule> rules;
  if (trim(text).empty()) return rules;
  for (const std::string& part : parts) {
    PrecisionRule r;
    r.text = trim(part);
    const size_t eq = r.text.rfind('=');
    if (eq != std::string::npos) {
      r.pattern = trim(std::string_view(r.text).substr(0, eq));
      r.precision = trim(std::string_view(r.text).substr(eq + 1));
    }
    if (r.pattern.empty() || r.precision.empty())
      fail(ErrorCode::kUsage, "--layer-precision '{}': rule '{}' is not GLOB=PRECISION (e.g. fc1*=fp32)",
           text, r.text);
    rules.push_back(std::move(r));
  }
  return rules;
}

bool glob_match(std::string_view p, std::string_view t) {
  size_t pi = 0, ti = 0, star = std::string_view::npos, star_t = 0;
  while (ti < t.size()) {
    if (pi < p.size()) {
      if (p[pi] == '*') {
        star = ++pi;
        star_t = ti;
        continue;
      }
      bool ok = false;
      size_t length = 1;
      if (p[pi] == '?') {
        ok = true;
      } else if (p[pi] == '\\' && pi + 1 < p.size()) {
        ok = p[pi + 1] == t[ti];
        length = 2;
      } else if (auto set = p[pi] == '[' ? match_set(p, pi, t[ti]) : std::nullopt) {
        std::tie(ok, length) = *set;
      } else {
        ok = p[pi] == t[ti];
      }
      if (ok) {
        pi += length;
        ++ti;
        continue;
      }
    }
    if (star == std::string_view::npos) return false;
    pi = star;
    ti = ++star_t;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool has_gemm_precision(const Graph& g, const Node& n) {
  if (n.op == "Dense" || n.op == "Gemm") return true;
  if (n.op != "MatMul" || !n.has_input(1)) return false;
  const Tensor* w = g.find_initializer(n.inputs[1]);
  if (!w)
    if (std::optional<size_t> p = g.producer(n.inputs[1]); p && g.nodes[*p].op == "Constant")
      w = g.nodes[*p].has_attr("value") ? &g.nodes[*p].attr_tensor("value") : nullptr;
  return w && w->rank() == 2;
}

LayerPrecisionMap resolve_layer_precision(const Graph& g, const LayerPrecision& lp,
                                          const std::string& backend, const std::string& precision) {
  std::vector<const Node*> gemm;
  LayerPrecisionMap out;
  for (const Node& n : g.nodes)
    if (has_gemm_precision(g, n)) {
      gemm.push_back(&n);
      out[n.name] = precision;
    }
  if (!lp.rules.empty()) {
    for (const PrecisionRule& rule : parse_precision_rules(lp.rules)) {
      const std::string what = fmt::format("{}: --layer-precision rule '{}'", g.source, rule.text);
      check_precision(rule.precision, what, backend, precision);
      bool matched = false;
      for (const Node* n : gemm)
        if (matches(rule.pattern, *n)) {
          out[n->name] = rule.precision;
          matched = true;
        }
      if (!matched)
        fail(ErrorCode::kUsage, "{} matches no layer with a GEMM precision ({})", what, layer_list(gemm));
    }
    return out;
  }
  if (lp.layers.empty()) return out;
  for (const auto& [layer, p] : lp.layers)
    if (!out.count(layer))
      fail(ErrorCode::kData, "{}: per-layer precision names '{}', which is not a GEMM layer of the graph",
           g.source, layer);
  for (const Node* n : gemm) {
    auto it = lp.layers.find(n->name);
    if (it == lp.layers.end())
      fail(ErrorCode::kData, "{}: per-layer precision has no entry for GEMM layer '{}'", g.source, n->name);
    check_precision(it->second, fmt::format("{}: layer '{}'", g.source, n->name), backend, precision);
    out[n->name] = it->second;
  }
  return out;
}

std::string exact_rules(const LayerPrecisionMap& layers) {
  std::vector<std::string> rules;
  for (const auto& [layer, p] : layers) {
    std::string escaped;
    for (char c : layer) {
      if (std::string_view("\\*?[],").find(c) != std::string_view::npos) escaped += '\\';
      escaped += c;
    }
    rules.push_back(escaped + "=" + p);
  }
  return fmt::format("{}", fmt::join(rules, ","));
}

std::string canonical_rules(const LayerPrecision& lp) {
  if (lp.rules.empty()) return exact_rules(lp.layers);
  std::vector<std::string> rules;
  for (const PrecisionRule& r : parse_precision_rules(lp.rules))
    rules.push_back(r.pattern + "=" + r.precision);
  return fmt::format("{}", fmt::join(rules, ","));
}

std::string describe_overrides(const LayerPrecisionMap& layers, const std::string& precision) {
  std::vector<std::string> parts;
  for (const auto& [layer, p] : layers)
    if (p != precision) parts.push_back(layer + " " + p);
  return parts.empty() ? "" : fmt::format(" (per layer: {})", fmt::join(parts, ", "));
}

}  // namespace rankrt
