// The mixed-precision search: budgets, the greedy search over per-layer precisions, and its
// evaluator on real engines (float64 reference, compare_layers attribution, a short timing loop).
#include "runtime/mixed_precision_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include "core/parse_number.h"
#include "import/model_loader.h"
#include "ir/input_binding.h"
#include "passes/pipeline.h"

namespace rankrt {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr size_t kAttributionSamples = 8;
constexpr double kTimingSeconds = 0.25;

[[noreturn]] void bad_budget(const std::string& text, const std::string& why) {
  fail(ErrorCode::kUsage,
       "--accuracy-budget '{}': {} (expected share_gt_1pct<=X%, mean_rel_err<=X or allclose rtol=R atol=A)",
       text, why);
}

// A number >= 0, "X%" meaning X / 100.
double budget_number(const std::string& text, std::string s) {
  const bool percent = !s.empty() && s.back() == '%';
  if (percent) s.pop_back();
  const std::optional<double> v = parse_finite_double(s);
  if (!v || *v < 0) bad_budget(text, fmt::format("'{}{}' is not a number >= 0", s, percent ? "%" : ""));
  return percent ? *v / 100 : *v;
}

std::string without_spaces(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  return out;
}

// The GEMM layer to raise next: the first one compare_layers marks over tolerance, else the one
// with the largest share over the tolerance (then mean relative error), else the first raisable.
std::string layer_to_raise(const LayerComparison& c, const std::vector<std::string>& layers,
                           const std::set<std::string>& raisable) {
  const LayerAccuracy* largest = nullptr;
  for (const LayerAccuracy& l : c.layers) {
    if (!l.compared || !raisable.count(l.layer)) continue;
    if (l.over_tolerance) return l.layer;
    if (!largest || std::tie(l.report.share_over_tol, l.report.mean_rel_err) >
                        std::tie(largest->report.share_over_tol, largest->report.mean_rel_err))
      largest = &l;
  }
  if (largest) return largest->layer;
  for (const std::string& l : layers)
    if (raisable.count(l)) return l;
  return "";
}

// Candidate plans as engines of one optimized graph, measured against the float64 reference on
// the imported graph.
class EngineEvaluator : public PrecisionEvaluator {
 public:
  EngineEvaluator(Graph original, Graph optimized, EngineOptions options, std::vector<TensorMap> calibration,
                  std::vector<TensorMap> held_out, const AccuracyBudget& budget, ScoreSelector selector,
                  std::string samples_path)
      : original_(std::move(original)),
        optimized_(std::move(optimized)),
        options_(std::move(options)),
        halves_{std::move(calibration), std::move(held_out)},
        budget_(budget),
        selector_(std::move(selector)),
        samples_path_(std::move(samples_path)),
        reference_(original_, DType::kF64) {
    for (const std::vector<TensorMap>& half : halves_)
      for (const TensorMap& sample : half)
        for (const auto& [symbol, rows] : bind_inputs(original_, sample))
          if (!timed_ || rows > timed_rows_) {
            timed_ = &sample;
            timed_rows_ = rows;
          }
    if (!timed_) timed_ = &halves_[0].front();
  }

  double measure(const LayerPrecisionMap& assignment, SampleHalf half) override {
    const std::vector<TensorMap>& samples = halves_[size_t(half)];
    const std::vector<std::vector<double>>& reference = reference_scores(half);
    const Engine& e = engine(assignment);
    const std::unique_ptr<ExecutionContext> context = e.create_context();
    BudgetMeter meter(budget_);
    for (size_t i = 0; i < samples.size(); ++i) {
      const std::vector<double> scores = select_scores(context->run(samples[i]), e.graph(), selector_);
      if (scores.size() != reference[i].size())
        fail(ErrorCode::kData, "{}: sample {}: the engine scored {} values but the reference {}",
             samples_path_, index(half, i), scores.size(), reference[i].size());
      for (size_t k = 0; k < scores.size(); ++k) meter.add(scores[k], reference[i][k]);
    }
    return meter.value();
  }

