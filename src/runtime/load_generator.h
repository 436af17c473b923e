// The measured phase of `rankrt bench`: producer threads feed requests through a bounded queue to
// worker threads, each owning one execution context (optionally merging requests, optionally
// switching to a reloaded engine between requests).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/engine.h"
#include "runtime/latency_stats.h"
#include "runtime/model_switcher.h"
#include "runtime/stop_signal.h"

namespace rankrt {

// Reported about once a second while the load runs.
struct LoadProgress {
  double elapsed_s = 0;
  double requests_per_s = 0, candidates_per_s = 0, p99_us = 0;  // over the last second
  size_t queue_depth = 0;
  int64_t dropped = 0, errors = 0;  // totals so far
};

struct LoadOptions {
  int producers = 1;
  int predictors = 1;     // workers, one execution context each
  double duration_s = 1;  // producers stop submitting after this
  size_t queue_capacity = 2;
  // > 0: open loop, Poisson arrivals at this total rate; latency counts from the arrival and a
  // request that finds the queue full is dropped. Otherwise closed loop: each producer keeps
  // `in_flight` requests outstanding (blocking while the queue is full).
  double qps = 0;
  int in_flight = 1;
  int64_t batch_rows = 0;        // > 0: dynamic batching up to this many rows per launch
  int64_t batch_delay_us = 0;    // how long a worker waits for requests to merge
  double switch_interval_s = 0;  // > 0: reload the engine (EngineFactory) this often
  uint64_t seed = 1;             // Poisson arrivals
  std::function<void(const LoadProgress&)> on_progress;  // called from the controlling thread
};

struct LoadResult {
  int64_t submitted = 0;   // requests accepted by the queue
  int64_t requests = 0;    // completed without error
  int64_t candidates = 0;  // their candidate rows
  int64_t dropped = 0;     // open loop: arrivals that found the queue full
  int64_t errors = 0;      // failed requests, or outputs with NaN/Inf
  int64_t launches = 0;    // engine runs (fewer than requests with dynamic batching)
  int64_t switches = 0, switch_failures = 0;
  std::string first_error, switch_error;
  bool interrupted = false;                   // the stop signal ended the run early
  double seconds = 0;                         // start to last completion
  LatencySummary latency_us;                  // arrival (open loop) / submission to completion
  std::optional<DeviceTimes> device_time_us;  // mean per launch, where the backend measures it
};

// Producer p submits samples p, p + producers, ... (wrapping around). Every queued request is
// served before returning, also after a stop request; errors are counted, not thrown.
LoadResult run_load(std::shared_ptr<const Engine> engine, const EngineFactory& reload,
                    const std::vector<TensorMap>& samples, const LoadOptions& options, StopSignal& stop);

}  // namespace rankrt
