// Accuracy of a result score table against a baseline: relative errors and the pass criterion.
#include "io/accuracy.h"

#include <cmath>
#include <limits>

namespace rankrt {

AccuracyReport compare_scores(const ScoreTable& result, const ScoreTable& baseline,
                              const AccuracyCriterion& c, const std::string& result_name,
                              const std::string& baseline_name) {
  if (result.size() != baseline.size())
    fail(ErrorCode::kData, "{} has {} lines but {} has {} lines", result_name, result.size(), baseline_name,
         baseline.size());
  AccuracyReport report;
  report.criterion = c;
  double sum_rel = 0;
  int64_t finite_rel = 0;
  for (size_t line = 0; line < result.size(); ++line) {
    const std::vector<double>& r = result[line];
    const std::vector<double>& b = baseline[line];
    if (r.size() != b.size())
      fail(ErrorCode::kData, "line {}: {} has {} values but {} has {} values", line + 1, result_name,
           r.size(), baseline_name, b.size());
    for (size_t i = 0; i < r.size(); ++i) {
      ++report.values;
      if (!std::isfinite(r[i])) {
        ++report.non_finite;
        ++report.over_tol;
        continue;
      }
      const double abs_err = std::abs(r[i] - b[i]);
      double rel_err;
      if (b[i] == 0)
        rel_err = r[i] == 0 ? 0.0 : std::numeric_limits<double>::infinity();
      else
        rel_err = abs_err / std::abs(b[i]);
      if (!(rel_err <= c.rel_tol)) ++report.over_tol;
      if (std::isfinite(abs_err)) report.max_abs_err = std::max(report.max_abs_err, abs_err);
      if (std::isnan(rel_err) || rel_err > report.max_rel_err) report.max_rel_err = rel_err;
      if (std::isfinite(rel_err)) {
        sum_rel += rel_err;
        ++finite_rel;
      }
    }
  }
  report.mean_rel_err = finite_rel ? sum_rel / double(finite_rel) : 0.0;
  report.share_over_tol = report.values ? double(report.over_tol) / double(report.values) : 0.0;
  report.pass = 1.0 - report.share_over_tol >= c.min_pass_share;
  return report;
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