  LayerComparison attribute(const LayerPrecisionMap& assignment) override {
    const std::vector<TensorMap>& calibration = halves_[0];
    const std::vector<TensorMap> samples(
        calibration.begin(), calibration.begin() + std::min(calibration.size(), kAttributionSamples));
    const std::unique_ptr<Engine> exposed = build_engine(expose_layer_outputs(optimized_), with(assignment));
    try {
      return compare_layers(original_, *exposed, samples, layer_criterion(budget_), selector_);
    } catch (const Error& e) {
      throw Error(e.code(), fmt::format("{}: {}", samples_path_, e.what()));
    }
  }

  double requests_per_second(const LayerPrecisionMap& assignment) override {
    const std::unique_ptr<ExecutionContext> context = engine(assignment).create_context();
    for (int i = 0; i < 3; ++i) context->run(*timed_);
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    int64_t runs = 0;
    double seconds = 0;
    do {
      context->run(*timed_);
      ++runs;
      seconds = std::chrono::duration<double>(clock::now() - start).count();
    } while (seconds < kTimingSeconds);
    return double(runs) / seconds;
  }

  int64_t timed_rows() const { return timed_rows_; }

 private:
  EngineOptions with(const LayerPrecisionMap& assignment) const {
    EngineOptions o = options_;
    o.layer_precision = {"", assignment};
    return o;
  }

  const Engine& engine(const LayerPrecisionMap& assignment) {
    std::unique_ptr<Engine>& e = engines_[assignment];
    if (!e) e = build_engine(optimized_, with(assignment));
    return *e;
  }

  size_t index(SampleHalf half, size_t i) const {
    return half == SampleHalf::kCalibration ? i : halves_[0].size() + i;
  }

  const std::vector<std::vector<double>>& reference_scores(SampleHalf half) {
    std::vector<std::vector<double>>& scores = reference_scores_[size_t(half)];
    const std::vector<TensorMap>& samples = halves_[size_t(half)];
    if (scores.empty())
      for (size_t i = 0; i < samples.size(); ++i) {
        try {
          scores.push_back(select_scores(reference_.run(samples[i]), original_, selector_));
        } catch (const Error& e) {
          throw Error(e.code(), fmt::format("{}: sample {}: {}", samples_path_, index(half, i), e.what()));
        }
      }
    return scores;
  }

  Graph original_, optimized_;
  EngineOptions options_;
  std::vector<TensorMap> halves_[2];  // calibration, held-out
  AccuracyBudget budget_;
  ScoreSelector selector_;
  std::string samples_path_;
  ReferenceExecutor reference_;
  std::vector<std::vector<double>> reference_scores_[2];
  std::map<LayerPrecisionMap, std::unique_ptr<Engine>> engines_;
  const TensorMap* timed_ = nullptr;  // the sample of the largest N
  int64_t timed_rows_ = 0;
};

}  // namespace

AccuracyBudget parse_accuracy_budget(const std::string& text) {
  AccuracyBudget b;
  b.text = text;
  const std::string compact = without_spaces(text);
  for (auto [name, metric] : {std::pair{"share_gt_1pct<=", AccuracyBudget::Metric::kShareGt1pct},
                              std::pair{"mean_rel_err<=", AccuracyBudget::Metric::kMeanRelErr}})
    if (compact.rfind(name, 0) == 0) {
      b.metric = metric;
      b.limit = budget_number(text, compact.substr(std::string(name).size()));
      return b;
    }
  if (compact.rfind("allclose", 0) != 0) bad_budget(text, "unknown budget");
  b.metric = AccuracyBudget::Metric::kAllclose;
  b.rtol = 1e-5;
  b.atol = 1e-8;
  std::istringstream words(text.substr(text.find("allclose") + 8));
  std::string word;
  while (words >> word) {
    const size_t eq = word.find('=');
    const std::string key = word.substr(0, eq);
    if (eq == std::string::npos || (key != "rtol" && key != "atol"))
      bad_budget(text, fmt::format("'{}' is not rtol=R or atol=A", word));
    (key == "rtol" ? b.rtol : b.atol) = budget_number(text, word.substr(eq + 1));
  }
  if (b.rtol == 0 && b.atol == 0) bad_budget(text, "rtol and atol are both 0");
  return b;
}

