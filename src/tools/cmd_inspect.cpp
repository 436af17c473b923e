// `rankrt inspect MODEL|PLAN [--optimized] [--json]`: the model's layer table (name, op, fused
// epilogue, original nodes, shapes, precision, FLOPs per candidate, weight bytes), as text or JSON;
// for an engine plan, its key (backend, precision, shape profile, ...), its optimized graph, the
// final precision of every layer and the calibrated activation amax of its int8 / fp8 layers; for a model
// with --backend / --precision / --layer-precision, the optimized graph with the precision of every layer an
// engine of those options would run.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "import/model_loader.h"
#include "passes/layer_info.h"
#include "passes/pipeline.h"
#include "plan/format/plan.h"
#include "runtime/engine.h"
#include "tools/commands.h"

namespace rankrt::tools {

namespace {

struct InspectOptions {
  std::string model;
  bool optimized = false;
  bool json = false;
  EngineOptions engine;  // backend, precision and per-layer precision of an engine of the model
  bool engine_given = false;
};

std::string values_to_string(const std::vector<ValueInfo>& values) {
  std::vector<std::string> parts;
  for (const ValueInfo& v : values)
    parts.push_back(v.rank_known ? shape_to_string(v.shape) : std::string("[*]"));
  return fmt::format("{}", fmt::join(parts, " "));
}

nlohmann::json values_to_json(const std::vector<ValueInfo>& values) {
  nlohmann::json out = nlohmann::json::array();
  for (const ValueInfo& v : values) {
    nlohmann::json shape = nlohmann::json::array();
    for (const Dim& d : v.shape) {
      if (d.is_known())
        shape.push_back(d.value);
      else
        shape.push_back(d.to_string());
    }
    out.push_back(
        {{"name", v.name}, {"dtype", dtype_name(v.dtype)}, {"shape", v.rank_known ? shape : nullptr}});
  }
  return out;
}

// The calibrated amax of a layer's input, for plans with int8 / fp8 layers.
std::optional<float> amax_of(const std::optional<plan::PlanKey>& key, const std::string& layer) {
  if (!key) return std::nullopt;
  auto it = key->activation_amax.find(layer);
  return it == key->activation_amax.end() ? std::nullopt : std::optional<float>(it->second);
}

void print_json(const std::vector<LayerInfo>& layers, const std::optional<plan::PlanKey>& key,
                const InspectOptions& o) {
  nlohmann::json doc;
  if (key)
    doc["plan"] = {{"backend", key->backend},
                   {"precision", key->precision},
                   {"layer_precision", key->layer_precision},
                   {"profile", profile_to_string(key->profile)},
                   {"key", plan::describe_key(*key)}};
  if (o.engine_given)
    doc["engine"] = {{"backend", o.engine.backend},
                     {"precision", o.engine.precision},
                     {"layer_precision", o.engine.layer_precision.rules}};
  doc["layers"] = nlohmann::json::array();
  double per_candidate = 0, fixed = 0;
  int64_t weight_bytes = 0;
  for (const LayerInfo& l : layers) {
    doc["layers"].push_back({{"name", l.name},
                             {"op", l.op},
                             {"fused", l.fused},
                             {"precision", l.precision},
                             {"inputs", values_to_json(l.inputs)},
                             {"outputs", values_to_json(l.outputs)},
                             {"weights", values_to_json(l.weights)},
                             {"weight_bytes", l.weight_bytes},
                             {"source_nodes", l.source_nodes},
                             {"flops_per_candidate", l.flops_per_candidate},
                             {"flops_fixed", l.flops_fixed}});
    if (const std::optional<float> amax = amax_of(key, l.name))
      doc["layers"].back()["activation_amax"] = *amax;
    per_candidate += l.flops_per_candidate;
    fixed += l.flops_fixed;
    weight_bytes += l.weight_bytes;
  }
  doc["flops_per_candidate"] = per_candidate;
  doc["flops_fixed"] = fixed;
  doc["weight_bytes"] = weight_bytes;
  std::printf("%s\n", doc.dump(2).c_str());
}

void print_table(const std::vector<LayerInfo>& layers, const std::optional<plan::PlanKey>& key) {
  std::printf("%-32s %-18s %-16s %-5s %-28s %-16s %12s %12s %10s\n", "Name", "Op", "Fused", "Prec", "Inputs",
              "Outputs", "FLOPs/cand", "FLOPs fixed", "Weights B");
  double per_candidate = 0, fixed = 0;
  int64_t weight_bytes = 0;
  for (const LayerInfo& l : layers) {
    std::printf("%-32s %-18s %-16s %-5s %-28s %-16s %12.0f %12.0f %10lld\n", l.name.c_str(), l.op.c_str(),
                fmt::format("{}", fmt::join(l.fused, "+")).c_str(), l.precision.c_str(),
                values_to_string(l.inputs).c_str(), values_to_string(l.outputs).c_str(),
                l.flops_per_candidate, l.flops_fixed, static_cast<long long>(l.weight_bytes));
    if (l.source_nodes.size() > 1 || (l.source_nodes.size() == 1 && l.source_nodes[0] != l.name))
      std::printf("    from: %s\n", fmt::format("{}", fmt::join(l.source_nodes, ", ")).c_str());
    if (const std::optional<float> amax = amax_of(key, l.name))
      std::printf("    activation amax: %s (calibrated input range)\n", fmt::format("{}", *amax).c_str());
    per_candidate += l.flops_per_candidate;
    fixed += l.flops_fixed;
    weight_bytes += l.weight_bytes;
  }
  std::printf("%zu layers; FLOPs = %.0f per candidate + %.0f per request; %lld weight bytes\n", layers.size(),
              per_candidate, fixed, static_cast<long long>(weight_bytes));
}

int inspect(const InspectOptions& o) {
  Graph graph;
  std::optional<plan::PlanKey> key;
  LayerPrecisionMap precision;
  if (plan::is_plan_file(o.model)) {
    if (o.engine_given)
      fail(ErrorCode::kUsage,
           "{}: --backend, --precision and --layer-precision need a model: a plan keeps those it was built "
           "with",
           o.model);
    plan::Plan p = plan::read_plan_file(o.model);  // its graph is already optimized
    key = std::move(p.key);
    graph = std::move(p.graph);
    precision = std::move(p.layer_precision);
  } else {
    graph = load_model(o.model);
    // Layer names come from the graph the engine would run (build_engine optimizes but for reference).
    if (o.optimized || (o.engine_given && o.engine.backend != "reference")) optimize(graph);
    if (o.engine_given)
      precision =
          resolve_layer_precision(graph, o.engine.layer_precision, o.engine.backend, o.engine.precision);
  }
  const std::vector<LayerInfo> layers = layer_table(graph, precision);
  if (o.json) {
    print_json(layers, key, o);
    return 0;
  }
  if (key) std::printf("plan: %s\n", plan::describe_key(*key).c_str());
  if (o.engine_given)
    std::printf("engine: %s %s%s\n", o.engine.backend.c_str(), o.engine.precision.c_str(),
                describe_overrides(precision, o.engine.precision).c_str());
  print_table(layers, key);
  return 0;
}

}  // namespace

Handler add_inspect_command(CLI::App& app) {
  auto o = std::make_shared<InspectOptions>();
  CLI::App* cmd = app.add_subcommand("inspect", "print a model's layers: shapes, fusions, FLOPs, weights");
  cmd->add_option("model", o->model, "model file (.onnx, .pb, .pbtxt) or engine plan (rankrt build)")
      ->required();
  cmd->add_flag("--optimized", o->optimized, "run the graph optimizer first");
  cmd->add_flag("--json", o->json, "print JSON instead of a table");
  const std::vector<CLI::Option*> options = {
      cmd->add_option(
          "--backend", o->engine.backend,
          "show the layers of an engine on this backend (cpu, reference, cuda; implies --optimized)"),
      cmd->add_option("--precision", o->engine.precision, "that engine's precision (default fp32)"),
      cmd->add_option("--layer-precision", o->engine.layer_precision.rules,
                      "that engine's per-layer precision rules, e.g. 'fc1*=fp32,fc[2-4]*=fp16'")};
  return [o, options] {
    for (const CLI::Option* option : options) o->engine_given = o->engine_given || option->count() > 0;
    return inspect(*o);
  };
}

}  // namespace rankrt::tools
