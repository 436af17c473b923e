// Building engines together with their plans, and rebuilding an engine from a plan.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "plan/format/plan.h"
#include "runtime/engine.h"

namespace rankrt::plan {

// What an engine is built from: a model file, the outputs to keep (empty: the model's) and the
// engine options (backend, precision, profile, optimizer).
struct PlanRequest {
  std::string model;
  std::vector<std::string> outputs;
  EngineOptions engine;
};

// The key of a request on this machine: hashes the model file; for cuda describes the GPU.
PlanKey make_plan_key(const PlanRequest& request);

struct BuiltEngine {
  std::unique_ptr<Engine> engine;
  Plan plan;  // the optimized graph, layer precisions and GEMM algorithms the engine was built from
};

// Imports, optimizes and builds; `key` becomes the plan's key.
BuiltEngine build_engine_and_plan(const PlanRequest& request, PlanKey key);

// Rebuilds the engine a plan describes, without importing or optimizing. `runtime` supplies the
// options that are not part of the plan (cpu threads, cuda device). For cuda, throws kUsage when
// this GPU or its software differs from the plan's.
std::unique_ptr<Engine> engine_from_plan(Plan plan, const EngineOptions& runtime, const std::string& file);

}  // namespace rankrt::plan
