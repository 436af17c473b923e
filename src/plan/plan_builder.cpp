// Engine <-> plan: the key of a build request, builds that keep their plan, loads that skip
// import and optimization.
#include "plan/plan_builder.h"

#include <filesystem>

#include "import/model_loader.h"
#include "plan/format/plan_format.h"
#include "plan/format/sha256.h"

namespace rankrt::plan {

PlanKey make_plan_key(const PlanRequest& request) {
  const EngineOptions& o = request.engine;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(request.model, ec))
    fail(ErrorCode::kIo, "{}: no such file", request.model);
  PlanKey key;
  key.rankrt_version = RANKRT_VERSION;
  key.format_version = kFormatVersion;
  key.model_sha256 = to_hex(sha256_file(request.model));
  key.backend = o.backend;
  key.precision = o.precision;
  key.layer_precision = canonical_rules(o.layer_precision);
  key.activation_amax = o.activation_amax;
  key.profile = o.profile;
  key.cuda_graphs = o.backend == "cuda" && o.cuda_graphs;
  key.tune_gemms = o.backend == "cuda" && o.tune_gemms;
  key.optimize = o.optimize;
  key.disabled_passes.assign(o.disabled_passes.begin(), o.disabled_passes.end());
  key.outputs = request.outputs;
  if (o.backend == "cuda") key.device = describe_cuda_device(o.device);
  return key;
}

BuiltEngine build_engine_and_plan(const PlanRequest& request, PlanKey key) {
  EngineOptions options = request.engine;
  options.gemm_algorithms.clear();
  BuiltEngine built;
  built.engine = build_engine(load_model(request.model, request.outputs), options);
  built.plan.key = std::move(key);
  built.plan.graph = built.engine->graph();
  built.plan.gemm_algorithms = built.engine->gemm_algorithms();
  built.plan.layer_precision =
      resolve_layer_precision(built.plan.graph, options.layer_precision, options.backend, options.precision);
  return built;
}

std::unique_ptr<Engine> engine_from_plan(Plan plan, const EngineOptions& runtime, const std::string& file) {
  const PlanKey& key = plan.key;
  EngineOptions options = runtime;
  options.backend = key.backend;
  options.precision = key.precision;
  options.profile = key.profile;
  options.cuda_graphs = key.cuda_graphs;
  options.tune_gemms = key.tune_gemms;
  options.optimize = false;  // the plan's graph is already optimized
  options.disabled_passes.clear();
  options.gemm_algorithms = std::move(plan.gemm_algorithms);
  options.layer_precision = {"", std::move(plan.layer_precision)};
  options.activation_amax = key.activation_amax;
  if (key.backend == "cuda") {
    PlanKey here = key;
    here.device = describe_cuda_device(runtime.device);
    if (const std::string why = key_mismatch(key, here); !why.empty())
      fail(ErrorCode::kUsage, "{}: {}: rebuild the plan (rankrt build)", file, why);
  }
  return build_engine(std::move(plan.graph), options);
}

}  // namespace rankrt::plan
