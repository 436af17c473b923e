// `rankrt build`: imports and optimizes a model, builds an engine and saves its plan.
#include <chrono>
#include <cstdio>

#include "plan/plan_builder.h"
#include "tools/commands.h"

namespace rankrt::tools {

namespace {

struct BuildOptions {
  plan::PlanRequest request;
  std::string plan;
  std::string profile;  // --profile text; parsed into request.engine.profile
};

int build(const BuildOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  plan::BuiltEngine built = plan::build_engine_and_plan(o.request, plan::make_plan_key(o.request));
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
  cmd->add_option("--precision", e.precision, "cpu: fp32 | fp64; cuda: fp32 | tf32 | fp16 | bf16")
      ->capture_default_str();
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
