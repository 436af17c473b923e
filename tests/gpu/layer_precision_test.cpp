// Per-layer precision on the CUDA backend: an fp16 override of one layer changes exactly what it
// predicts (that layer's error, nothing upstream); plans keep and replay it; the mixed-precision
// search on the demo model returns a plan that meets its budget.
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "gpu/dqm_like_graph.h"
#include "import/model_loader.h"
#include "io/accuracy.h"
#include "io/samples.h"
#include "models/model_files.h"
#include "plan/plan_builder.h"
#include "runtime/layer_compare.h"
#include "runtime/mixed_precision_search.h"

namespace rankrt::test {
namespace {

const LayerAccuracy& layer(const LayerComparison& c, const std::string& name) {
  for (const LayerAccuracy& l : c.layers)
    if (l.layer == name) return l;
  ADD_FAILURE() << "no layer " << name;
  static const LayerAccuracy none;
  return none;
}

bool bit_identical(const Tensor& a, const Tensor& b) {
  return a.dims() == b.dims() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

// fc2 of dqm_like_graph alone (h1 -> h2), its weight rounded to fp16 when `fp16_weight`.
Graph fc2_alone(const Graph& g, bool fp16_weight) {
  Graph one;
  one.source = "fc2 alone";
  one.inputs.push_back({"h1", DType::kF32, {Dim::sym("N"), 64}, true});
  for (const char* name : {"w2", "b2", "d0", "d1", "d2"}) one.initializers[name] = g.initializers.at(name);
  if (fp16_weight) one.initializers["w2"] = one.initializers["w2"].to(DType::kF16).to(DType::kF32);
  for (const Node& n : g.nodes)
    if (n.name == "fc2") one.nodes.push_back(n);
  one.outputs.push_back({"h2", DType::kF32, {}, false});
  infer_shapes(one);
  return one;
}

struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("rankrt-gpu-layer-precision-" + std::to_string(::getpid()));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

TEST(CudaLayerPrecision, Fc2InFp16ChangesExactlyWhatItPredicts) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(11);
  Graph g = dqm_like_graph(rng);
  infer_shapes(g);
  const TensorMap inputs = {{"x", random_tensor(rng, DType::kF32, {256, 24})},
                            {"comm", random_tensor(rng, DType::kF32, {1, 8})}};
  EngineOptions fp32;
  fp32.backend = "cuda";
  fp32.optimize = false;  // keep the layer names fc1, fc2, fc3
  EngineOptions fc2 = fp32;
  fc2.layer_precision.rules = "fc2=fp16";

  // The engines differ only in fc2's GEMM (fp32 runs fc2 -> fc3 as one double-precision score head).
  const std::unique_ptr<Engine> a = build_engine(g, fp32), b = build_engine(g, fc2);
  std::map<std::string, std::string> gemms;
  for (const GemmAlgorithms& l : b->gemm_algorithms()) gemms[l.layer] = l.precision;
  EXPECT_EQ(gemms, (std::map<std::string, std::string>{{"fc1", "fp32"}, {"fc2", "fp16"}, {"fc3", "fp32"}}));
  EXPECT_NE(b->description().find("cuda fp32 (per layer: fc2 fp16)"), std::string::npos) << b->description();
  EXPECT_FALSE(
      bit_identical(a->create_context()->run(inputs).at("y"), b->create_context()->run(inputs).at("y")));

  // Per layer against the float64 reference: fc1 is bit-identical, fc2 carries fp16's error.
  const std::unique_ptr<Engine> ea = build_engine(expose_layer_outputs(g), fp32),
                                eb = build_engine(expose_layer_outputs(g), fc2);
  const TensorMap oa = ea->create_context()->run(inputs), ob = eb->create_context()->run(inputs);
  EXPECT_TRUE(bit_identical(oa.at("h1"), ob.at("h1")));
  const LayerComparison ca = compare_layers(g, *ea, {inputs}, {}, {}),
                        cb = compare_layers(g, *eb, {inputs}, {}, {});
  EXPECT_EQ(layer(ca, "fc1").report.max_abs_err, layer(cb, "fc1").report.max_abs_err);
  const double fp32_err = layer(ca, "fc2").report.mean_rel_err,
               fp16_err = layer(cb, "fc2").report.mean_rel_err;
  std::printf("fc2 mean relative error: fp32 %.3e, fp16 %.3e\n", fp32_err, fp16_err);
  EXPECT_LT(fp32_err, 1e-5);
  EXPECT_GT(fp16_err, 1e-4);
  EXPECT_LT(fp16_err, 3e-2);

  // The prediction: fc2 in float64 on fc2's own fp16-rounded operands matches the engine's fc2 to
  // fp32 accumulation error, ten times closer than fc2 on the unrounded operands.
  const Tensor& h1 = ob.at("h1");
  const Graph rounded = fc2_alone(g, true), exact = fc2_alone(g, false);
  const Tensor predicted =
      ReferenceExecutor(rounded, DType::kF64).run({{"h1", h1.to(DType::kF16).to(DType::kF32)}}).at("h2");
  const Tensor unrounded = ReferenceExecutor(exact, DType::kF64).run({{"h1", h1}}).at("h2");
  const double predicted_err = normwise_error(ob.at("h2"), predicted),
               unrounded_err = normwise_error(ob.at("h2"), unrounded);
  std::printf("fc2 (fp16) vs float64 on fp16-rounded operands %.3e, on exact operands %.3e\n", predicted_err,
              unrounded_err);
  EXPECT_LT(predicted_err, 1e-5);
  EXPECT_GT(unrounded_err, 10 * predicted_err);
}

TEST(CudaLayerPrecision, PlansKeepAndReplayThePerLayerPrecision) {
  RANKRT_REQUIRE_GPU();
  TempDir dir;
  write_dqm_like_files(dir.path.string(), {.seed = 5, .samples = 3});
  const SampleFile samples = read_samples(dir.file("samples.pb"));
  plan::PlanRequest fp32{dir.file("frozen_graph.pb"), samples.output_names, {}};
  fp32.engine.backend = "cuda";
  plan::PlanRequest fc2 = fp32;
  fc2.engine.layer_precision.rules = "fc2*=fp16";
  plan::BuiltEngine a = plan::build_engine_and_plan(fp32, plan::make_plan_key(fp32));
  plan::BuiltEngine b = plan::build_engine_and_plan(fc2, plan::make_plan_key(fc2));
  EXPECT_EQ(b.plan.key.layer_precision, "fc2*=fp16");
  for (const auto& [name, p] : b.plan.layer_precision)
    EXPECT_EQ(p, name == "fc2_dqm/MatMul" ? "fp16" : "fp32");
  for (const GemmAlgorithms& l : b.plan.gemm_algorithms)
    EXPECT_EQ(l.precision, b.plan.layer_precision.at(l.layer));

  plan::write_plan_file(dir.file("fc2.plan"), b.plan);
  const std::unique_ptr<Engine> loaded =
      plan::engine_from_plan(plan::read_plan_file(dir.file("fc2.plan")), {}, dir.file("fc2.plan"));
  EXPECT_EQ(loaded->gemm_algorithms(), b.engine->gemm_algorithms());
  auto ca = a.engine->create_context(), cb = b.engine->create_context(), cl = loaded->create_context();
  const Tensor ya = ca->run(samples.samples[1]).at("concat_1"),
               yb = cb->run(samples.samples[1]).at("concat_1");
  EXPECT_TRUE(bit_identical(cl->run(samples.samples[1]).at("concat_1"), yb));
  EXPECT_FALSE(bit_identical(ya, yb));
}

TEST(CudaMixedPrecision, ChosenPlanMeetsTheBudgetOnTheDemoModel) {
  RANKRT_REQUIRE_GPU();
  TempDir dir;
  write_dqm_like_files(dir.path.string(), {.seed = 7, .samples = 16});
  const SampleFile samples = read_samples(dir.file("samples.pb"));
  EngineOptions options;
  options.backend = "cuda";
  const AccuracyBudget budget = parse_accuracy_budget("share_gt_1pct<=1%");
  const PrecisionSearchResult r = search_model_precision(
      dir.file("frozen_graph.pb"), samples.output_names, samples, dir.file("samples.pb"), options, budget,
      [](const std::string& line) { std::printf("%s\n", line.c_str()); });
  std::printf("%s", format_search_report(r, budget).c_str());
  EXPECT_TRUE(meets_budget(budget, r.candidates[r.chosen].calibration));
  EXPECT_TRUE(meets_budget(budget, r.held_out));

  // The chosen plan on every sample against the float64 baseline file.
  EngineOptions chosen = options;
  chosen.layer_precision.layers = r.candidates[r.chosen].assignment;
  const std::unique_ptr<Engine> engine =
      build_engine(load_model(dir.file("frozen_graph.pb"), samples.output_names), chosen);
  auto context = engine->create_context();
  ScoreTable scores;
  for (const TensorMap& s : samples.samples)
    scores.push_back(select_scores(context->run(s), engine->graph(), {samples.output_names.front(), -1}));
  const AccuracyReport report =
      compare_scores(scores, read_scores(dir.file("baseline.txt")), {0.01, 0.99}, "chosen plan", "baseline");
  std::printf("chosen plan on all samples: %.4f%% over 1%%\n", report.share_over_tol * 100);
  EXPECT_LE(report.share_over_tol, 0.01);
}

}  // namespace
}  // namespace rankrt::test