BudgetMeter::BudgetMeter(const AccuracyBudget& budget) : budget_(budget), one_percent_({0.01, 0.99}) {}

void BudgetMeter::add(double result, double reference) {
  one_percent_.add(result, reference);
  const double err = std::abs(result - reference),
               allowed = budget_.atol + budget_.rtol * std::abs(reference);
  const double ratio = !std::isfinite(result) ? kInfinity
                       : allowed > 0          ? err / allowed
                       : err > 0              ? kInfinity
                                              : 0;
  worst_ratio_ = std::max(worst_ratio_, ratio);
}

double BudgetMeter::value() const {
  const AccuracyReport r = one_percent_.report();
  switch (budget_.metric) {
    case AccuracyBudget::Metric::kShareGt1pct:
      return r.share_over_tol;
    case AccuracyBudget::Metric::kMeanRelErr:
      return r.non_finite ? kInfinity : r.mean_rel_err;
    case AccuracyBudget::Metric::kAllclose:
      return worst_ratio_;
  }
  return kInfinity;
}

bool meets_budget(const AccuracyBudget& budget, double value) {
  return budget.metric == AccuracyBudget::Metric::kAllclose ? value <= 1 : value <= budget.limit;
}

std::string format_measure(const AccuracyBudget& budget, double value) {
  switch (budget.metric) {
    case AccuracyBudget::Metric::kShareGt1pct:
      return fmt::format("{:.4f}% over 1%", value * 100);
    case AccuracyBudget::Metric::kMeanRelErr:
      return fmt::format("mean rel err {:.3e}", value);
    case AccuracyBudget::Metric::kAllclose:
      return fmt::format("allclose ratio {:.3f}", value);
  }
  return "";
}

AccuracyCriterion layer_criterion(const AccuracyBudget& budget) {
  switch (budget.metric) {
    case AccuracyBudget::Metric::kShareGt1pct:
      return {0.01, 1 - budget.limit};
    case AccuracyBudget::Metric::kMeanRelErr:
      return {budget.limit, 0.5};
    case AccuracyBudget::Metric::kAllclose:
      return {budget.rtol, 1.0};
  }
  return {};
}

std::vector<std::string> precision_ladder(const std::string& backend, const std::string& precision,
                                          bool calibrated) {
  if (backend != "cuda") return {precision};
  std::vector<std::string> ladder = {"fp16", "tf32", "tf32x3", "fp32"};
  if (calibrated) ladder.insert(ladder.begin(), "fp8");
  return ladder;
}

