// Latency percentiles of a benchmark run.
#pragma once
#include <cstdint>
#include <vector>

namespace rankrt {

struct LatencySummary {
  int64_t count = 0;
  double min = 0, mean = 0, p50 = 0, p90 = 0, p95 = 0, p99 = 0, p999 = 0, max = 0;  // unit of the samples
};

// Nearest-rank percentiles; all zero for no samples.
LatencySummary summarize_latencies(std::vector<double> samples);

}  // namespace rankrt
