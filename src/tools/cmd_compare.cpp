// `rankrt compare`: the per-layer accuracy debugger. Runs the float64 reference on the original
// graph and the engine with every layer output exposed, and prints each layer's error against the
// original value it computes, marking the first layer over tolerance (Polygraphy's `--mark all`).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "import/model_loader.h"
#include "io/samples.h"
#include "passes/pipeline.h"
#include "plan/format/sha256.h"
#include "plan/plan_builder.h"
#include "plan/request_calibration.h"
#include "runtime/bench_report.h"
#include "runtime/layer_compare.h"
#include "tools/calibration_flags.h"
#include "tools/commands.h"

namespace rankrt::tools {

namespace {

struct CompareOptions {
  std::string model, samples, plan, json;
  EngineOptions engine;
  CalibrationSource calibration;
  AccuracyCriterion criterion;
  std::vector<int64_t> sample_indices;
};

// The engine of --plan, or of --model optimized as build_engine would, built with every layer output
// exposed.
std::unique_ptr<Engine> make_engine(const CompareOptions& o, const std::vector<std::string>& outputs) {
  if (!o.plan.empty()) {
    plan::Plan p = plan::read_plan_file(o.plan);
    if (p.key.model_sha256 != plan::to_hex(plan::sha256_file(o.model)))
      fail(ErrorCode::kUsage, "{} was built from another model than {}", o.plan, o.model);
    p.graph = expose_layer_outputs(std::move(p.graph));
    return plan::engine_from_plan(std::move(p), o.engine, o.plan);
  }
  plan::PlanRequest request{o.model, outputs, o.engine};
  if (const std::string calibrated = plan::calibrate_request(request, o.calibration); !calibrated.empty())
    std::printf("%s\n", calibrated.c_str());
  Graph g = load_model(o.model, outputs);
  if (o.engine.optimize && o.engine.backend != "reference") optimize(g, {o.engine.disabled_passes});
  EngineOptions options = request.engine;
  options.optimize = false;
  return build_engine(expose_layer_outputs(std::move(g)), options);
}

std::vector<TensorMap> selected_samples(SampleFile& file, const CompareOptions& o) {
  if (o.sample_indices.empty()) return std::move(file.samples);
  std::vector<TensorMap> out;
  for (int64_t i : o.sample_indices) {
    if (i < 0 || i >= int64_t(file.samples.size()))
      fail(ErrorCode::kUsage, "--sample {}: {} has samples 0..{}", i, o.samples,
           int64_t(file.samples.size()) - 1);
    out.push_back(file.samples[size_t(i)]);
  }
  return out;
}

std::string error_cell(const LayerAccuracy& l, double v) {
  return l.compared ? fmt::format("{:.3e}", v) : std::string("-");
}

void print_table(const LayerComparison& c, const AccuracyCriterion& criterion) {
  size_t layer_w = 5, tensor_w = 6, op_w = 2;
  for (const LayerAccuracy& l : c.layers) {
    layer_w = std::max(layer_w, l.layer.size());
    tensor_w = std::max(tensor_w, l.value.size());
    op_w = std::max(op_w, l.op.size());
  }
  std::printf("%-*s  %-*s  %-*s  %11s  %12s  %11s\n", int(layer_w), "layer", int(tensor_w), "tensor",
              int(op_w), "op", "max abs err", "mean rel err", ">1% rel err");
  for (size_t i = 0; i < c.layers.size(); ++i) {
    const LayerAccuracy& l = c.layers[i];
    std::string mark;
    if (int64_t(i) == c.first_over)
      mark = "  <- first over tolerance";
    else if (l.over_tolerance)
      mark = "  over tolerance";
    std::printf("%-*s  %-*s  %-*s  %11s  %12s  %11s%s\n", int(layer_w), l.layer.c_str(), int(tensor_w),
                l.compared ? l.value.c_str() : "-", int(op_w), l.op.c_str(),
                error_cell(l, l.report.max_abs_err).c_str(), error_cell(l, l.report.mean_rel_err).c_str(),
                l.compared ? fmt::format("{:.4f}%", l.share_gt_1pct * 100).c_str() : "-", mark.c_str());
  }
  const AccuracyReport& out = c.output;
  std::printf("output: %lld values, max abs err %.3e, mean rel err %.3e, %.4f%% over %g%%: %s\n",
              static_cast<long long>(out.values), out.max_abs_err, out.mean_rel_err, out.share_over_tol * 100,
              criterion.rel_tol * 100, out.pass ? "PASS" : "FAIL");
  if (c.first_over >= 0)
    std::printf("first layer over tolerance: %s (%s)\n", c.layers[size_t(c.first_over)].layer.c_str(),
                c.layers[size_t(c.first_over)].value.c_str());
  else
    std::printf("no layer over tolerance\n");
}

nlohmann::json to_json(const LayerComparison& c, const CompareOptions& o, const std::string& engine) {
  nlohmann::json layers = nlohmann::json::array();
  for (size_t i = 0; i < c.layers.size(); ++i) {
    const LayerAccuracy& l = c.layers[i];
    auto value = [&](double v) { return l.compared ? nlohmann::json(v) : nlohmann::json(nullptr); };
    layers.push_back({{"layer", l.layer},
                      {"tensor", l.compared ? nlohmann::json(l.value) : nlohmann::json(nullptr)},
                      {"op", l.op},
                      {"max_abs_err", value(l.report.max_abs_err)},
                      {"mean_rel_err", value(l.report.mean_rel_err)},
                      {"share_gt_1pct", value(l.share_gt_1pct)},
                      {"over_tolerance", l.over_tolerance},
                      {"first_over_tolerance", int64_t(i) == c.first_over}});
  }
  const AccuracyReport& out = c.output;
  return {{"model", o.model},
          {"samples", o.samples},
          {"engine", engine},
          {"sample_count", c.samples},
          {"candidates", c.candidates},
          {"rtol", o.criterion.rel_tol},
          {"min_pass", o.criterion.min_pass_share},
          {"layers", layers},
          {"output",
           {{"values", out.values},
            {"max_abs_err", out.max_abs_err},
            {"mean_rel_err", out.mean_rel_err},
            {"max_rel_err", out.max_rel_err},
            {"share_over_rtol", out.share_over_tol},
            {"non_finite", out.non_finite},
            {"pass", out.pass}}}};
}

int compare(const CompareOptions& o) {
  if (!(o.criterion.rel_tol >= 0))
    fail(ErrorCode::kUsage, "--rtol must be >= 0, got {}", o.criterion.rel_tol);
  if (!(o.criterion.min_pass_share >= 0 && o.criterion.min_pass_share <= 1))
    fail(ErrorCode::kUsage, "--min-pass must be within [0, 1], got {}", o.criterion.min_pass_share);
  SampleFile file = load_samples(o.samples);
  const Graph original = load_model(o.model, file.output_names);
  const std::unique_ptr<Engine> engine = make_engine(o, file.output_names);
  check_samples(file, original, o.samples);
  check_samples(file, engine->graph(), o.samples);
  const std::vector<TensorMap> samples = selected_samples(file, o);
  ScoreSelector selector;
  if (!file.output_names.empty()) selector.output = file.output_names.front();

  LayerComparison c;
  try {
    c = compare_layers(original, *engine, samples, o.criterion, selector);
  } catch (const Error& e) {
    throw Error(e.code(), fmt::format("{}: {}", o.samples, e.what()));
  }
  std::printf(
      "%s: %lld samples, %lld candidates: %s against the float64 reference; tolerance: at most %g%% "
      "of a layer's values over %g%% relative error\n",
      o.model.c_str(), static_cast<long long>(c.samples), static_cast<long long>(c.candidates),
      engine->description().c_str(), (1 - o.criterion.min_pass_share) * 100, o.criterion.rel_tol * 100);
  print_table(c, o.criterion);
  if (!o.json.empty()) write_text_file(o.json, to_json(c, o, engine->description()).dump(2) + "\n");
  return c.first_over < 0 && c.output.pass ? 0 : 1;
}

}  // namespace

Handler add_compare_command(CLI::App& app) {
  auto o = std::make_shared<CompareOptions>();
  CLI::App* cmd = app.add_subcommand(
      "compare",
      "per-layer accuracy of the engine against the float64 reference (first layer over tolerance)");
  cmd->add_option("--model", o->model, "model file (.onnx, .pb, .pbtxt): the reference runs it as imported")
      ->required();
  cmd->add_option("--samples", o->samples, "sample file (SamplesProto .pb/.pbtxt, or .npz)")->required();
  CLI::Option* plan = cmd->add_option("--plan", o->plan, "engine plan of --model (rankrt build) to compare");
  cmd->add_option("--backend", o->engine.backend, "backend (cpu, cuda)")
      ->capture_default_str()
      ->excludes(plan);
  cmd->add_option("--precision", o->engine.precision,
                  "cpu: fp32 | bf16 | int8 | fp64; cuda: fp32 | tf32 | tf32x3 | fp16 | bf16 | int8 | fp8")
      ->capture_default_str()
      ->excludes(plan);
  cmd->add_option("--layer-precision", o->engine.layer_precision.rules,
                  "per-layer precision, e.g. 'fc1*=fp32,fc[2-4]*=fp16' (globs over layer and original node "
                  "names; later rules win)")
      ->excludes(plan);
  cmd->add_option("--disable-pass", o->engine.disabled_passes, "skip one optimizer pass (repeatable)")
      ->excludes(plan);
  for (CLI::Option* option : add_calibration_flags(cmd, o->calibration)) option->excludes(plan);
  cmd->add_option("--rtol,--rel-tol", o->criterion.rel_tol,
                  "a value is over when its relative error exceeds this")
      ->capture_default_str();
  cmd->add_option("--min-pass", o->criterion.min_pass_share,
                  "a layer is over tolerance when less than this share of its values are within --rtol")
      ->capture_default_str();
  cmd->add_option("--sample", o->sample_indices, "compare only these samples (indices, repeatable)");
  cmd->add_option("--json", o->json, "also write the table as JSON to this file");
  return [o] { return compare(*o); };
}

}  // namespace rankrt::tools
