// Sweep specifications and their points.
#include "runtime/sweep.h"

#include <fmt/format.h>

#include <cmath>
#include <sstream>

#include "core/error.h"
#include "core/parse_number.h"

namespace rankrt {

namespace {

bool is_count_parameter(const std::string& p) {
  return p == "predictor_num" || p == "bench_thread_count" || p == "requests_in_flight";
}

double parse_value(const std::string& spec, const std::string& parameter, const std::string& text) {
  const std::optional<double> number = parse_finite_double(text);
  if (!number) fail(ErrorCode::kUsage, "--sweep {}: '{}' is not a number", spec, text);
  const double v = *number;
  if (is_count_parameter(parameter) && (v < 1 || v != std::floor(v) || v > 4096))
    fail(ErrorCode::kUsage, "--sweep {}: {} must be a whole number in 1..4096, got {}", spec, parameter,
         text);
  if (parameter == "dynamic_batching" && (v < 0 || v != std::floor(v)))
    fail(ErrorCode::kUsage, "--sweep {}: dynamic_batching takes row limits (0: off), got {}", spec, text);
  return v;
}

}  // namespace

SweepAxis parse_sweep(const std::string& spec) {
  const size_t eq = spec.find('=');
  if (eq == std::string::npos)
    fail(ErrorCode::kUsage, "--sweep {}: expected PARAMETER=V1,V2,... (e.g. predictor_num=1,2,4,8)", spec);
  SweepAxis axis{spec.substr(0, eq), {}};
  if (!is_count_parameter(axis.parameter) && axis.parameter != "qps" && axis.parameter != "dynamic_batching")
    fail(ErrorCode::kUsage,
         "--sweep {}: unknown parameter '{}' (predictor_num, qps, bench_thread_count, requests_in_flight, "
         "dynamic_batching)",
         spec, axis.parameter);
  std::stringstream values(spec.substr(eq + 1));
  for (std::string item; std::getline(values, item, ',');)
    axis.values.push_back(parse_value(spec, axis.parameter, item));
  if (axis.values.empty()) fail(ErrorCode::kUsage, "--sweep {}: no values", spec);
  return axis;
}

std::vector<SweepPoint> sweep_points(const std::vector<SweepAxis>& axes) {
  std::vector<SweepPoint> points = {{}};
  for (const SweepAxis& axis : axes) {
    std::vector<SweepPoint> next;
    for (const auto& point : points)
      for (double v : axis.values) {
        next.push_back(point);
        next.back().emplace_back(axis.parameter, v);
      }
    points = std::move(next);
  }
  return points;
}

void apply_sweep_value(BenchSettings& s, const std::string& parameter, double value) {
  if (parameter == "predictor_num") s.models.front().predictor_num = int(value);
  if (parameter == "qps") s.models.front().qps = value;
  if (parameter == "bench_thread_count") s.thread_count = int(value);
  if (parameter == "requests_in_flight") s.requests_in_flight = int(value);
  if (parameter == "dynamic_batching") {
    if (value > double(s.engine.profile.max))
      fail(ErrorCode::kUsage, "--sweep dynamic_batching={:g}: more rows than the shape profile's max ({})",
           value, profile_to_string(s.engine.profile));
    s.batching.max_rows = int64_t(value);
  }
}

std::string sweep_label(const SweepPoint& point) {
  std::string label;
  for (const auto& [parameter, value] : point)
    label += fmt::format("{}{}={:g}", label.empty() ? "" : " ", parameter, value);
  return label;
}

}  // namespace rankrt
