// Accuracy of a result score table against a baseline: relative errors and the pass criterion.
#include "io/accuracy.h"

#include <cmath>
#include <limits>

namespace rankrt {

void AccuracyAccumulator::add(double result, double baseline) {
  ++report_.values;
  if (!std::isfinite(result)) {
    ++report_.non_finite;
    ++report_.over_tol;
    return;
  }
  const double abs_err = std::abs(result - baseline);
  double rel_err;
  if (baseline == 0)
    rel_err = result == 0 ? 0.0 : std::numeric_limits<double>::infinity();
  else
    rel_err = abs_err / std::abs(baseline);
  if (!(rel_err <= report_.criterion.rel_tol)) ++report_.over_tol;
  if (std::isfinite(abs_err)) report_.max_abs_err = std::max(report_.max_abs_err, abs_err);
  if (std::isnan(rel_err) || rel_err > report_.max_rel_err) report_.max_rel_err = rel_err;
  if (std::isfinite(rel_err)) {
    sum_rel_ += rel_err;
    ++finite_rel_;
  }
}

AccuracyReport AccuracyAccumulator::report() const {
  AccuracyReport r = report_;
  r.mean_rel_err = finite_rel_ ? sum_rel_ / double(finite_rel_) : 0.0;
  r.share_over_tol = r.values ? double(r.over_tol) / double(r.values) : 0.0;
  r.pass = 1.0 - r.share_over_tol >= r.criterion.min_pass_share;
  return r;
}

AccuracyReport compare_scores(const ScoreTable& result, const ScoreTable& baseline,
                              const AccuracyCriterion& c, const std::string& result_name,
                              const std::string& baseline_name) {
  if (result.size() != baseline.size())
    fail(ErrorCode::kData, "{} has {} lines but {} has {} lines", result_name, result.size(), baseline_name,
         baseline.size());
  AccuracyAccumulator acc(c);
  for (size_t line = 0; line < result.size(); ++line) {
    const std::vector<double>& r = result[line];
    const std::vector<double>& b = baseline[line];
    if (r.size() != b.size())
      fail(ErrorCode::kData, "line {}: {} has {} values but {} has {} values", line + 1, result_name,
           r.size(), baseline_name, b.size());
    for (size_t i = 0; i < r.size(); ++i) acc.add(r[i], b[i]);
  }
  return acc.report();
}

std::string format_report(const AccuracyReport& r) {
  std::string s;
  s += fmt::format("values:              {}\n", r.values);
  s += fmt::format("mean relative error: {:.3e}\n", r.mean_rel_err);
  s += fmt::format("max relative error:  {:.3e}\n", r.max_rel_err);
  s += fmt::format("over {:g}% rel error: {} ({:.4f}%)\n", r.criterion.rel_tol * 100, r.over_tol,
                   r.share_over_tol * 100);
  s += fmt::format("max absolute error:  {:.3e}\n", r.max_abs_err);
  s += fmt::format("NaN/Inf in result:   {}\n", r.non_finite);
  s += fmt::format("accuracy: {} (criterion: at least {:g}% of values within {:g}% relative error)\n",
                   r.pass ? "PASS" : "FAIL", r.criterion.min_pass_share * 100, r.criterion.rel_tol * 100);
  return s;
}

}  // namespace rankrt
