// The mixed-precision search with an injected evaluator (the CPU has only fp32): budgets parse,
// the search raises the layer the attribution marks, stops once the budget is met, takes the
// fastest candidate that meets it, and refuses a plan that fails held-out verification.
#include "runtime/mixed_precision_search.h"

#include <gtest/gtest.h>

#include <cmath>

namespace rankrt {
namespace {

const std::vector<std::string> kLayers = {"fc1", "fc2", "fc3"};
const std::vector<std::string> kLadder = {"fp16", "tf32", "fp32"};

// Each layer adds an error share by precision; the output measure is their sum. The attribution
// marks layers whose share exceeds `mark_above`. Faster with more low-precision layers.
class FakeEvaluator : public PrecisionEvaluator {
 public:
  std::map<std::string, std::map<std::string, double>> share = {
      {"fc1", {{"fp16", 0.001}, {"tf32", 0.0008}, {"fp32", 0}}},
      {"fc2", {{"fp16", 0.02}, {"tf32", 0.002}, {"fp32", 0}}},
      {"fc3", {{"fp16", 0.001}, {"tf32", 0.0008}, {"fp32", 0}}},
  };
  double mark_above = 0.01;
  double held_out_factor = 1;  // held-out measure = calibration * this
  std::map<std::string, double> speed = {{"fp16", 30}, {"tf32", 20}, {"fp32", 10}};
  std::vector<LayerPrecisionMap> attributed;
  int held_out_measures = 0;

  double measure(const LayerPrecisionMap& a, SampleHalf half) override {
    double total = 0;
    for (const auto& [layer, p] : a) total += share.at(layer).at(p);
    if (half == SampleHalf::kHeldOut) {
      ++held_out_measures;
      return total * held_out_factor;
    }
    return total;
  }
  LayerComparison attribute(const LayerPrecisionMap& a) override {
    attributed.push_back(a);
    LayerComparison c;
    for (const std::string& layer : kLayers) {
      LayerAccuracy l;
      l.layer = layer;
      l.compared = true;
      l.report.share_over_tol = share.at(layer).at(a.at(layer));
      l.over_tolerance = l.report.share_over_tol > mark_above;
      if (l.over_tolerance && c.first_over < 0) c.first_over = int64_t(c.layers.size());
      c.layers.push_back(l);
    }
    return c;
  }
  double requests_per_second(const LayerPrecisionMap& a) override {
    double rps = 0;
    for (const auto& [layer, p] : a) rps += speed.at(p);
    return rps;
  }
};

AccuracyBudget share_budget(double limit) {
  return parse_accuracy_budget(fmt::format("share_gt_1pct<={}", limit));
}

std::string runtime_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kRuntime) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(AccuracyBudget, Parses) {
  AccuracyBudget b = parse_accuracy_budget("share_gt_1pct<=1%");
  EXPECT_EQ(b.metric, AccuracyBudget::Metric::kShareGt1pct);
  EXPECT_DOUBLE_EQ(b.limit, 0.01);
  EXPECT_DOUBLE_EQ(parse_accuracy_budget(" share_gt_1pct <= 0.005 ").limit, 0.005);
  b = parse_accuracy_budget("mean_rel_err<=1e-3");
  EXPECT_EQ(b.metric, AccuracyBudget::Metric::kMeanRelErr);
  EXPECT_DOUBLE_EQ(b.limit, 1e-3);
  b = parse_accuracy_budget("allclose rtol=1e-3 atol=1e-6");
  EXPECT_EQ(b.metric, AccuracyBudget::Metric::kAllclose);
  EXPECT_DOUBLE_EQ(b.rtol, 1e-3);
  EXPECT_DOUBLE_EQ(b.atol, 1e-6);
  b = parse_accuracy_budget("allclose atol=0.5");
  EXPECT_DOUBLE_EQ(b.rtol, 1e-5);
  EXPECT_DOUBLE_EQ(b.atol, 0.5);
  for (const char* bad : {"share_gt_1pct<=x", "share_gt_1pct<=-1%", "mean_rel_err<1e-3", "accuracy<=1%",
                          "allclose rtol=", "allclose tol=1", "allclose rtol=0 atol=0", ""}) {
    try {
      parse_accuracy_budget(bad);
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kUsage);
      EXPECT_NE(std::string(e.what()).find(fmt::format("--accuracy-budget '{}'", bad)), std::string::npos)
          << e.what();
    }
  }
}

