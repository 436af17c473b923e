// Per-layer accuracy of an engine against the float64 reference executor on the original graph.
#include "runtime/layer_compare.h"

#include <fmt/format.h>

#include <set>

#include "passes/layer_info.h"

namespace rankrt {

namespace {

bool is_float_value(const Graph& g, const std::string& name) {
  auto it = g.value_info.find(name);
  return !name.empty() && it != g.value_info.end() && is_float(it->second.dtype);
}

// One layer output: its row of the result and the accumulators at the tolerance and at 1%.
struct LayerState {
  LayerAccuracy result;
  AccuracyAccumulator at_tolerance, at_1pct;
};

void accumulate(const Tensor& engine_value, const Tensor& reference_value, LayerState& s) {
  if (engine_value.numel() != reference_value.numel()) {
    s.result.compared = false;  // same name, another value (e.g. a reshaped form)
    return;
  }
  const Tensor e = engine_value.to(DType::kF64), r = reference_value.to(DType::kF64);
  const double* ev = e.data<double>();
  const double* rv = r.data<double>();
  for (int64_t i = 0; i < e.numel(); ++i) {
    s.at_tolerance.add(ev[i], rv[i]);
    s.at_1pct.add(ev[i], rv[i]);
  }
}

}  // namespace

Graph expose_layer_outputs(Graph g) {
  std::set<std::string> exposed;
  for (const ValueInfo& v : g.outputs) exposed.insert(v.name);
  for (const Node& n : g.nodes)
    for (const std::string& out : n.outputs)
      if (is_float_value(g, out) && exposed.insert(out).second) g.outputs.push_back(g.value_info.at(out));
  return g;
}

LayerComparison compare_layers(const Graph& original, const Engine& engine,
                               const std::vector<TensorMap>& samples, const AccuracyCriterion& criterion,
                               const ScoreSelector& selector) {
  const Graph& g = engine.graph();
  std::set<std::string> original_values;  // node outputs of the original graph
  for (const Node& n : original.nodes) original_values.insert(n.outputs.begin(), n.outputs.end());
  const std::vector<LayerInfo> info = layer_table(g);
  const AccuracyCriterion one_percent{0.01, criterion.min_pass_share};
  std::vector<LayerState> states;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const std::string& out : g.nodes[i].outputs) {
      if (!is_float_value(g, out)) continue;
      LayerState s{{}, AccuracyAccumulator(criterion), AccuracyAccumulator(one_percent)};
      s.result.layer = g.nodes[i].name;
      s.result.op = info[i].fused.empty() ? info[i].op
                                          : fmt::format("{}+{}", info[i].op, fmt::join(info[i].fused, "+"));
      s.result.value = out;
      s.result.compared = original_values.count(out) != 0;
      states.push_back(std::move(s));
    }
  }

  ScoreSelector scored = selector;
  if (scored.output.empty() && !original.outputs.empty()) scored.output = original.outputs.front().name;
  const ReferenceExecutor reference(original, DType::kF64);
  const std::unique_ptr<ExecutionContext> context = engine.create_context();
  AccuracyAccumulator output(criterion);
  LayerComparison c;
  for (size_t i = 0; i < samples.size(); ++i) {
    try {
      const TensorMap expected = reference.run(samples[i], /*keep_all=*/true);
      const TensorMap got = context->run(samples[i]);
      const std::vector<double> r = select_scores(got, g, scored),
                                b = select_scores(expected, original, scored);
      if (r.size() != b.size())
        fail(ErrorCode::kData, "the engine scored {} values but the reference {}", r.size(), b.size());
      for (size_t k = 0; k < r.size(); ++k) output.add(r[k], b[k]);
      c.candidates += int64_t(r.size());
      for (LayerState& s : states)
        if (s.result.compared) accumulate(got.at(s.result.value), expected.at(s.result.value), s);
    } catch (const Error& e) {
      throw Error(e.code(), fmt::format("sample {}: {}", i, e.what()));
    }
  }
  c.samples = int64_t(samples.size());
  c.output = output.report();
  for (LayerState& s : states) {
    if (s.result.compared) {
      s.result.report = s.at_tolerance.report();
      s.result.share_gt_1pct = s.at_1pct.report().share_over_tol;
      s.result.over_tolerance = !s.result.report.pass;
      if (s.result.over_tolerance && c.first_over < 0) c.first_over = int64_t(c.layers.size());
    }
    c.layers.push_back(std::move(s.result));
  }
  return c;
}

}  // namespace rankrt
