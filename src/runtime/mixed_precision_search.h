// Automatic mixed precision (`rankrt build --accuracy-budget`): a greedy search of the per-layer
// precision that meets an accuracy budget on calibration samples, guided by compare_layers' error
// attribution, timed on the target backend and verified on held-out samples.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "io/accuracy.h"
#include "io/samples.h"
#include "runtime/engine.h"
#include "runtime/layer_compare.h"

namespace rankrt {

// What the scored output must meet against the float64 reference.
struct AccuracyBudget {
  enum class Metric { kShareGt1pct, kMeanRelErr, kAllclose };
  Metric metric = Metric::kShareGt1pct;
  double limit = 0.01;        // share_gt_1pct, mean_rel_err: the largest value allowed
  double rtol = 0, atol = 0;  // allclose: |r - b| <= atol + rtol * |b| for every value
  std::string text;           // as given
};

// Parses "share_gt_1pct<=1%" (or <=0.01), "mean_rel_err<=1e-3", "allclose rtol=1e-3 atol=1e-6"
// (either may be left out: numpy's 1e-5 and 1e-8). Throws kUsage naming the text.
AccuracyBudget parse_accuracy_budget(const std::string& text);

// The budget's measure of scored values against the reference: the share over 1% relative error,
// the mean relative error, or the largest |r - b| / (atol + rtol * |b|) (allclose when <= 1). A
// NaN or Inf result makes the mean and the allclose measure infinite.
class BudgetMeter {
 public:
  explicit BudgetMeter(const AccuracyBudget& budget);
  void add(double result, double reference);
  double value() const;

 private:
  AccuracyBudget budget_;
  AccuracyAccumulator one_percent_;
  double worst_ratio_ = 0;
};

bool meets_budget(const AccuracyBudget& budget, double value);
// "0.4200% over 1%", "mean rel err 3.100e-04", "allclose ratio 0.830".
std::string format_measure(const AccuracyBudget& budget, double value);

// The per-layer tolerance compare_layers marks layers with for a budget: share_gt_1pct<=X: more
// than X of the values over 1%; mean_rel_err<=X: more than half over X; allclose: any over rtol.
AccuracyCriterion layer_criterion(const AccuracyBudget& budget);

enum class SampleHalf { kCalibration, kHeldOut };

// What the search measures of a candidate plan, given the precision of every GEMM layer.
class PrecisionEvaluator {
 public:
  virtual ~PrecisionEvaluator() = default;
  // The budget's measure of the plan's scored output on one half of the samples.
  virtual double measure(const LayerPrecisionMap& assignment, SampleHalf half) = 0;
  // The plan's per-layer errors on calibration samples (compare_layers at layer_criterion).
  virtual LayerComparison attribute(const LayerPrecisionMap& assignment) = 0;
  // The plan's requests per second.
  virtual double requests_per_second(const LayerPrecisionMap& assignment) = 0;
};

struct PrecisionCandidate {
  LayerPrecisionMap assignment;
  std::string note;                // how the search got there, e.g. "fc1_dqm/MatMul raised to tf32"
  double calibration = 0;          // the budget's measure on the calibration half
  bool meets = false;              // calibration meets the budget
  double requests_per_second = 0;  // timed: candidates that meet the budget
};

struct PrecisionSearchResult {
  std::vector<std::string> layers;             // the GEMM layers, in execution order
  std::vector<PrecisionCandidate> candidates;  // in the order evaluated
  size_t chosen = 0;                           // the fastest candidate that meets the budget
  double held_out = 0;                         // its measure on the held-out half (meets the budget)
  int64_t timed_rows = 0;                      // the candidate count N the timing used (0: unknown)
  size_t calibration_samples = 0, held_out_samples = 0;
};

// The precisions the search tries on a backend, least accurate first: cuda fp16, tf32, tf32x3,
// fp32, with fp8 first when the engine is `calibrated` (has activation ranges); the other backends
// run every layer in their one `precision`.
std::vector<std::string> precision_ladder(const std::string& backend, const std::string& precision,
                                          bool calibrated);

// Greedy search over the GEMM `layers` (execution order) and the `ladder`: starts with its first
// precision everywhere and, while the calibration measure misses the budget, raises one layer one
// step: the first layer compare_layers marks over tolerance, else the one with the largest share
// of values over it. A second walk from the same start raises, each step, the layer whose raise
// alone lowers the calibration measure most. The uniform assignments of the ladder are candidates
// too. Times the candidates
// that meet the budget, picks the fastest and verifies it on the held-out half. Throws kRuntime
// when no candidate meets the budget or the chosen one fails verification.
PrecisionSearchResult search_mixed_precision(const std::vector<std::string>& layers,
                                             const std::vector<std::string>& ladder,
                                             const AccuracyBudget& budget, PrecisionEvaluator& evaluator,
                                             const std::function<void(const std::string&)>& log = {});

// The search on engines of `options` for a model: imported with `outputs`, optimized as
// build_engine does; the samples (checked against it, `samples_path` names them in errors) are
// split into calibration (first half) and held-out (second half). The reference is the float64
// executor on the imported graph; attribution uses at most 8 calibration samples; timing runs the
// sample of the largest N for about a quarter second.
PrecisionSearchResult search_model_precision(const std::string& model,
                                             const std::vector<std::string>& outputs,
                                             const SampleFile& samples, const std::string& samples_path,
                                             const EngineOptions& options, const AccuracyBudget& budget,
                                             const std::function<void(const std::string&)>& log = {});

// The candidates (note, measure, requests/s) and the chosen per-layer table, for people.
std::string format_search_report(const PrecisionSearchResult& r, const AccuracyBudget& budget);

}  // namespace rankrt
