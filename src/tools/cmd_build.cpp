// `rankrt build`: imports and optimizes a model, builds an engine and saves its plan; with
// --accuracy-budget, for the per-layer precision that src/runtime/mixed_precision_search chooses.
#include <chrono>
#include <cstdio>

#include "io/samples.h"
#include "plan/plan_builder.h"
#include "plan/request_calibration.h"
#include "runtime/mixed_precision_search.h"
#include "tools/calibration_flags.h"
#include "tools/commands.h"

namespace rankrt::tools {

namespace {

struct BuildOptions {
  plan::PlanRequest request;
  std::string plan;
  std::string profile;  // --profile text; parsed into request.engine.profile
  std::string accuracy_budget, samples;
  CalibrationSource calibration;
};

// The per-layer precision of the fastest plan meeting the budget (verified on held-out samples).
LayerPrecisionMap search_precision(const BuildOptions& o, plan::PlanRequest& request) {
  const AccuracyBudget budget = parse_accuracy_budget(o.accuracy_budget);
  const SampleFile samples = load_samples(o.samples);
  if (request.outputs.empty()) request.outputs = samples.output_names;
  const PrecisionSearchResult r = search_model_precision(request.model, request.outputs, samples, o.samples,
                                                         request.engine, budget, [](const std::string& line) {
                                                           std::printf("%s\n", line.c_str());
                                                           std::fflush(stdout);
                                                         });
  std::fputs(format_search_report(r, budget).c_str(), stdout);
  return r.candidates[r.chosen].assignment;
}

int build(const BuildOptions& o) {
  plan::PlanRequest request = o.request;
  // A cuda search with a calibration source may put any layer in fp8: every layer is calibrated,
  // and the plan keeps the ranges of the layers the search put in int8 / fp8.
  const bool search = !o.accuracy_budget.empty();
  if (const std::string calibrated =
          plan::calibrate_request(request, o.calibration, search && request.engine.backend == "cuda");
      !calibrated.empty())
    std::printf("%s\n", calibrated.c_str());
  if (search) {
    request.engine.layer_precision.layers = search_precision(o, request);
    std::erase_if(request.engine.activation_amax, [&](const auto& layer) {
      return !is_quantized_precision(request.engine.layer_precision.layers.at(layer.first));
    });
  }
  const auto start = std::chrono::steady_clock::now();
  plan::BuiltEngine built = plan::build_engine_and_plan(request, plan::make_plan_key(request));
  const auto built_at = std::chrono::steady_clock::now();
  plan::write_plan_file(o.plan, built.plan);
  const auto saved_at = std::chrono::steady_clock::now();
  using ms = std::chrono::duration<double, std::milli>;
  std::printf("%s: built in %.1f ms, saved in %.1f ms (%s, profile %s)\n", o.plan.c_str(),
              ms(built_at - start).count(), ms(saved_at - built_at).count(),
              built.engine->description().c_str(), profile_to_string(built.plan.key.profile).c_str());
  return 0;
}

}  // namespace

Handler add_build_command(CLI::App& app) {
  auto o = std::make_shared<BuildOptions>();
  EngineOptions& e = o->request.engine;
  CLI::App* cmd = app.add_subcommand("build", "build an engine for a model and save its plan");
  cmd->add_option("--model", o->request.model, "model file (.onnx, .pb, .pbtxt)")->required();
  cmd->add_option("--plan", o->plan, "write the plan here")->required();
  cmd->add_option("--backend", e.backend, "backend (cpu, reference, cuda)")->capture_default_str();
  cmd->add_option("--precision", e.precision,
                  "cpu: fp32 | bf16 | int8 | fp64; cuda: fp32 | tf32 | tf32x3 | fp16 | bf16 | int8 | fp8")
      ->capture_default_str();
  CLI::Option* rules = cmd->add_option(
      "--layer-precision", e.layer_precision.rules,
      "per-layer precision, e.g. 'fc1*=fp32,fc[2-4]*=fp16' (globs over layer and original node names; later "
      "rules win)");
  CLI::Option* budget =
      cmd->add_option(
             "--accuracy-budget", o->accuracy_budget,
             "choose the per-layer precision: the fastest plan whose scored output meets this against "
             "the float64 reference, e.g. 'share_gt_1pct<=1%', 'mean_rel_err<=1e-3', "
             "'allclose rtol=1e-3 atol=1e-6'")
          ->excludes(rules);
  cmd->add_option("--samples", o->samples,
                  "--accuracy-budget: sample file, first half to search on, second half to verify on")
      ->needs(budget);
  budget->needs("--samples");
  add_calibration_flags(cmd, o->calibration);
  cmd->add_option("--profile", o->profile,
                  "cpu / cuda: candidate counts served and tuned for, N=min:opt:max (default N=1:512:512)");
  cmd->add_option("--device", e.device, "cuda device ordinal")->capture_default_str();
  cmd->add_flag(
      "--no-cuda-graph", [o](int64_t) { o->request.engine.cuda_graphs = false; },
      "cuda: launch kernels one by one");
  cmd->add_flag("--tune-gemms", e.tune_gemms, "cuda: time cuBLASLt's top GEMM candidates per row bucket");
  cmd->add_flag(
      "--no-optimize", [o](int64_t) { o->request.engine.optimize = false; },
      "build the graph as imported (no optimizer passes)");
  cmd->add_option("--disable-pass", e.disabled_passes, "skip one optimizer pass (repeatable)");
  cmd->add_option("--outputs", o->request.outputs, "keep only these graph outputs, in this order");
  return [o] {
    if (!o->profile.empty()) o->request.engine.profile = parse_shape_profile(o->profile, "--profile");
    return build(*o);
  };
}

}  // namespace rankrt::tools
