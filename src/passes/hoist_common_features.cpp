// hoist_common_features: a Dense whose input concatenates (on the last axis) a one-row tensor
// broadcast to every candidate (Tile with repeats [.., 1] or Expand) with per-candidate features,
//   concat(broadcast(c), x)·W + b = x·W_x + (c·W_c + b),
// gets W's rows split: a new Dense computes the bracket once per request on the one-row path and
// feeds the main Dense's bias input. Casts between the broadcast and the concat and after the
// concat are moved onto each side: Cast(concat(a, b)) = concat(Cast(a), Cast(b)).
#include "ops/shape_inference.h"
#include "passes/graph_rewrite.h"
#include "passes/passes.h"

namespace rankrt {

namespace {

using passes::constant_of;
using States = std::map<std::string, ValueState>;

// One input of the concat.
struct Part {
  std::string value;  // the concat input
  int64_t width = 0;
  bool broadcast = false;
  std::string row;                   // broadcast: the one-row tensor repeated
  std::optional<int64_t> cast_to;    // broadcast: Cast applied after the broadcast
  std::vector<std::string> sources;  // broadcast: names of the Tile/Expand and Cast nodes
};

bool one_row(const ValueState& s, size_t rank) {
  if (!s.rank_known || s.shape.size() != rank) return false;
  for (size_t d = 0; d + 1 < rank; ++d)
    if (!s.shape[d].is_known() || s.shape[d].value != 1) return false;
  return s.shape.back().is_known();
}

// The repeats of a Tile, when the last one is known to be 1 (constant or shape value).
bool repeats_last_axis_once(const ValueState& s) {
  if (s.constant) return s.constant->numel() > 0 && s.constant->as_int64(s.constant->numel() - 1) == 1;
  return s.shape_value && !s.shape_value->empty() && s.shape_value->back() == Dim(1);
}

void classify(const Graph& g, const States& states, Part& part, size_t rank) {
  std::optional<size_t> p = g.producer(part.value);
  if (p && g.nodes[*p].op == "Cast") {
    part.cast_to = g.nodes[*p].attr_int("to");
    part.sources.push_back(g.nodes[*p].name);
    p = g.producer(g.nodes[*p].inputs[0]);
  }
  if (!p) return;
  const Node& b = g.nodes[*p];
  if ((b.op != "Tile" && b.op != "Expand") || b.inputs.size() != 2) return;
  const ValueState& row = states.at(b.inputs[0]);
  const ValueState& out = states.at(b.outputs[0]);
  if (!one_row(row, rank) || !out.rank_known || out.shape.size() != rank ||
      out.shape.back() != row.shape.back())
    return;
  if (b.op == "Tile" && !repeats_last_axis_once(states.at(b.inputs[1]))) return;
  part.broadcast = true;
  part.row = b.inputs[0];
  part.sources.push_back(b.name);
}

std::string add_node(Graph& g, const std::string& name, const std::string& op,
                     std::vector<std::string> inputs, AttributeMap attrs) {
  std::string out = passes::fresh_name(g, name);
  g.nodes.push_back(Node{name, op, std::move(inputs), {out}, std::move(attrs)});
  return out;
}

std::string add_cast(Graph& g, const std::string& base, const std::string& value, int64_t to) {
  return add_node(g, base, "Cast", {value}, {{"to", to}});
}

// Joins values on the last axis (a single value stays as it is).
std::string add_concat(Graph& g, const std::string& base, const std::vector<std::string>& values) {
  if (values.size() == 1) return values[0];
  return add_node(g, base, "Concat", values, {{"axis", int64_t(-1)}});
}

// Rows [begin, end) of a row-major [k, m] weight, for every part with the given flag.
Tensor select_rows(const Tensor& w, const std::vector<Part>& parts, bool broadcast) {
  const int64_t m = w.dims()[1];
  std::vector<double> rows;
  int64_t offset = 0;
  for (const Part& part : parts) {
    if (part.broadcast == broadcast)
      for (int64_t i = offset * m; i < (offset + part.width) * m; ++i) rows.push_back(w.as_double(i));
    offset += part.width;
  }
  return Tensor::from_vector<double>({int64_t(rows.size()) / m, m}, rows).to(w.dtype());
}

bool hoist_into(Graph& g, size_t i, const States& states) {
  const Node d = g.nodes[i];
  const Tensor* w = constant_of(g, d.inputs[1]);
  if (!w || w->rank() != 2 || (d.has_input(2) && !constant_of(g, d.inputs[2]))) return false;
  std::optional<int64_t> outer_cast;
  std::vector<std::string> outer_sources;
  std::optional<size_t> p = g.producer(d.inputs[0]);
  if (p && g.nodes[*p].op == "Cast") {
    outer_cast = g.nodes[*p].attr_int("to");
    outer_sources.push_back(g.nodes[*p].name);
    p = g.producer(g.nodes[*p].inputs[0]);
  }
  if (!p || g.nodes[*p].op != "Concat") return false;
  const Node concat = g.nodes[*p];
  outer_sources.push_back(concat.name);
  const ValueState& cat = states.at(concat.outputs[0]);
  if (!cat.rank_known || cat.shape.empty()) return false;
  const size_t rank = cat.shape.size();
  const int64_t axis = concat.attr_int("axis");
  if (axis != int64_t(rank) - 1 && axis != -1) return false;

  std::vector<Part> parts;
  bool any_broadcast = false, any_candidate = false;
  int64_t width = 0;
  for (const std::string& value : concat.inputs) {
    const ValueState& s = states.at(value);
    if (!s.rank_known || s.shape.size() != rank || !s.shape.back().is_known()) return false;
    Part part;
    part.value = value;
    part.width = s.shape.back().value;
    classify(g, states, part, rank);
    any_broadcast = any_broadcast || part.broadcast;
    any_candidate = any_candidate || !part.broadcast;
    width += part.width;
    parts.push_back(std::move(part));
  }
  if (!any_broadcast || !any_candidate || width != w->dims()[0]) return false;
  for (const Part& part : parts) {
    if (!part.broadcast) continue;
    const DType row_dtype = part.cast_to ? DType(*part.cast_to) : states.at(part.row).dtype;
    if ((outer_cast ? DType(*outer_cast) : row_dtype) != w->dtype()) return false;
  }

  // The one-row side: each row, cast as the broadcast was, joined, cast as the concat was.
  std::vector<std::string> rows, candidates;
  std::vector<std::string> common_sources = outer_sources;
  for (const Part& part : parts) {
    if (!part.broadcast) {
      candidates.push_back(part.value);
      continue;
    }
    rows.push_back(part.cast_to ? add_cast(g, part.row + "/cast", part.row, *part.cast_to) : part.row);
    common_sources.insert(common_sources.end(), part.sources.begin(), part.sources.end());
  }
  std::string common_x = add_concat(g, d.name + "/common_concat", rows);
  std::string x = add_concat(g, concat.name, candidates);
  if (outer_cast) {
    common_x = add_cast(g, d.name + "/common_cast", common_x, *outer_cast);
    x = add_cast(g, d.name + "/cast", x, *outer_cast);
  }
  Node common{d.name + "/common",
              "Dense",
              {common_x, passes::add_initializer(g, d.name + "/common_weights", select_rows(*w, parts, true)),
               d.has_input(2) ? d.inputs[2] : ""},
              {passes::fresh_name(g, d.outputs[0] + "/common")},
              {{passes::kActivationAttr, std::string("none")}}};
  common.attrs[passes::kSourceNodesAttr] = passes::source_nodes(d);
  passes::add_source_names(common, common_sources);

  Node main = d;
  main.inputs.resize(std::max<size_t>(main.inputs.size(), 3));
  main.inputs[0] = x;
  main.inputs[1] = passes::add_initializer(g, d.name + "/weights", select_rows(*w, parts, false));
  main.inputs[2] = common.outputs[0];
  passes::add_source_names(main, outer_sources);
  g.nodes.push_back(std::move(common));
  g.nodes[i] = std::move(main);
  return true;
}

}  // namespace

bool hoist_common_features(Graph& g) {
  bool changed = false;
  for (bool again = true; again;) {
    again = false;
    const States states = infer_value_states(g);
    for (size_t i = 0; i < g.nodes.size() && !again; ++i)
      again = g.nodes[i].op == "Dense" && hoist_into(g, i, states);
    if (again) topological_sort(g);
    changed = changed || again;
  }
  return changed;
}

}  // namespace rankrt
