// `rankrt bench --sweep PARAM=V1,V2,...`: the parameter values to run, one benchmark point each.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "runtime/bench_config.h"

namespace rankrt {

struct SweepAxis {
  // predictor_num | qps | bench_thread_count | requests_in_flight | dynamic_batching (row limit, 0: off)
  std::string parameter;
  std::vector<double> values;
};

using SweepPoint = std::vector<std::pair<std::string, double>>;  // (parameter, value) pairs

// Parses "predictor_num=1,2,4,8"; throws kUsage naming the spec and the problem.
SweepAxis parse_sweep(const std::string& spec);

// Every combination of the axes' values (the last axis varies fastest); one empty point without axes.
std::vector<SweepPoint> sweep_points(const std::vector<SweepAxis>& axes);

// Applies one sweep value; throws kUsage for a dynamic_batching row limit over the profile's max.
void apply_sweep_value(BenchSettings& settings, const std::string& parameter, double value);
// "predictor_num=4 qps=100": the label of a point in reports and charts.
std::string sweep_label(const SweepPoint& point);

}  // namespace rankrt
