// The results of `rankrt bench`: one measured point (settings, load, accuracy), its summary table
// and its JSON report.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "io/accuracy.h"
#include "runtime/bench_config.h"
#include "runtime/load_generator.h"

namespace rankrt {

inline constexpr int kBenchSchemaVersion = 1;

struct BenchPoint {
  std::string label;       // the sweep values of this point ("predictor_num=4"); empty without a sweep
  BenchSettings settings;  // as run (sweep values applied)
  LoadResult load;
  std::optional<AccuracyReport> accuracy;  // none without a baseline_file
  std::string hardware;
};

// The CPU model (/proc/cpuinfo) for cpu / reference engines, the GPU's name for cuda.
std::string describe_hardware(const EngineOptions& engine);

// {"schema_version", "requests_per_s", "candidates_per_s", "latency_us": {"p50", "p90", "p99",
// "p999", "max"}, "accuracy": {"mean_rel_err", "max_rel_err", "share_gt_1pct", "pass"} (null
// without a baseline), "requests", "dropped", "errors", "hardware", "config": {every parameter}}.
nlohmann::json bench_point_json(const BenchPoint& point);

// Multi-line summary: throughput, latency percentiles (queue included), counts, switches.
std::string format_summary(const BenchPoint& point);

// Writes `text` to `path`; throws kIo naming the file.
void write_text_file(const std::string& path, const std::string& text);

}  // namespace rankrt