PrecisionSearchResult search_mixed_precision(const std::vector<std::string>& layers,
                                             const std::vector<std::string>& ladder,
                                             const AccuracyBudget& budget, PrecisionEvaluator& evaluator,
                                             const std::function<void(const std::string&)>& log) {
  PrecisionSearchResult r;
  r.layers = layers;
  std::map<LayerPrecisionMap, size_t> seen;
  // Measures an assignment once on the calibration half; returns its candidate index.
  auto evaluate = [&](const LayerPrecisionMap& a, const std::string& note) {
    if (auto it = seen.find(a); it != seen.end()) return it->second;
    PrecisionCandidate c{a, note, evaluator.measure(a, SampleHalf::kCalibration)};
    c.meets = meets_budget(budget, c.calibration);
    if (log)
      log(fmt::format("{}: {} on the calibration samples{}", note, format_measure(budget, c.calibration),
                      c.meets ? ": meets the budget" : ""));
    r.candidates.push_back(std::move(c));
    return seen[a] = r.candidates.size() - 1;
  };
  auto uniform = [&](const std::string& precision) {
    LayerPrecisionMap a;
    for (const std::string& l : layers) a[l] = precision;
    return a;
  };

  std::map<std::string, size_t> level;  // per layer: its index in the ladder
  LayerPrecisionMap assignment = uniform(ladder.front());
  std::string note = ladder.front() + " everywhere";
  while (!r.candidates[evaluate(assignment, note)].meets) {
    std::set<std::string> raisable;
    for (const std::string& l : layers)
      if (level[l] + 1 < ladder.size()) raisable.insert(l);
    if (raisable.empty()) break;
    const std::string layer = layer_to_raise(evaluator.attribute(assignment), layers, raisable);
    assignment[layer] = ladder[++level[layer]];
    note = fmt::format("{} raised to {}", layer, assignment[layer]);
  }
  // Steepest descent from the fastest precision: raise, one step at a time, the layer whose raise
  // alone lowers the calibration error most (attribution above follows where error first appears;
  // this finds layers, e.g. a cancelling score layer, whose precision dominates the output).
  level.clear();
  assignment = uniform(ladder.front());
  while (!r.candidates[evaluate(assignment, ladder.front() + " everywhere")].meets) {
    std::optional<size_t> best;
    std::string best_layer;
    for (const std::string& l : layers) {
      if (level[l] + 1 >= ladder.size()) continue;
      LayerPrecisionMap trial = assignment;
      trial[l] = ladder[level[l] + 1];
      std::string trial_note;
      for (const std::string& m : layers)
        if (trial[m] != ladder.front()) trial_note += (trial_note.empty() ? "" : ", ") + m + " " + trial[m];
      const size_t c = evaluate(trial, trial_note);
      if (!best || r.candidates[c].calibration < r.candidates[*best].calibration) best = c, best_layer = l;
    }
    if (!best) break;
    assignment = r.candidates[*best].assignment;
    ++level[best_layer];
  }
  for (size_t i = 1; i < ladder.size(); ++i) evaluate(uniform(ladder[i]), ladder[i] + " everywhere");

  // Candidates that meet the budget are timed in interleaved rounds (the GPU's clocks and the
  // host drift between loops); each keeps its median.
  constexpr int kTimingRounds = 3;
  std::vector<size_t> meeting;
  for (size_t i = 0; i < r.candidates.size(); ++i)
    if (r.candidates[i].meets) meeting.push_back(i);
  std::map<size_t, std::vector<double>> rates;
  for (int round = 0; round < kTimingRounds; ++round)
    for (size_t i : meeting) rates[i].push_back(evaluator.requests_per_second(r.candidates[i].assignment));
  bool any = false;
  for (size_t i : meeting) {
    PrecisionCandidate& c = r.candidates[i];
    std::vector<double>& v = rates[i];
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(v.size() / 2), v.end());
    c.requests_per_second = v[v.size() / 2];
    if (log)
      log(fmt::format("{}: {:.1f} requests/s (median of {})", c.note, c.requests_per_second, v.size()));
    if (!any || c.requests_per_second > r.candidates[r.chosen].requests_per_second) r.chosen = i;
    any = true;
  }
  if (!any)
    fail(ErrorCode::kRuntime,
         "no per-layer precision meets the accuracy budget '{}' on the calibration samples: {} everywhere "
         "gives {}",
         budget.text, ladder.back(),
         format_measure(budget, r.candidates[seen.at(uniform(ladder.back()))].calibration));
  const PrecisionCandidate& chosen = r.candidates[r.chosen];
  r.held_out = evaluator.measure(chosen.assignment, SampleHalf::kHeldOut);
  if (log)
    log(fmt::format("{}: {} on the held-out samples", chosen.note, format_measure(budget, r.held_out)));
  if (!meets_budget(budget, r.held_out))
    fail(ErrorCode::kRuntime,
         "the fastest plan that meets the accuracy budget '{}' on the calibration samples ({}: {}) fails it "
         "on the "
         "held-out samples ({}): refusing it",
         budget.text, chosen.note, format_measure(budget, chosen.calibration),
         format_measure(budget, r.held_out));
  return r;
}

