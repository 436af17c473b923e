// Accuracy report: statistics vs an independent computation, pass criterion, NaN/Inf, mismatches.
#include "io/accuracy.h"

#include <limits>

#include "io_test_util.h"

namespace rankrt {
namespace {

using testing::expect_error;

TEST(Accuracy, StatisticsMatchIndependentComputation) {
  std::uniform_real_distribution<double> base(0.1, 10), noise(-0.03, 0.03);
  std::uniform_int_distribution<int> len(0, 20);
  ScoreTable b, r;
  for (int l = 0; l < 30; ++l) {
    b.emplace_back();
    r.emplace_back();
    for (int i = len(testing::rng()); i > 0; --i) {
      const double v = base(testing::rng()) * (i % 2 ? 1 : -1);
      b.back().push_back(v);
      r.back().push_back(v * (1 + noise(testing::rng())));
    }
  }
  const AccuracyCriterion c{0.01, 0.5};
  const AccuracyReport rep = compare_scores(r, b, c, "r.txt", "b.txt");
  long double sum = 0, max_rel = 0, max_abs = 0;
  int64_t n = 0, over = 0;
  for (size_t l = 0; l < b.size(); ++l)
    for (size_t i = 0; i < b[l].size(); ++i) {
      const long double rel = std::fabs((long double)r[l][i] - b[l][i]) / std::fabs((long double)b[l][i]);
      sum += rel;
      max_rel = std::max(max_rel, rel);
      max_abs = std::max(max_abs, std::fabs((long double)r[l][i] - b[l][i]));
      over += rel > 0.01;
      ++n;
    }
  EXPECT_EQ(rep.values, n);
  EXPECT_EQ(rep.over_tol, over);
  EXPECT_NEAR(rep.mean_rel_err, double(sum / n), 1e-12);
  EXPECT_NEAR(rep.max_rel_err, double(max_rel), 1e-12);
  EXPECT_NEAR(rep.max_abs_err, double(max_abs), 1e-12);
  EXPECT_DOUBLE_EQ(rep.share_over_tol, double(over) / double(n));
  EXPECT_EQ(rep.pass, 1.0 - double(over) / double(n) >= 0.5);
  EXPECT_EQ(rep.non_finite, 0);
}

TEST(Accuracy, PassThresholdAndZeroBaseline) {
  // 100 values, 1 over 1% -> 99% pass: passes at 0.99, fails at 0.995.
  ScoreTable b(1), r(1);
  for (int i = 0; i < 100; ++i) {
    b[0].push_back(1.0 + i);
    r[0].push_back((1.0 + i) * (i == 7 ? 1.02 : 1.005));
  }
  EXPECT_TRUE(compare_scores(r, b, {0.01, 0.99}, "r", "b").pass);
  EXPECT_FALSE(compare_scores(r, b, {0.01, 0.995}, "r", "b").pass);
  const AccuracyReport zero = compare_scores({{0.0, 1e-9}}, {{0.0, 0.0}}, {}, "r", "b");
  EXPECT_EQ(zero.over_tol, 1);
  EXPECT_TRUE(std::isinf(zero.max_rel_err));
  EXPECT_DOUBLE_EQ(zero.mean_rel_err, 0.0);
}

TEST(Accuracy, NonFiniteResultsCountAsOver) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const AccuracyReport rep = compare_scores({{nan, 1.0, inf, 2.0}}, {{1.0, 1.0, 1.0, 2.0}}, {}, "r", "b");
  EXPECT_EQ(rep.non_finite, 2);
  EXPECT_EQ(rep.over_tol, 2);
  EXPECT_FALSE(rep.pass);
  const std::string text = format_report(rep);
  EXPECT_NE(text.find("NaN/Inf in result:   2"), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL"), std::string::npos) << text;
  EXPECT_NE(text.find("at least 99% of values within 1% relative error"), std::string::npos) << text;
}

TEST(Accuracy, ReportFormat) {
  const AccuracyReport rep = compare_scores({{1.0, 2.0}}, {{1.0, 2.0}}, {}, "r", "b");
  const std::string text = format_report(rep);
  EXPECT_NE(text.find("values:              2"), std::string::npos) << text;
  EXPECT_NE(text.find("accuracy: PASS"), std::string::npos) << text;
}

TEST(AccuracyErrors, MismatchedTables) {
  expect_error(
      [] {
        compare_scores({{1}, {2}}, {{1}}, {}, "r.txt", "b.txt");
      },
      ErrorCode::kData, {"r.txt", "b.txt", "2 lines", "1 lines"});
  expect_error(
      [] {
        compare_scores({{1}, {2, 3}}, {{1}, {2}}, {}, "r.txt", "b.txt");
      },
      ErrorCode::kData, {"line 2", "r.txt", "b.txt", "2 values"});
}

}  // namespace
}  // namespace rankrt
