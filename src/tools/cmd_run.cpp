// `rankrt run`: runs a model over a sample file, writes the scores, checks them against a baseline.
#include <chrono>
#include <cstdio>

#include "import/model_loader.h"
#include "io/accuracy.h"
#include "io/samples.h"
#include "plan/plan_cache.h"
#include "plan/request_calibration.h"
#include "runtime/engine.h"
#include "tools/calibration_flags.h"
#include "tools/commands.h"

namespace rankrt::tools {

namespace {

struct RunOptions {
  std::string model, samples, baseline, result;
  std::string plan;        // replaces --model
  std::string plan_cache;  // reuses / stores the plans of --model; empty: plan::default_cache_dir
  bool no_plan_cache = false;
  std::string profile;  // --profile text; parsed into engine.profile
  EngineOptions engine;
  CalibrationSource calibration;
  ScoreSelector selector;
  AccuracyCriterion criterion;
};

// The engine of --plan, of the plan cache entry, or built from --model (--no-plan-cache).
std::unique_ptr<Engine> make_engine(const RunOptions& o, const std::vector<std::string>& outputs) {
  if (o.model.empty() == o.plan.empty()) fail(ErrorCode::kUsage, "give either --model or --plan");
  if (!o.plan.empty()) {
    if (!o.plan_cache.empty()) fail(ErrorCode::kUsage, "--plan-cache needs --model, not --plan");
    if (!o.profile.empty())
      fail(ErrorCode::kUsage, "--profile needs --model: a plan keeps the profile it was built with");
    if (!o.engine.layer_precision.rules.empty())
      fail(ErrorCode::kUsage,
           "--layer-precision needs --model: a plan keeps the precisions it was built with");
    if (o.calibration.given())
      fail(ErrorCode::kUsage,
           "--calibrate / --calibration-cache need --model: a plan keeps the calibration it was built with");
    return plan::engine_from_plan(plan::read_plan_file(o.plan), o.engine, o.plan);
  }
  plan::PlanRequest request{o.model, outputs, o.engine};
  if (const std::string calibrated = plan::calibrate_request(request, o.calibration); !calibrated.empty())
    std::printf("%s\n", calibrated.c_str());
  if (o.no_plan_cache) return build_engine(load_model(o.model, outputs), request.engine);
  const std::string dir = o.plan_cache.empty() ? plan::default_cache_dir(o.model) : o.plan_cache;
  plan::CachedEngine cached = plan::load_or_build_cached(request, dir);
  std::printf("%s\n", cached.message.c_str());
  return std::move(cached.engine);
}

int run(const RunOptions& o) {
  if (!(o.criterion.rel_tol >= 0))
    fail(ErrorCode::kUsage, "--rel-tol must be >= 0, got {}", o.criterion.rel_tol);
  if (!(o.criterion.min_pass_share >= 0 && o.criterion.min_pass_share <= 1))
    fail(ErrorCode::kUsage, "--min-pass must be within [0, 1], got {}", o.criterion.min_pass_share);

  const SampleFile samples = load_samples(o.samples);
  const std::unique_ptr<Engine> engine = make_engine(o, samples.output_names);
  check_samples(samples, engine->graph(), o.samples);
  ScoreTable baseline;
  if (!o.baseline.empty()) {
    baseline = read_scores(o.baseline);
    if (baseline.size() != samples.samples.size())
      fail(ErrorCode::kData, "{} has {} lines but {} has {} samples", o.baseline, baseline.size(), o.samples,
           samples.samples.size());
  }
  ScoreSelector selector = o.selector;
  if (selector.output.empty() && !samples.output_names.empty())
    selector.output = samples.output_names.front();

  const std::unique_ptr<ExecutionContext> context = engine->create_context();
  ScoreTable scores;
  int64_t non_finite_inputs = 0, samples_with_non_finite = 0, candidates = 0;
  std::chrono::steady_clock::duration elapsed{};
  for (size_t i = 0; i < samples.samples.size(); ++i) {
    const TensorMap& sample = samples.samples[i];
    const int64_t bad = count_non_finite(sample);
    non_finite_inputs += bad;
    samples_with_non_finite += bad ? 1 : 0;
    TensorMap outputs;
    try {
      const auto start = std::chrono::steady_clock::now();
      outputs = context->run(sample);
      elapsed += std::chrono::steady_clock::now() - start;
      scores.push_back(select_scores(outputs, engine->graph(), selector));
    } catch (const Error& e) {
      throw Error(e.code(), fmt::format("{}: sample {}: {}", o.samples, i, e.what()));
    }
    candidates += int64_t(scores.back().size());
  }
  if (non_finite_inputs)
    std::fprintf(stderr, "rankrt: warning: %s: %lld NaN/Inf input values in %lld of %zu samples\n",
                 o.samples.c_str(), static_cast<long long>(non_finite_inputs),
                 static_cast<long long>(samples_with_non_finite), samples.samples.size());
  if (!o.result.empty()) write_scores(o.result, scores);

  const double ms = std::chrono::duration<double, std::milli>(elapsed).count();
  std::printf("%s: %zu samples, %lld candidates, %.3f ms (%s)\n",
              (o.model.empty() ? o.plan : o.model).c_str(), samples.samples.size(),
              static_cast<long long>(candidates), ms, engine->description().c_str());
  if (o.baseline.empty()) return 0;
  const std::string result_name = o.result.empty() ? fmt::format("the result for {}", o.samples) : o.result;
  const AccuracyReport report = compare_scores(scores, baseline, o.criterion, result_name, o.baseline);
  std::fputs(format_report(report).c_str(), stdout);
  return report.pass ? 0 : 1;
}

}  // namespace

Handler add_run_command(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "run a model over a sample file and check it against a baseline");
  cmd->add_option("--model", o->model, "model file (.onnx, .pb, .pbtxt)");
  cmd->add_option("--plan", o->plan, "engine plan (rankrt build) to run instead of --model");
  CLI::Option* cache = cmd->add_option("--plan-cache", o->plan_cache,
                                       "reuse or store the engine plan of --model in this directory "
                                       "(default: rankrt-plans/ beside the model)");
  cmd->add_flag("--no-plan-cache", o->no_plan_cache, "build the engine of --model without the plan cache")
      ->excludes(cache);
  cmd->add_option("--samples", o->samples, "sample file (SamplesProto .pb/.pbtxt, or .npz)")->required();
  cmd->add_option("--baseline", o->baseline, "baseline scores (one line per sample)");
  cmd->add_option("--result", o->result, "write the scores here (one line per sample, %.9e)");
  cmd->add_option("--backend", o->engine.backend, "backend")->capture_default_str();
  cmd->add_option("--precision", o->engine.precision,
                  "cpu: fp32 | bf16 | int8 | fp64; cuda: fp32 | tf32 | tf32x3 | fp16 | bf16 | int8 | fp8")
      ->capture_default_str();
  cmd->add_option("--layer-precision", o->engine.layer_precision.rules,
                  "per-layer precision, e.g. 'fc1*=fp32,fc[2-4]*=fp16' (globs over layer and original node "
                  "names; later rules win)");
  add_calibration_flags(cmd, o->calibration);
  cmd->add_option("--profile", o->profile,
                  "cpu / cuda: candidate counts served and tuned for, N=min:opt:max (default N=1:512:512)");
  cmd->add_flag(
      "--no-cuda-graph", [o](int64_t) { o->engine.cuda_graphs = false; }, "cuda: launch kernels one by one");
  cmd->add_flag("--tune-gemms", o->engine.tune_gemms,
                "cuda: time cuBLASLt's top GEMM candidates per row bucket");
  cmd->add_flag(
      "--no-optimize", [o](int64_t) { o->engine.optimize = false; },
      "run the graph as imported (no optimizer passes)");
  cmd->add_option("--disable-pass", o->engine.disabled_passes, "skip one optimizer pass (repeatable)");
  cmd->add_option(
      "--output", o->selector.output,
      "scored output (default: the sample file's first output name, else the model's first output)");
  cmd->add_option("--column", o->selector.column, "scored column of that output, negative from the end")
      ->capture_default_str();
  cmd->add_option("--rel-tol", o->criterion.rel_tol, "a value passes within this relative error")
      ->capture_default_str();
  cmd->add_option("--min-pass", o->criterion.min_pass_share, "share of values that must pass")
      ->capture_default_str();
  return [o] {
    if (!o->profile.empty()) o->engine.profile = parse_shape_profile(o->profile, "--profile");
    return run(*o);
  };
}

}  // namespace rankrt::tools
