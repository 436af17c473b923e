// Sweep specifications (parsing, points, bad values) and the throughput-latency SVG.
#include <gtest/gtest.h>

#include "runtime/svg_plot.h"
#include "runtime/sweep.h"

namespace rankrt {
namespace {

TEST(Sweep, ParsesValuesAndCombinesAxes) {
  const SweepAxis a = parse_sweep("predictor_num=1,2,4,8");
  EXPECT_EQ(a.parameter, "predictor_num");
  EXPECT_EQ(a.values, (std::vector<double>{1, 2, 4, 8}));
  const auto points = sweep_points({a, parse_sweep("qps=100.5,200")});
  ASSERT_EQ(points.size(), 8u);
  EXPECT_EQ(sweep_label(points[1]), "predictor_num=1 qps=200");
  EXPECT_EQ(sweep_label(points[6]), "predictor_num=8 qps=100.5");
  EXPECT_EQ(sweep_points({}).size(), 1u);
}

TEST(Sweep, AppliesValues) {
  BenchSettings s;
  s.models.resize(1);
  apply_sweep_value(s, "predictor_num", 4);
  apply_sweep_value(s, "qps", 250);
  apply_sweep_value(s, "bench_thread_count", 3);
  EXPECT_EQ(s.models.front().predictor_num, 4);
  EXPECT_EQ(s.models.front().qps, 250);
  EXPECT_EQ(s.thread_count, 3);
  apply_sweep_value(s, "dynamic_batching", 256);
  EXPECT_EQ(s.batching.max_rows, 256);
  EXPECT_THROW(apply_sweep_value(s, "dynamic_batching", 100000), Error);  // over max_rows 512
}

TEST(Sweep, BadSpecsGiveOneClearError) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"predictor_num", "PARAMETER=V1,V2"},         {"threads=1,2", "unknown parameter 'threads'"},
      {"predictor_num=1,x", "'x' is not a number"}, {"predictor_num=0", "whole number"},
      {"predictor_num=1.5", "whole number"},        {"qps=", "no values"},
      {"dynamic_batching=-1", "row limits"},
  };
  for (const auto& [spec, expected] : cases) {
    try {
      parse_sweep(spec);
      ADD_FAILURE() << spec;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << spec << ": " << e.what();
    }
  }
}

TEST(SvgPlot, DrawsAxesPolylineAndLabels) {
  const std::string svg = throughput_latency_svg(
      {{1000, 1.5, "predictor_num=1"}, {1900, 1.7, "predictor_num=2"}, {3500, 4.2, "a<b"}}, "dqm & co");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("<polyline points=\""), std::string::npos);
  EXPECT_NE(svg.find("predictor_num=2"), std::string::npos);
  EXPECT_NE(svg.find("a&lt;b"), std::string::npos);
  EXPECT_NE(svg.find("dqm &amp; co"), std::string::npos);
  EXPECT_NE(svg.find("throughput (requests/s)"), std::string::npos);
  EXPECT_NE(svg.find("p99 latency (ms)"), std::string::npos);
  // Axis ends: 1000-steps up to 5000 requests/s (not cut below the largest point), 1 ms steps to 5 ms.
  EXPECT_NE(svg.find(">5000</text>"), std::string::npos);
  EXPECT_NE(svg.find(">5</text>"), std::string::npos);
  EXPECT_EQ(throughput_latency_svg({}, "empty").find("nan"), std::string::npos);
}

}  // namespace
}  // namespace rankrt
