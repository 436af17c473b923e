// Thread-safe counters of a load run: completed requests with their latencies, drops and errors,
// plus the window since the last progress report.
#pragma once
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/engine.h"

namespace rankrt {

struct MetricsWindow {
  int64_t requests = 0, candidates = 0;
  std::vector<double> latencies_us;
};

struct MetricsTotals {
  int64_t requests = 0, candidates = 0, dropped = 0, errors = 0, launches = 0;
  std::string first_error;  // the first failure's message ("request of sample i: ...")
  std::vector<double> latencies_us;
  int64_t timed_launches = 0;
  DeviceTimes device_time_us;  // sums over the timed launches
};

class LoadMetrics {
 public:
  void record_success(double latency_us, int64_t candidates);
  void record_error(const std::string& message);
  void record_drop();
  void record_launch();
  void record_device_times(const DeviceTimes& t);
  int64_t dropped() const;
  int64_t errors() const;
  MetricsWindow take_window();  // what happened since the previous call
  MetricsTotals totals() const;

 private:
  mutable std::mutex mutex_;
  MetricsTotals totals_;
  MetricsWindow window_;
};

}  // namespace rankrt
