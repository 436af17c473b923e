// The measured phase of `rankrt bench`: producer threads feed requests through a bounded queue to
// worker threads, each owning one execution context.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/engine.h"
#include "runtime/latency_stats.h"

namespace rankrt {

struct LoadOptions {
  int producers = 1;
  int predictors = 1;     // workers, one execution context each
  double duration_s = 1;  // producers stop submitting after this
  size_t queue_capacity = 2;
  double qps = 0;  // > 0: requests paced at this total rate (open loop); else closed loop
};

struct LoadResult {
  int64_t requests = 0;
  int64_t candidates = 0;     // largest leading input dimension (N) of each request, summed
  double seconds = 0;         // first submission to last completion
  LatencySummary latency_ms;  // submission to completion (queueing included)
};

// Producer p submits samples p, p + producers, ... (wrapping around). In closed loop each producer
// waits for its request to complete before the next. Rethrows the first worker error.
LoadResult run_load(const Engine& engine, const std::vector<TensorMap>& samples, const LoadOptions& options);

}  // namespace rankrt
