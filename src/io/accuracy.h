// Accuracy report of a result against a baseline (the contest's criterion by default: pass when
// at least 99% of values are within 1% relative error).
#pragma once
#include <cstdint>
#include <string>

#include "io/baseline.h"

namespace rankrt {

struct AccuracyCriterion {
  double rel_tol = 0.01;         // a value is "over" when |r-b|/|b| > rel_tol
  double min_pass_share = 0.99;  // the run passes when this share of values is within rel_tol
};

struct AccuracyReport {
  int64_t values = 0;
  // mean over the values with a finite relative error; max_rel_err may be inf (baseline 0).
  double mean_rel_err = 0, max_rel_err = 0, max_abs_err = 0;
  int64_t over_tol = 0;       // values with relative error > rel_tol
  double share_over_tol = 0;  // over_tol / values
  int64_t non_finite = 0;     // NaN/Inf in the result
  bool pass = false;
  AccuracyCriterion criterion;
};

// Accumulates result values against baseline values one at a time: the relative errors, maxima
// and pass decision of compare_scores.
class AccuracyAccumulator {
 public:
  explicit AccuracyAccumulator(const AccuracyCriterion& c) { report_.criterion = c; }
  void add(double result, double baseline);
  AccuracyReport report() const;

 private:
  AccuracyReport report_;
  double sum_rel_ = 0;
  int64_t finite_rel_ = 0;
};

// Throws kData naming both files when the line counts or a line's value counts differ.
AccuracyReport compare_scores(const ScoreTable& result, const ScoreTable& baseline,
                              const AccuracyCriterion& c, const std::string& result_name,
                              const std::string& baseline_name);
std::string format_report(const AccuracyReport& r);  // multi-line human-readable report

}  // namespace rankrt
