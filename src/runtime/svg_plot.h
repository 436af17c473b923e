// A throughput-latency chart as a hand-written SVG (like perf_analyzer's concurrency sweep).
#pragma once
#include <string>
#include <vector>

namespace rankrt {

struct PlotPoint {
  double requests_per_s = 0;  // x
  double p99_ms = 0;          // y
  std::string label;          // e.g. "predictor_num=4"
};

// An SVG document: axes with ticks and titles, the points joined by a polyline in the given order,
// each point marked and labelled.
std::string throughput_latency_svg(const std::vector<PlotPoint>& points, const std::string& title);

}  // namespace rankrt
