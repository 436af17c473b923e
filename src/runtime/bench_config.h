// `rankrt bench` configuration: a blaze-benchmark style BenchmarkConfig (text protobuf, see
// proto/benchmark_config.proto) read, validated and resolved against the config's directory.
#pragma once
#include <string>
#include <vector>

#include "io/accuracy.h"
#include "runtime/calibration.h"
#include "runtime/engine.h"

namespace rankrt {

struct BenchModelSettings {
  std::string name;
  std::string model_path;  // frozen_graph or onnx_model; empty when BenchSettings::plan is set
  std::string sample_file;
  std::string baseline_file;  // empty: no accuracy check
  std::string result_file;    // empty: results are not written
  // result_file as configured; result_file differs when that directory is not writable (then a
  // temporary directory holds the file).
  std::string requested_result_file;
  int predictor_num = 1;         // execution contexts, one worker thread each
  double qps = 0;                // > 0: open loop (Poisson arrivals); otherwise closed loop
  double switch_interval_s = 0;  // > 0: reload the model in the background this often
};

struct DynamicBatching {
  int64_t max_rows = 0;  // 0: off
  int64_t max_delay_us = 0;
};

struct BenchSettings {
  std::vector<BenchModelSettings> models;
  int thread_count = 1;        // request producers
  double duration_s = 0;       // measured load; 0 runs the warmup and accuracy check only
  int max_queue_size = 0;      // bound of the request queue; 0: queue_capacity() chooses
  int warmup_passes = 1;       // passes over the samples before the load (the first one is scored)
  int requests_in_flight = 1;  // closed loop: outstanding requests per producer
  AccuracyCriterion accuracy;
  DynamicBatching batching;
  std::string json_output;     // empty: no JSON report
  std::string plan;            // an engine plan (rankrt build) replacing the model
  bool plan_cache = true;      // reuse / store the model's engine plan (off: no_plan_cache, or a plan)
  std::string plan_cache_dir;  // the plan cache; empty: beside the model (plan::default_cache_dir)
  EngineOptions engine;
  CalibrationSource calibration;  // int8 / fp8: paths resolved against the config's directory
};

// The request queue's bound: max_queue_size, or room for every closed-loop request in flight and
// two per predictor.
size_t queue_capacity(const BenchSettings& s);

// Command-line options of `rankrt bench` that replace config fields (empty / false: the config's).
struct BenchOverrides {
  std::string profile;          // --profile N=min:opt:max
  std::string plan_cache_dir;   // --plan-cache DIR
  bool no_plan_cache = false;   // --no-plan-cache
  std::string layer_precision;  // --layer-precision RULES
};

// Reads and checks a config with `overrides` applied. Relative paths resolve against the config's
// directory. Throws one line naming the file and the field (or the option): kIo (missing config /
// model / sample / baseline file), kParse (syntax, unknown field), kUsage (bad value), kUnsupported
// (cold_switching, more than one model).
BenchSettings load_bench_config(const std::string& path, const BenchOverrides& overrides = {});

}  // namespace rankrt
