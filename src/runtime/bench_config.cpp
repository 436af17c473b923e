// BenchmarkConfig text-protobuf parsing, validation and path resolution.
#include "runtime/bench_config.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "io/writable_directory.h"
#include "proto/benchmark_config.pb.h"

namespace rankrt {

namespace {

namespace fs = std::filesystem;

// Keeps the first parse error with its position.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (message_.empty()) message_ = fmt::format("{}:{}: {}", line + 1, column + 1, message);
  }
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

bench::BenchmarkConfig parse_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail(ErrorCode::kIo, "{}: cannot open benchmark config", path);
  std::stringstream text;
  text << in.rdbuf();
  bench::BenchmarkConfig config;
  FirstError errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text.str(), &config))
    fail(ErrorCode::kParse, "{}:{}", path,
         errors.message().empty() ? " not a BenchmarkConfig" : errors.message());
  return config;
}

// A count field: 0 (unset) takes `fallback`, negative is an error.
int count_or(const std::string& config, const std::string& field, int value, int fallback) {
  if (value < 0) fail(ErrorCode::kUsage, "{}: {} must be >= 0, got {}", config, field, value);
  return value == 0 ? fallback : value;
}

// Resolves `value` against the config's directory; an existing file is required.
std::string input_file(const std::string& config, const fs::path& dir, const std::string& field,
                       const std::string& value) {
  const std::string path = (dir / value).lexically_normal().string();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) fail(ErrorCode::kIo, "{}: {} '{}': no such file", config, field, path);
  return path;
}

// The result file's place; when its directory is not writable (e.g. a read-only model
// directory), a file of the same name in a temporary directory.
std::string result_path(const fs::path& path, const std::string& model_name) {
  if (writable_directory(path.parent_path().empty() ? fs::path(".") : path.parent_path()))
    return path.string();
  std::error_code ec;
  const fs::path fallback = fs::temp_directory_path(ec) / ("rankrt-bench-" + model_name);
  fs::create_directories(fallback, ec);
  if (ec)
    fail(ErrorCode::kIo, "result_file '{}': directory is not writable, nor is {}", path.string(),
         fallback.string());
  return (fallback / path.filename()).string();
}

BenchModelSettings model_settings(const std::string& config, const fs::path& dir,
                                  const bench::BenchModelConfig& m, const std::string& plan) {
  const std::string where = "bench_model_config" + (m.name().empty() ? "" : " '" + m.name() + "'");
  BenchModelSettings s;
  if (!m.frozen_graph().empty() && !m.onnx_model().empty())
    fail(ErrorCode::kUsage, "{}: {} needs exactly one of frozen_graph and onnx_model", config, where);
  const bool has_model = !m.frozen_graph().empty() || !m.onnx_model().empty();
  if (has_model == !plan.empty())
    fail(ErrorCode::kUsage,
         "{}: {} needs exactly one of frozen_graph and onnx_model (or a top-level plan instead)", config,
         where);
  if (m.sample_file().empty()) fail(ErrorCode::kUsage, "{}: {} has no sample_file", config, where);
  if (m.cold_switching())
    fail(ErrorCode::kUnsupported, "{}: {}: cold_switching is not supported (switch_interval reloads hot)",
         config, where);
  if (m.switch_interval() < 0)
    fail(ErrorCode::kUsage, "{}: {}: switch_interval must be >= 0, got {}", config, where,
         m.switch_interval());
  if (!std::isfinite(m.qps()))
    fail(ErrorCode::kUsage, "{}: {}: qps must be finite, got {}", config, where, m.qps());
  const bool tf = !m.frozen_graph().empty();
  if (has_model)
    s.model_path =
        input_file(config, dir, tf ? "frozen_graph" : "onnx_model", tf ? m.frozen_graph() : m.onnx_model());
  s.name = m.name().empty() ? fs::path(has_model ? s.model_path : plan).stem().string() : m.name();
  s.sample_file = input_file(config, dir, "sample_file", m.sample_file());
  if (!m.baseline_file().empty())
    s.baseline_file = input_file(config, dir, "baseline_file", m.baseline_file());
  if (!m.result_file().empty()) {
    s.requested_result_file = (dir / m.result_file()).lexically_normal().string();
    s.result_file = result_path(s.requested_result_file, s.name);
  }
  s.predictor_num = count_or(config, where + ": predictor_num", m.predictor_num(), 1);
  s.qps = m.qps();
  s.switch_interval_s = m.switch_interval();
  return s;
}

