// Summary table and JSON report of a benchmark point.
#include "runtime/bench_report.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>

namespace rankrt {

namespace {

double per_second(int64_t count, double seconds) { return seconds > 0 ? double(count) / seconds : 0.0; }

// JSON has no Inf/NaN: those become null.
nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json config_json(const BenchSettings& s) {
  const BenchModelSettings& m = s.models.front();
  const EngineOptions& e = s.engine;
  return {
      {"name", m.name},
      {"model", m.model_path},
      {"sample_file", m.sample_file},
      {"baseline_file", m.baseline_file},
      {"result_file", m.result_file},
      {"predictor_num", m.predictor_num},
      {"qps", m.qps},
      {"switch_interval", m.switch_interval_s},
      {"bench_thread_count", s.thread_count},
      {"duration", s.duration_s},
      {"max_queue_size", queue_capacity(s)},
      {"requests_in_flight", s.requests_in_flight},
      {"warmup_passes", s.warmup_passes},
      {"backend", e.backend},
      {"precision", e.precision},
      {"device", e.device},
      {"profile", profile_to_string(e.profile)},
      {"threads", e.threads},
      {"accuracy", {{"rel_tol", s.accuracy.rel_tol}, {"min_pass_share", s.accuracy.min_pass_share}}},
      {"dynamic_batching", {{"max_rows", s.batching.max_rows}, {"max_delay_us", s.batching.max_delay_us}}},
      {"plan", s.plan},
      {"plan_cache_dir", s.plan_cache ? s.plan_cache_dir : ""},
      {"json_output", s.json_output}};
}

std::string loop_description(const BenchSettings& s) {
  const BenchModelSettings& m = s.models.front();
  if (m.qps > 0) return fmt::format("open loop, Poisson arrivals at {:g} requests/s", m.qps);
  return fmt::format("closed loop, {} request(s) in flight per producer", s.requests_in_flight);
}

}  // namespace

std::string describe_hardware(const EngineOptions& engine) {
  if (engine.backend == "cuda") {
    try {
      return describe_cuda_device(engine.device).name;
    } catch (const Error& e) {
      return fmt::format("CUDA device {} (unavailable: {})", engine.device, e.what());
    }
  }
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos)
      return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

nlohmann::json bench_point_json(const BenchPoint& p) {
  const LoadResult& r = p.load;
  const LatencySummary& l = r.latency_us;
  nlohmann::json accuracy = nullptr;
  if (p.accuracy)
    accuracy = {{"mean_rel_err", number(p.accuracy->mean_rel_err)},
                {"max_rel_err", number(p.accuracy->max_rel_err)},
                {"share_gt_1pct", p.accuracy->share_over_tol},
                {"pass", p.accuracy->pass}};
  return {{"schema_version", kBenchSchemaVersion},
          {"requests_per_s", per_second(r.requests, r.seconds)},
          {"candidates_per_s", per_second(r.candidates, r.seconds)},
          {"latency_us", {{"p50", l.p50}, {"p90", l.p90}, {"p99", l.p99}, {"p999", l.p999}, {"max", l.max}}},
          {"accuracy", accuracy},
          {"device_time_us", r.device_time_us ? nlohmann::json{{"h2d", r.device_time_us->h2d_us},
                                                               {"compute", r.device_time_us->compute_us},
                                                               {"d2h", r.device_time_us->d2h_us}}
                                              : nlohmann::json(nullptr)},
          {"requests", r.requests},
          {"dropped", r.dropped},
          {"errors", r.errors},
          {"hardware", p.hardware},
          {"config", config_json(p.settings)}};
}

std::string format_summary(const BenchPoint& p) {
  const LoadResult& r = p.load;
  const BenchSettings& s = p.settings;
  const LatencySummary& l = r.latency_us;
  std::string out =
      fmt::format("load{}: {} producer(s), {} predictor(s), {}, dynamic batching {}, {:.2f} s{}\n",
                  p.label.empty() ? "" : " [" + p.label + "]", s.thread_count, s.models.front().predictor_num,
                  loop_description(s),
                  s.batching.max_rows > 0
                      ? fmt::format("up to {} rows / {} us", s.batching.max_rows, s.batching.max_delay_us)
                      : std::string("off"),
                  r.seconds, r.interrupted ? " (interrupted)" : "");
  out += fmt::format("throughput: {:.2f} requests/s, {:.1f} candidates/s ({} requests, {} candidates)\n",
                     per_second(r.requests, r.seconds), per_second(r.candidates, r.seconds), r.requests,
                     r.candidates);
  out += fmt::format(
      "latency (ms, queue included): min {:.3f}  mean {:.3f}  p50 {:.3f}  p90 {:.3f}  p95 {:.3f}  "
      "p99 {:.3f}  p99.9 {:.3f}  max {:.3f}\n",
      l.min / 1e3, l.mean / 1e3, l.p50 / 1e3, l.p90 / 1e3, l.p95 / 1e3, l.p99 / 1e3, l.p999 / 1e3,
      l.max / 1e3);
  if (r.device_time_us)
    out += fmt::format(
        "device time per launch (us, mean): host->device {:.1f}  compute {:.1f}  device->host {:.1f}\n",
        r.device_time_us->h2d_us, r.device_time_us->compute_us, r.device_time_us->d2h_us);
  else
    out += "device time per launch: not measured by this backend (no transfers; compute is the latency)\n";
  out += fmt::format("requests: {} submitted, {} completed, {} dropped, {} errors, {} launches\n",
                     r.submitted, r.requests, r.dropped, r.errors, r.launches);
  if (!r.first_error.empty()) out += fmt::format("first error: {}\n", r.first_error);
  if (s.models.front().switch_interval_s > 0)
    out += fmt::format("model switches: {} ({} failed{})\n", r.switches, r.switch_failures,
                       r.switch_error.empty() ? "" : ": " + r.switch_error);
  return out;
}

void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out.flush()) fail(ErrorCode::kIo, "{}: cannot write", path);
}

}  // namespace rankrt
