// `rankrt bench CONF`: blaze-benchmark style benchmark. Warmup passes over every sample (the first
// writes result_file and is checked against baseline_file), then a timed load from producer threads
// onto predictor_num execution contexts; prints accuracy, throughput and latency.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>

#include "import/model_loader.h"
#include "io/accuracy.h"
#include "io/samples.h"
#include "runtime/bench_config.h"
#include "runtime/load_generator.h"
#include "tools/commands.h"

namespace rankrt::tools {

namespace {

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

// Warmup and accuracy; returns whether the accuracy criterion holds (true without a baseline).
bool warmup(const Engine& engine, const SampleFile& samples, const BenchModelSettings& model, int passes) {
  auto context = engine.create_context();
  const auto start = std::chrono::steady_clock::now();
  const ScoreTable scores = score_samples(*context, samples, engine.graph());
  for (int pass = 1; pass < passes; ++pass) score_samples(*context, samples, engine.graph());
  fmt::print("warmup: {} pass(es) over {} samples in {:.2f} s\n", passes, samples.samples.size(),
             seconds_since(start));
  if (!model.result_file.empty()) {
    if (model.result_file != model.requested_result_file)
      spdlog::warn("result_file {}: directory not writable, writing {} instead", model.requested_result_file,
                   model.result_file);
    write_scores(model.result_file, scores);
    fmt::print("results: {}\n", model.result_file);
  }
  if (model.baseline_file.empty()) return true;
  const AccuracyReport report =
      compare_scores(scores, read_scores(model.baseline_file), AccuracyCriterion{},
                     model.result_file.empty() ? "results" : model.result_file, model.baseline_file);
  fmt::print("accuracy vs {}:\n{}\n", model.baseline_file, format_report(report));
  return report.pass;
}

void print_load(const LoadResult& r, const BenchSettings& settings, const BenchModelSettings& model) {
  const double secs = r.seconds > 0 ? r.seconds : 1;
  fmt::print("load: {} producer(s), {} predictor(s), {}, {} s\n", settings.thread_count, model.predictor_num,
             model.qps > 0 ? fmt::format("paced at {} requests/s", model.qps) : std::string("closed loop"),
             settings.duration_s);
  fmt::print("throughput: {:.2f} requests/s, {:.1f} candidates/s ({} requests, {} candidates in {:.2f} s)\n",
             double(r.requests) / secs, double(r.candidates) / secs, r.requests, r.candidates, r.seconds);
  const LatencySummary& l = r.latency_ms;
  fmt::print("latency (ms): p50 {:.3f}  p90 {:.3f}  p99 {:.3f}  max {:.3f}  mean {:.3f}\n", l.p50, l.p90,
             l.p99, l.max, l.mean);
}

int run_bench(const std::string& config_path) {
  const BenchSettings settings = load_bench_config(config_path);
  const BenchModelSettings& model = settings.models.front();
  const SampleFile samples = read_samples(model.sample_file);
  std::unique_ptr<Engine> engine = build_engine(load_model(model.model_path), settings.engine);
  check_samples(samples, engine->graph(), model.sample_file);
  if (samples.samples.empty()) fail(ErrorCode::kData, "{}: no samples", model.sample_file);
  fmt::print("model {}: {} on {}, {} samples\n", model.name, model.model_path, engine->description(),
             samples.samples.size());
  std::fflush(stdout);

  const bool accurate = warmup(*engine, samples, model, settings.warmup_passes);
  std::fflush(stdout);
  if (settings.duration_s > 0) {
    LoadOptions load;
    load.producers = settings.thread_count;
    load.predictors = model.predictor_num;
    load.duration_s = settings.duration_s;
    load.queue_capacity = size_t(settings.max_queue_size);
    load.qps = model.qps;
    print_load(run_load(*engine, samples.samples, load), settings, model);
  }
  fmt::print("accuracy: {}\n", accurate ? "PASS" : "FAIL");
  return accurate ? 0 : 1;
}

}  // namespace

Handler add_bench_command(CLI::App& app) {
  CLI::App* cmd =
      app.add_subcommand("bench", "blaze-benchmark style benchmark: accuracy, throughput, latency");
  auto config = std::make_shared<std::string>();
  cmd->add_option("config", *config, "benchmark configuration (text protobuf BenchmarkConfig)")->required();
  return [config] { return run_bench(*config); };
}

}  // namespace rankrt::tools