// The plan cache: the config's plan_cache_dir / no_plan_cache, then the command line's.
void plan_cache_settings(const std::string& config, const fs::path& dir, const bench::BenchmarkConfig& c,
                         const BenchOverrides& cli, BenchSettings& s) {
  if (!c.plan_cache_dir().empty() && c.no_plan_cache())
    fail(ErrorCode::kUsage, "{}: plan_cache_dir and no_plan_cache: true contradict each other", config);
  if (!c.plan_cache_dir().empty()) s.plan_cache_dir = (dir / c.plan_cache_dir()).lexically_normal().string();
  s.plan_cache = !c.no_plan_cache() && !cli.no_plan_cache;
  if (!cli.plan_cache_dir.empty()) {
    s.plan_cache = true;
    s.plan_cache_dir = cli.plan_cache_dir;
  }
  if (s.plan.empty()) return;
  if (!s.plan_cache_dir.empty())
    fail(ErrorCode::kUsage, "{}: the plan cache ({}) needs a model, not a plan",
         cli.plan_cache_dir.empty() ? config + ": plan_cache_dir" : std::string("--plan-cache"),
         s.plan_cache_dir);
  s.plan_cache = false;
}

// calibrate / calibration_cache / calibrator: need a model (a plan keeps its calibration).
void calibration_settings(const std::string& config, const fs::path& dir, const bench::BenchmarkConfig& c,
                          BenchSettings& s) {
  if (!s.plan.empty() &&
      (!c.calibrate().empty() || !c.calibration_cache().empty() || !c.calibrator().empty()))
    fail(
        ErrorCode::kUsage,
        "{}: calibrate, calibration_cache and calibrator need a model: the plan keeps the calibration it was "
        "built with",
        config);
  if (!c.calibrate().empty()) s.calibration.samples = input_file(config, dir, "calibrate", c.calibrate());
  if (!c.calibration_cache().empty())
    s.calibration.cache = (dir / c.calibration_cache()).lexically_normal().string();
  if (!c.calibrator().empty()) {
    parse_calibrator(c.calibrator(), config + ": calibrator");
    s.calibration.calibrator = c.calibrator();
  }
}

void engine_settings(const std::string& config, const bench::BenchmarkConfig& c, const BenchOverrides& cli,
                     BenchSettings& s) {
  if (!c.backend().empty()) {
    if (c.backend() != "cpu" && c.backend() != "reference" && c.backend() != "cuda")
      fail(ErrorCode::kUsage, "{}: backend must be cpu, reference or cuda, got '{}'", config, c.backend());
    s.engine.backend = c.backend();
  }
  if (!c.precision().empty()) s.engine.precision = c.precision();
  if (c.device() < 0) fail(ErrorCode::kUsage, "{}: device must be >= 0, got {}", config, c.device());
  s.engine.device = c.device();
  if (!cli.profile.empty())
    s.engine.profile = parse_shape_profile(cli.profile, "--profile");
  else if (!c.profile().empty())
    s.engine.profile = parse_shape_profile(c.profile(), config + ": profile");
  s.engine.tune_gemms = c.tune_gemms();
  s.engine.layer_precision.rules = cli.layer_precision.empty() ? c.layer_precision() : cli.layer_precision;
  if (!s.plan.empty() && !s.engine.layer_precision.rules.empty())
    fail(ErrorCode::kUsage,
         "{}: layer precision needs a model: the plan keeps the precisions it was built with",
         cli.layer_precision.empty() ? config + ": layer_precision" : std::string("--layer-precision"));
  // Default: the cores shared among the predictors, so that contexts do not oversubscribe them.
  const int cores = std::max(1, int(std::thread::hardware_concurrency()));
  s.engine.threads =
      count_or(config, "threads", c.threads(), std::max(1, cores / s.models.front().predictor_num));
}