TEST(AccuracyBudget, Measures) {
  BudgetMeter share(parse_accuracy_budget("share_gt_1pct<=1%"));
  BudgetMeter mean(parse_accuracy_budget("mean_rel_err<=1e-3"));
  const AccuracyBudget close_budget = parse_accuracy_budget("allclose rtol=0.01 atol=0.001");
  BudgetMeter close(close_budget);
  for (auto [r, b] : {std::pair{1.0, 1.0}, {1.02, 1.0}, {0.0005, 0.0}, {2.0, 2.01}}) {
    share.add(r, b);
    mean.add(r, b);
    close.add(r, b);
  }
  EXPECT_DOUBLE_EQ(share.value(), 0.5);  // 1.02 vs 1.0, and 0.0005 vs 0 (an infinite relative error)
  EXPECT_NEAR(close.value(), 0.02 / 0.011, 1e-9);
  EXPECT_FALSE(meets_budget(close_budget, close.value()));
  EXPECT_TRUE(meets_budget(close_budget, 1.0));
  mean.add(NAN, 1.0);
  EXPECT_TRUE(std::isinf(mean.value()));
  EXPECT_EQ(format_measure(parse_accuracy_budget("share_gt_1pct<=1%"), 0.0042), "0.4200% over 1%");
}

TEST(MixedPrecisionSearch, RaisesTheMarkedLayerAndStopsWhenTheBudgetIsMet) {
  FakeEvaluator ev;
  const PrecisionSearchResult r = search_mixed_precision(kLayers, kLadder, share_budget(0.005), ev);
  // fp16 everywhere (0.022) misses; fc2 is marked and raised to tf32 (0.004): met, no more steps.
  ASSERT_EQ(ev.attributed.size(), 1u);
  EXPECT_EQ(ev.attributed[0], (LayerPrecisionMap{{"fc1", "fp16"}, {"fc2", "fp16"}, {"fc3", "fp16"}}));
  // The steepest-descent walk tries each single raise (fc2's is the candidate above).
  ASSERT_EQ(r.candidates.size(), 6u);
  EXPECT_EQ(r.candidates[0].note, "fp16 everywhere");
  EXPECT_FALSE(r.candidates[0].meets);
  EXPECT_EQ(r.candidates[1].note, "fc2 raised to tf32");
  EXPECT_TRUE(r.candidates[1].meets);
  EXPECT_EQ(r.candidates[2].note, "fc1 tf32");
  EXPECT_FALSE(r.candidates[2].meets);
  EXPECT_EQ(r.candidates[3].note, "fc3 tf32");
  EXPECT_EQ(r.candidates[4].note, "tf32 everywhere");
  EXPECT_EQ(r.candidates[5].note, "fp32 everywhere");
  EXPECT_EQ(r.chosen, 1u);  // 30 + 20 + 30 requests/s beats tf32 (60) and fp32 (30) everywhere
  EXPECT_EQ(r.candidates[r.chosen].assignment,
            (LayerPrecisionMap{{"fc1", "fp16"}, {"fc2", "tf32"}, {"fc3", "fp16"}}));
  EXPECT_DOUBLE_EQ(r.candidates[r.chosen].requests_per_second, 80);
  EXPECT_EQ(r.candidates[0].requests_per_second, 0);  // missed the budget: not timed
  EXPECT_EQ(ev.held_out_measures, 1);
  EXPECT_NEAR(r.held_out, 0.004, 1e-12);
  EXPECT_EQ(r.layers, kLayers);
  const std::string report = format_search_report(r, share_budget(0.005));
  EXPECT_NE(report.find("* fc2 raised to tf32"), std::string::npos) << report;
  EXPECT_NE(report.find("fc2    tf32"), std::string::npos) << report;
}

