// LoadMetrics: one mutex around totals and the current progress window.
#include "runtime/load_metrics.h"

#include <utility>

namespace rankrt {

void LoadMetrics::record_success(double latency_us, int64_t candidates) {
  std::lock_guard lock(mutex_);
  totals_.requests += 1;
  totals_.candidates += candidates;
  totals_.latencies_us.push_back(latency_us);
  window_.requests += 1;
  window_.candidates += candidates;
  window_.latencies_us.push_back(latency_us);
}

void LoadMetrics::record_error(const std::string& message) {
  std::lock_guard lock(mutex_);
  if (totals_.errors++ == 0) totals_.first_error = message;
}

void LoadMetrics::record_drop() {
  std::lock_guard lock(mutex_);
  totals_.dropped += 1;
}

void LoadMetrics::record_launch() {
  std::lock_guard lock(mutex_);
  totals_.launches += 1;
}

void LoadMetrics::record_device_times(const DeviceTimes& t) {
  std::lock_guard lock(mutex_);
  totals_.timed_launches += 1;
  totals_.device_time_us.h2d_us += t.h2d_us;
  totals_.device_time_us.compute_us += t.compute_us;
  totals_.device_time_us.d2h_us += t.d2h_us;
}

int64_t LoadMetrics::dropped() const {
  std::lock_guard lock(mutex_);
  return totals_.dropped;
}

int64_t LoadMetrics::errors() const {
  std::lock_guard lock(mutex_);
  return totals_.errors;
}

MetricsWindow LoadMetrics::take_window() {
  std::lock_guard lock(mutex_);
  return std::exchange(window_, {});
}

MetricsTotals LoadMetrics::totals() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

}  // namespace rankrt
