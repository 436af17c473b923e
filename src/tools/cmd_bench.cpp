// `rankrt bench CONF`: blaze-benchmark style benchmark. Warmup passes over every sample (the first
// writes result_file and is checked against baseline_file), then a timed load from producer threads
// onto predictor_num execution contexts (optionally swept over parameters); prints accuracy,
// throughput and latency, and writes the JSON report and the throughput-latency chart.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>

#include "import/model_loader.h"
#include "io/accuracy.h"
#include "io/samples.h"
#include "plan/plan_cache.h"
#include "plan/request_calibration.h"
#include "runtime/bench_config.h"
#include "runtime/bench_report.h"
#include "runtime/load_generator.h"
#include "runtime/stop_signal.h"
#include "runtime/svg_plot.h"
#include "runtime/sweep.h"
#include "tools/commands.h"

namespace rankrt::tools {

namespace {

struct BenchOptions {
  std::string config, json, plot;
  BenchOverrides overrides;
  std::vector<std::string> sweeps;
  double duration_s = -1;  // >= 0 overrides the config's duration
};

// The engine of the config's plan, of its plan cache entry, or built from its model.
std::shared_ptr<const Engine> load_engine(const BenchSettings& s, bool announce) {
  if (!s.plan.empty()) return plan::engine_from_plan(plan::read_plan_file(s.plan), s.engine, s.plan);
  const std::string& model = s.models.front().model_path;
  if (!s.plan_cache) return build_engine(load_model(model), s.engine);
  plan::CachedEngine cached = plan::load_or_build_cached({model, {}, s.engine}, s.plan_cache_dir);
  if (announce) fmt::print("{}\n", cached.message);
  return std::move(cached.engine);
}

// Runs every sample once; returns the scored values of each.
ScoreTable score_samples(ExecutionContext& context, const SampleFile& samples, const Graph& graph) {
  const ScoreSelector selector{samples.output_names.empty() ? "" : samples.output_names.front(), -1};
  ScoreTable scores;
  for (const TensorMap& sample : samples.samples)
    scores.push_back(select_scores(context.run(sample), graph, selector));
  return scores;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Warmup passes; the first one's scores go to result_file and are compared with baseline_file.
std::optional<AccuracyReport> warmup(const Engine& engine, const SampleFile& samples,
                                     const BenchSettings& s) {
  const BenchModelSettings& model = s.models.front();
  auto context = engine.create_context();
  const auto start = std::chrono::steady_clock::now();
  const ScoreTable scores = score_samples(*context, samples, engine.graph());
  for (int pass = 1; pass < s.warmup_passes; ++pass) score_samples(*context, samples, engine.graph());
  fmt::print("warmup: {} pass(es) over {} samples in {:.2f} s\n", s.warmup_passes, samples.samples.size(),
             seconds_since(start));
  if (!model.result_file.empty()) {
    if (model.result_file != model.requested_result_file)
      spdlog::warn("result_file {}: directory not writable, writing {} instead", model.requested_result_file,
                   model.result_file);
    write_scores(model.result_file, scores);
    fmt::print("results: {}\n", model.result_file);
  }
  if (model.baseline_file.empty()) return std::nullopt;
  AccuracyReport report =
      compare_scores(scores, read_scores(model.baseline_file), s.accuracy,
                     model.result_file.empty() ? "results" : model.result_file, model.baseline_file);
  fmt::print("accuracy vs {}:\n{}", model.baseline_file, format_report(report));
  return report;
}

void print_progress(const LoadProgress& p) {
  fmt::print(stderr,
             "[{:6.1f} s] {:10.1f} requests/s {:12.1f} candidates/s  p99 {:8.3f} ms  queue {}  drops {}  "
             "errors {}\n",
             p.elapsed_s, p.requests_per_s, p.candidates_per_s, p.p99_us / 1e3, p.queue_depth, p.dropped,
             p.errors);
  std::fflush(stderr);
}

LoadOptions load_options(const BenchSettings& s) {
  const BenchModelSettings& model = s.models.front();
  LoadOptions load;
  load.producers = s.thread_count;
  load.predictors = model.predictor_num;
  load.duration_s = s.duration_s;
  load.queue_capacity = queue_capacity(s);
  load.qps = model.qps;
  load.in_flight = s.requests_in_flight;
  load.batch_rows = s.batching.max_rows;
  load.batch_delay_us = s.batching.max_delay_us;
  load.switch_interval_s = model.switch_interval_s;
  load.on_progress = print_progress;
  return load;
}

void write_outputs(const BenchOptions& o, const std::string& json_path,
                   const std::vector<BenchPoint>& points) {
  if (!json_path.empty() && !points.empty()) {
    nlohmann::json json = nlohmann::json::array();
    for (const BenchPoint& p : points) json.push_back(bench_point_json(p));
    write_text_file(json_path, (o.sweeps.empty() ? json.front() : json).dump(2) + "\n");
    fmt::print("json report: {}\n", json_path);
  }
  if (!o.plot.empty()) {
    std::vector<PlotPoint> plot;
    for (const BenchPoint& p : points)
      plot.push_back({p.load.seconds > 0 ? double(p.load.requests) / p.load.seconds : 0.0,
                      p.load.latency_us.p99 / 1e3, p.label});
    const std::string title =
        fmt::format("{}: {} ({})", points.empty() ? "" : points.front().settings.models.front().name,
                    points.empty() ? "" : points.front().settings.engine.backend,
                    points.empty() ? "" : points.front().hardware);
    write_text_file(o.plot, throughput_latency_svg(plot, title));
    fmt::print("plot: {}\n", o.plot);
  }
}

int run_bench(const BenchOptions& o) {
  StopSignal stop;
  const SigintWatcher sigint(stop);  // before any other thread starts
  std::vector<SweepAxis> axes;
  for (const std::string& spec : o.sweeps) axes.push_back(parse_sweep(spec));
  BenchSettings settings = load_bench_config(o.config, o.overrides);
  if (settings.plan_cache && settings.plan_cache_dir.empty())
    settings.plan_cache_dir = plan::default_cache_dir(settings.models.front().model_path);
  if (!o.json.empty()) settings.json_output = o.json;
  if (o.duration_s >= 0) settings.duration_s = o.duration_s;
  if (settings.plan.empty()) {  // int8 / fp8: every point's engine (and reload) gets the calibration
    plan::PlanRequest request{settings.models.front().model_path, {}, settings.engine};
    if (const std::string calibrated = plan::calibrate_request(request, settings.calibration);
        !calibrated.empty())
      fmt::print("{}\n", calibrated);
    settings.engine.activation_amax = std::move(request.engine.activation_amax);
  }
  const std::vector<SweepPoint> sweep =
      settings.duration_s > 0 ? sweep_points(axes) : std::vector<SweepPoint>{};
  std::vector<BenchSettings> point_settings;  // checked before the (long) engine build and warmup
  for (const SweepPoint& values : sweep) {
    point_settings.push_back(settings);
    for (const auto& [parameter, value] : values) apply_sweep_value(point_settings.back(), parameter, value);
  }
  const BenchModelSettings& model = settings.models.front();
  const SampleFile samples = read_samples(model.sample_file);
  if (samples.samples.empty()) fail(ErrorCode::kData, "{}: no samples", model.sample_file);
  const std::shared_ptr<const Engine> engine = load_engine(settings, true);
  check_samples(samples, engine->graph(), model.sample_file);
  // Requests read their inputs from the samples: page-locked, they reach a GPU without staging.
  const std::shared_ptr<void> pinned = engine->pin_host_memory(samples.samples);
  fmt::print("model {}: {} on {}, {} samples{}\n", model.name,
             model.model_path.empty() ? settings.plan : model.model_path, engine->description(),
             samples.samples.size(), pinned ? " (page-locked)" : "");
  std::fflush(stdout);

  const std::optional<AccuracyReport> accuracy = warmup(*engine, samples, settings);
  std::fflush(stdout);
  std::vector<BenchPoint> points;
  const std::string hardware = describe_hardware(settings.engine);
  for (size_t i = 0; i < sweep.size() && !stop.stop_requested(); ++i) {
    BenchPoint point{sweep_label(sweep[i]), point_settings[i], {}, accuracy, hardware};
    const EngineFactory reload = [settings = point.settings] { return load_engine(settings, false); };
    point.load = run_load(engine, reload, samples.samples, load_options(point.settings), stop);
    fmt::print("{}", format_summary(point));
    std::fflush(stdout);
    points.push_back(std::move(point));
  }
  write_outputs(o, settings.json_output, points);
  const bool pass = !accuracy || accuracy->pass;
  fmt::print("accuracy: {}\n", pass ? "PASS" : "FAIL");
  if (sigint.interrupted()) {
    fmt::print("interrupted: the summary covers the load until Ctrl-C\n");
    return 130;
  }
  return pass ? 0 : 1;
}

}  // namespace

Handler add_bench_command(CLI::App& app) {
  CLI::App* cmd =
      app.add_subcommand("bench", "blaze-benchmark style benchmark: accuracy, throughput, latency");
  auto o = std::make_shared<BenchOptions>();
  cmd->add_option("config", o->config, "benchmark configuration (text protobuf BenchmarkConfig)")->required();
  cmd->add_option("--json", o->json, "write the JSON report here (overrides the config's json_output)");
  cmd->add_option("--sweep", o->sweeps,
                  "run one point per value, e.g. predictor_num=1,2,4,8 or qps=100,200 (repeatable: every "
                  "combination)");
  cmd->add_option("--plot", o->plot, "write the throughput-latency chart of the points as SVG");
  cmd->add_option("--duration", o->duration_s, "seconds of load per point (overrides the config's duration)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--profile", o->overrides.profile,
                  "cpu / cuda: candidate counts served and tuned for, N=min:opt:max (overrides the config's "
                  "profile)");
  cmd->add_option("--layer-precision", o->overrides.layer_precision,
                  "per-layer precision rules, e.g. 'fc1*=fp32,fc[2-4]*=fp16' (overrides the config's "
                  "layer_precision)");
  CLI::Option* cache =
      cmd->add_option("--plan-cache", o->overrides.plan_cache_dir,
                      "reuse or store the model's engine plan in this directory (overrides the "
                      "config's plan_cache_dir; default: rankrt-plans/ beside the model)");
  cmd->add_flag("--no-plan-cache", o->overrides.no_plan_cache,
                "build the model's engine without the plan cache")
      ->excludes(cache);
  return [o] { return run_bench(*o); };
}

}  // namespace rankrt::tools
