// BenchmarkConfig text-protobuf parsing, validation and path resolution.
#include "runtime/bench_config.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

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

// A directory we may write into: access() allows it and its mode has a write bit (root passes
// access() even on directories marked read-only, such as shared model directories).
bool writable_directory(const fs::path& dir) {
  std::error_code ec;
  const fs::perms mode = fs::status(dir, ec).permissions();
  const fs::perms write_bits = fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write;
  return !ec && fs::is_directory(dir, ec) && (mode & write_bits) != fs::perms::none &&
         ::access(dir.c_str(), W_OK) == 0;
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
                                  const bench::BenchModelConfig& m) {
  const std::string where = "bench_model_config" + (m.name().empty() ? "" : " '" + m.name() + "'");
  BenchModelSettings s;
  if (m.frozen_graph().empty() == m.onnx_model().empty())
    fail(ErrorCode::kUsage, "{}: {} needs exactly one of frozen_graph and onnx_model", config, where);
  if (m.sample_file().empty()) fail(ErrorCode::kUsage, "{}: {} has no sample_file", config, where);
  if (m.cold_switching() || m.switch_interval() != 0)
    fail(ErrorCode::kUnsupported, "{}: {}: cold_switching / switch_interval are not supported yet", config,
         where);
  const bool tf = !m.frozen_graph().empty();
  s.model_path =
      input_file(config, dir, tf ? "frozen_graph" : "onnx_model", tf ? m.frozen_graph() : m.onnx_model());
  s.name = m.name().empty() ? fs::path(s.model_path).stem().string() : m.name();
  s.sample_file = input_file(config, dir, "sample_file", m.sample_file());
  if (!m.baseline_file().empty())
    s.baseline_file = input_file(config, dir, "baseline_file", m.baseline_file());
  if (!m.result_file().empty()) {
    s.requested_result_file = (dir / m.result_file()).lexically_normal().string();
    s.result_file = result_path(s.requested_result_file, s.name);
  }
  s.predictor_num = count_or(config, where + ": predictor_num", m.predictor_num(), 1);
  s.qps = m.qps();
  return s;
}

}  // namespace

BenchSettings load_bench_config(const std::string& path) {
  const bench::BenchmarkConfig config = parse_config(path);
  const fs::path dir = fs::path(path).parent_path();
  if (config.bench_model_config_size() == 0) fail(ErrorCode::kUsage, "{}: no bench_model_config", path);
  if (config.bench_model_config_size() > 1)
    fail(ErrorCode::kUnsupported, "{}: {} bench_model_config entries; this version benchmarks one model",
         path, config.bench_model_config_size());
  BenchSettings s;
  for (const bench::BenchModelConfig& m : config.bench_model_config())
    s.models.push_back(model_settings(path, dir, m));
  s.thread_count = count_or(path, "bench_thread_count", config.bench_thread_count(), 1);
  if (config.duration() < 0)
    fail(ErrorCode::kUsage, "{}: duration must be >= 0, got {}", path, config.duration());
  s.duration_s = config.duration();
  s.max_queue_size =
      count_or(path, "max_queue_size", config.max_queue_size(), 2 * s.models.front().predictor_num);
  s.warmup_passes = count_or(path, "warmup_passes", config.warmup_passes(), 1);
  if (!config.backend().empty()) s.engine.backend = config.backend();
  if (!config.precision().empty()) s.engine.precision = config.precision();
  return s;
}

}  // namespace rankrt
