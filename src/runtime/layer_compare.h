// Per-layer accuracy of an engine against the float64 reference (`rankrt compare`): every float
// layer output of the engine's (optimized, lowered) graph is exposed as a graph output and compared
// with the value of the same name in the original graph, which the optimizer keeps for the value a
// fused layer computes (a fused Dense layer outputs its chain's last value, e.g. fc1_dqm/add_1).
#pragma once
#include <string>
#include <vector>

#include "io/accuracy.h"
#include "io/baseline.h"
#include "runtime/engine.h"

namespace rankrt {

struct LayerAccuracy {
  std::string layer, op;  // engine layer (node of the engine's graph); op with its fused epilogue
  std::string value;      // the layer output compared
  // The original graph computes `value` (a node output of that name and element count); when false
  // (e.g. the hoisted common-feature bias row) nothing below is set.
  bool compared = false;
  AccuracyReport report;        // at the criterion's relative tolerance
  double share_gt_1pct = 0;     // share of values over 1% relative error
  bool over_tolerance = false;  // !report.pass
};

struct LayerComparison {
  std::vector<LayerAccuracy> layers;  // in execution order
  int64_t first_over = -1;            // index of the first layer over tolerance, -1 when none
  AccuracyReport output;              // scored output (ScoreSelector) against the reference's
  int64_t samples = 0, candidates = 0;
};

// `g` with every float node output appended to its graph outputs (the existing ones stay first).
Graph expose_layer_outputs(Graph g);

// Runs each sample through the float64 reference executor on `original` (every value kept) and
// through `engine`, built from expose_layer_outputs of its graph, and accumulates the errors of
// every float layer output in the engine's graph order.
LayerComparison compare_layers(const Graph& original, const Engine& engine,
                               const std::vector<TensorMap>& samples, const AccuracyCriterion& criterion,
                               const ScoreSelector& selector);

}  // namespace rankrt