TEST(MixedPrecisionSearch, RaisesTheLargestShareWhenNoLayerIsMarked) {
  FakeEvaluator ev;
  ev.mark_above = 1;  // nothing marked
  ev.share["fc3"]["fp16"] = 0.003;
  const PrecisionSearchResult r = search_mixed_precision(kLayers, kLadder, share_budget(0.019), ev);
  // 0.024 misses; fc2 (0.02) has the largest share: raised; 0.006 meets.
  EXPECT_EQ(r.candidates[1].note, "fc2 raised to tf32");
  EXPECT_TRUE(r.candidates[1].meets);
  ev.attributed.clear();
  ev.share["fc2"] = {{"fp16", 0.001}, {"tf32", 0.0008}, {"fp32", 0}};
  const PrecisionSearchResult r2 = search_mixed_precision(kLayers, kLadder, share_budget(0.004), ev);
  EXPECT_EQ(r2.candidates[1].note, "fc3 raised to tf32");  // 0.005 misses; fc3 has the largest share
}

TEST(MixedPrecisionSearch, KeepsRaisingUntilMetAndPicksTheFastest) {
  FakeEvaluator ev;
  ev.mark_above = 0.0005;
  ev.speed["tf32"] = 100;  // tf32 everywhere is the fastest candidate that meets the budget
  const PrecisionSearchResult r = search_mixed_precision(kLayers, kLadder, share_budget(0.004), ev);
  // fp16 (0.022) -> fc1 tf32 (0.0218) -> fc1 fp32 (0.021) -> fc2 tf32 (0.003): met.
  std::vector<std::string> notes;
  for (const PrecisionCandidate& c : r.candidates) notes.push_back(c.note);
  EXPECT_EQ(notes, (std::vector<std::string>{"fp16 everywhere", "fc1 raised to tf32", "fc1 raised to fp32",
                                             "fc2 raised to tf32", "fc2 tf32", "fc3 tf32", "tf32 everywhere",
                                             "fp32 everywhere"}));
  EXPECT_EQ(ev.attributed.size(), 3u);
  EXPECT_TRUE(r.candidates[4].meets);  // tf32 everywhere: 0.0036
  EXPECT_EQ(r.candidates[r.chosen].note, "tf32 everywhere");
  EXPECT_DOUBLE_EQ(r.candidates[3].requests_per_second, 140);
  EXPECT_DOUBLE_EQ(r.candidates[r.chosen].requests_per_second, 300);
}

TEST(MixedPrecisionSearch, RefusesAPlanThatFailsHeldOutVerification) {
  FakeEvaluator ev;
  ev.held_out_factor = 2;  // 0.008 on the held-out half
  const std::string e =
      runtime_error([&] { search_mixed_precision(kLayers, kLadder, share_budget(0.005), ev); });
  EXPECT_NE(
      e.find("(fc2 raised to tf32: 0.4000% over 1%) fails it on the held-out samples (0.8000% over 1%)"),
      std::string::npos)
      << e;
}

TEST(MixedPrecisionSearch, FailsWhenNothingMeetsTheBudget) {
  FakeEvaluator ev;
  ev.share["fc1"] = {{"fp16", 0.02}, {"tf32", 0.02}, {"fp32", 0.02}};
  const std::string e =
      runtime_error([&] { search_mixed_precision(kLayers, kLadder, share_budget(0.01), ev); });
  EXPECT_NE(
      e.find("no per-layer precision meets the accuracy budget 'share_gt_1pct<=0.01' on the calibration "
             "samples: fp32 everywhere gives 2.0000% over 1%"),
      std::string::npos)
      << e;
}

TEST(MixedPrecisionSearch, OnePrecisionBackends) {
  EXPECT_EQ(precision_ladder("cuda", "fp32", false),
            (std::vector<std::string>{"fp16", "tf32", "tf32x3", "fp32"}));
  EXPECT_EQ(precision_ladder("cuda", "fp32", true),
            (std::vector<std::string>{"fp8", "fp16", "tf32", "tf32x3", "fp32"}));
  EXPECT_EQ(precision_ladder("cpu", "fp32", true), std::vector<std::string>{"fp32"});
  FakeEvaluator ev;
  const PrecisionSearchResult r = search_mixed_precision(kLayers, {"fp32"}, share_budget(0.01), ev);
  ASSERT_EQ(r.candidates.size(), 1u);
  EXPECT_EQ(r.candidates[0].note, "fp32 everywhere");
  EXPECT_TRUE(ev.attributed.empty());
}

}  // namespace
}  // namespace rankrt