PrecisionSearchResult search_model_precision(const std::string& model,
                                             const std::vector<std::string>& outputs,
                                             const SampleFile& samples, const std::string& samples_path,
                                             const EngineOptions& options, const AccuracyBudget& budget,
                                             const std::function<void(const std::string&)>& log) {
  const size_t count = samples.samples.size();
  if (count < 2)
    fail(ErrorCode::kUsage,
         "{}: {} sample(s): the accuracy budget needs at least 2 (calibration and held-out)", samples_path,
         count);
  Graph original = load_model(model, outputs);
  check_samples(samples, original, samples_path);
  Graph optimized = original;
  if (options.optimize && options.backend != "reference") optimize(optimized, {options.disabled_passes});
  std::vector<std::string> layers;
  for (const Node& n : optimized.nodes)
    if (has_gemm_precision(optimized, n)) layers.push_back(n.name);
  EngineOptions o = options;
  o.optimize = false;
  o.gemm_algorithms.clear();
  const auto middle = samples.samples.begin() + std::ptrdiff_t((count + 1) / 2);
  ScoreSelector selector;
  if (!samples.output_names.empty()) selector.output = samples.output_names.front();
  EngineEvaluator evaluator(std::move(original), std::move(optimized), o, {samples.samples.begin(), middle},
                            {middle, samples.samples.end()}, budget, selector, samples_path);
  PrecisionSearchResult r = search_mixed_precision(
      layers, precision_ladder(o.backend, o.precision, !o.activation_amax.empty()), budget, evaluator, log);
  r.timed_rows = evaluator.timed_rows();
  r.calibration_samples = (count + 1) / 2;
  r.held_out_samples = count / 2;
  return r;
}

std::string format_search_report(const PrecisionSearchResult& r, const AccuracyBudget& budget) {
  size_t note_w = 9;
  for (const PrecisionCandidate& c : r.candidates) note_w = std::max(note_w, c.note.size());
  std::string s = fmt::format(
      "accuracy budget {} (scored output against the float64 reference): {} calibration, {} held-out "
      "samples\n",
      budget.text, r.calibration_samples, r.held_out_samples);
  s += fmt::format("  {:<{}}  {:<22}  {}\n", "candidate", note_w, "calibration", "requests/s");
  for (size_t i = 0; i < r.candidates.size(); ++i) {
    const PrecisionCandidate& c = r.candidates[i];
    s += fmt::format("{} {:<{}}  {:<22}  {}\n", i == r.chosen ? '*' : ' ', c.note, note_w,
                     format_measure(budget, c.calibration),
                     c.meets ? fmt::format("{:.1f}", c.requests_per_second) : std::string("-"));
  }
  const PrecisionCandidate& chosen = r.candidates[r.chosen];
  s += fmt::format("chosen: {:.1f} requests/s{}; calibration {}, held-out {}\n", chosen.requests_per_second,
                   r.timed_rows ? fmt::format(" at N={}", r.timed_rows) : "",
                   format_measure(budget, chosen.calibration), format_measure(budget, r.held_out));
  size_t layer_w = 5;
  for (const std::string& layer : r.layers) layer_w = std::max(layer_w, layer.size());
  s += fmt::format("  {:<{}}  precision\n", "layer", layer_w);
  for (const std::string& layer : r.layers)
    s += fmt::format("  {:<{}}  {}\n", layer, layer_w, chosen.assignment.at(layer));
  return s;
}

}  // namespace rankrt
