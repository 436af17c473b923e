// Nearest-rank latency percentiles.
#include "runtime/latency_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rankrt {

LatencySummary summarize_latencies(std::vector<double> samples) {
  LatencySummary s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  const auto n = int64_t(samples.size());
  auto rank = [&](double p) {
    return samples[size_t(std::clamp(int64_t(std::ceil(p * double(n))) - 1, int64_t(0), n - 1))];
  };
  s.count = n;
  s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / double(n);
  s.min = samples.front();
  s.p50 = rank(0.50);
  s.p90 = rank(0.90);
  s.p95 = rank(0.95);
  s.p99 = rank(0.99);
  s.p999 = rank(0.999);
  s.max = samples.back();
  return s;
}

}  // namespace rankrt