void accuracy_settings(const std::string& config, const bench::AccuracyCriterionConfig& a,
                       AccuracyCriterion& c) {
  if (!std::isfinite(a.rel_tol()) || a.rel_tol() < 0)
    fail(ErrorCode::kUsage, "{}: accuracy.rel_tol must be a finite value >= 0, got {}", config, a.rel_tol());
  if (!(a.min_pass_share() >= 0 && a.min_pass_share() <= 1))
    fail(ErrorCode::kUsage, "{}: accuracy.min_pass_share must be within [0, 1], got {}", config,
         a.min_pass_share());
  if (a.rel_tol() > 0) c.rel_tol = a.rel_tol();
  if (a.min_pass_share() > 0) c.min_pass_share = a.min_pass_share();
}

void batching_settings(const std::string& config, const bench::DynamicBatchingConfig& b, BenchSettings& s) {
  if (b.max_rows() < 0 || b.max_rows() > s.engine.profile.max)
    fail(ErrorCode::kUsage, "{}: dynamic_batching.max_rows must be within [0, the profile's max {}], got {}",
         config, s.engine.profile.max, b.max_rows());
  if (b.max_delay_us() < 0)
    fail(ErrorCode::kUsage, "{}: dynamic_batching.max_delay_us must be >= 0, got {}", config,
         b.max_delay_us());
  s.batching.max_rows = b.max_rows();
  s.batching.max_delay_us = b.max_delay_us() > 0 ? b.max_delay_us() : 200;
}

}  // namespace

size_t queue_capacity(const BenchSettings& s) {
  if (s.max_queue_size > 0) return size_t(s.max_queue_size);
  return size_t(std::max(2 * s.models.front().predictor_num, s.thread_count * s.requests_in_flight));
}

BenchSettings load_bench_config(const std::string& path, const BenchOverrides& overrides) {
  const bench::BenchmarkConfig config = parse_config(path);
  const fs::path dir = fs::path(path).parent_path();
  if (config.bench_model_config_size() == 0) fail(ErrorCode::kUsage, "{}: no bench_model_config", path);
  if (config.bench_model_config_size() > 1)
    fail(ErrorCode::kUnsupported, "{}: {} bench_model_config entries; this version benchmarks one model",
         path, config.bench_model_config_size());
  BenchSettings s;
  if (!config.plan().empty()) s.plan = input_file(path, dir, "plan", config.plan());
  plan_cache_settings(path, dir, config, overrides, s);
  for (const bench::BenchModelConfig& m : config.bench_model_config())
    s.models.push_back(model_settings(path, dir, m, s.plan));
  s.thread_count = count_or(path, "bench_thread_count", config.bench_thread_count(), 1);
  if (config.duration() < 0)
    fail(ErrorCode::kUsage, "{}: duration must be >= 0, got {}", path, config.duration());
  s.duration_s = config.duration();
  s.max_queue_size = count_or(path, "max_queue_size", config.max_queue_size(), 0);
  s.warmup_passes = count_or(path, "warmup_passes", config.warmup_passes(), 1);
  s.requests_in_flight = count_or(path, "requests_in_flight", config.requests_in_flight(), 1);
  engine_settings(path, config, overrides, s);
  calibration_settings(path, dir, config, s);
  accuracy_settings(path, config.accuracy(), s.accuracy);
  batching_settings(path, config.dynamic_batching(), s);
  if (!config.json_output().empty()) s.json_output = (dir / config.json_output()).lexically_normal().string();
  return s;
}

}  // namespace rankrt
