// --layer-precision and --accuracy-budget from the command line (CPU, demo model): `inspect` shows
// the final precision of every layer for a model with engine options and for a plan; rules that
// cannot be obeyed are one error line; `build --accuracy-budget` writes a verified plan.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "plan/format/plan.h"
#include "tools/bench_test_util.h"
#include "tools/cli_helpers.h"

namespace rankrt {
namespace {

using testing::expect_one_line_error;
using testing::run_rankrt;

class LayerPrecisionCli : public testing::DemoModelTest {
 protected:
  // The demo model with 2 requests (the float64 reference of `build --accuracy-budget` is slow).
  LayerPrecisionCli() : DemoModelTest("layer-precision", 2) {}

  // The "precision" of each layer in `inspect --json` output.
  static std::map<std::string, std::string> precisions(const std::string& json) {
    std::map<std::string, std::string> out;
    const nlohmann::json doc = nlohmann::json::parse(json);
    for (const nlohmann::json& l : doc["layers"])
      out[l["name"].get<std::string>()] = l["precision"].get<std::string>();
    return out;
  }
};

TEST_F(LayerPrecisionCli, InspectShowsTheFinalPrecisionOfEveryLayer) {
  testing::CommandResult r =
      run_rankrt("inspect " + model() + " --backend cuda --layer-precision 'fc1*=fp32,fc[2-4]*=fp16' --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::map<std::string, std::string> p = precisions(r.output);
  EXPECT_EQ(p["fc1_dqm/MatMul/common"], "fp32");
  EXPECT_EQ(p["fc1_dqm/MatMul"], "fp32");
  EXPECT_EQ(p["fc2_dqm/MatMul"], "fp16");
  EXPECT_EQ(p["fc4_dqm/MatMul"], "fp16");
  EXPECT_EQ(p["fc5_dqm/MatMul"], "fp32");
  r = run_rankrt("inspect " + model() + " --backend cuda --precision tf32 --layer-precision 'fc6*=fp32'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("engine: cuda tf32 (per layer: fc6_dqm/MatMul fp32)"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("fc5_dqm/MatMul                   Dense              bias+dice        tf32"),
            std::string::npos)
      << r.output;

  // A plan: its key's rules and the precision it resolved them to.
  r = run_rankrt("build --model " + model() + " --plan " + file("fp32.plan") +
                 " --layer-precision 'fc[2-4]*=fp32'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_rankrt("inspect --json " + file("fp32.plan"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(nlohmann::json::parse(r.output)["plan"]["layer_precision"], "fc[2-4]*=fp32");
  EXPECT_EQ(precisions(r.output)["fc3_dqm/MatMul"], "fp32");
  r = run_rankrt("inspect " + file("fp32.plan"));
  EXPECT_NE(r.output.find("plan: cpu fp32, layer precision 'fc[2-4]*=fp32', profile"), std::string::npos)
      << r.output;
}

TEST_F(LayerPrecisionCli, RulesThatCannotBeObeyedAreErrors) {
  const std::string run = "run --model " + model() + " --samples " + file("samples.pb") + " --no-plan-cache";
  expect_one_line_error(
      run + " --layer-precision 'fc1*=fp16'", 2,
      {"frozen_graph.pb", "rule 'fc1*=fp16'", "backend cpu runs every layer in its precision fp32"});
  expect_one_line_error(
      run + " --layer-precision 'fc1*=fp32,fc9*=fp32'", 2,
      {"frozen_graph.pb", "rule 'fc9*=fp32' matches no layer", "GEMM layers: fc1_dqm/MatMul/common"});
  expect_one_line_error(run + " --layer-precision 'fc1*=fp7'", 2, {"unknown precision 'fp7'"});
  expect_one_line_error(run + " --layer-precision 'fc1*'", 2, {"rule 'fc1*' is not GLOB=PRECISION"});
  expect_one_line_error("inspect " + model() + " --backend cuda --layer-precision 'x*=fp16'", 2,
                        {"rule 'x*=fp16'"});
  ASSERT_EQ(run_rankrt("build --model " + model() + " --plan " + file("m.plan")).exit_code, 0);
  expect_one_line_error(
      "run --plan " + file("m.plan") + " --samples " + file("samples.pb") + " --layer-precision '*=fp32'", 2,
      {"--layer-precision needs --model"});
  expect_one_line_error("inspect " + file("m.plan") + " --backend cuda", 2, {"m.plan", "need a model"});
  EXPECT_EQ(run_rankrt(run + " --layer-precision '*=fp32'").exit_code, 0);
}

TEST(LayerPrecisionBench, RulesFromTheConfigOrTheCommandLine) {
  testing::ScratchDir dir("bench-layer-precision");
  testing::make_bench_dir(dir, "frozen_graph: \"frozen_graph.pb\"",
                          "duration: 0\nno_plan_cache: true\nlayer_precision: \"fc1*=fp16\"\n");
  testing::CommandResult r = run_rankrt("bench " + (dir / "conf"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("rule 'fc1*=fp16': backend cpu runs every layer in its precision fp32"),
            std::string::npos)
      << r.output;
  r = run_rankrt("bench " + (dir / "conf") + " --layer-precision 'fc[1-6]*=fp32'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  ASSERT_EQ(
      run_rankrt("build --model " + (dir / "frozen_graph.pb") + " --plan " + (dir / "m.plan")).exit_code, 0);
  testing::write_file(dir / "plan_conf",
                      "plan: \"m.plan\"\nlayer_precision: \"*=fp32\"\nbench_model_config { sample_file: "
                      "\"samples.pb\" }\n");
  r = run_rankrt("bench " + (dir / "plan_conf"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("plan_conf: layer_precision: layer precision needs a model"), std::string::npos)
      << r.output;
}

TEST_F(LayerPrecisionCli, BuildWithAnAccuracyBudgetWritesAVerifiedPlan) {
  const testing::CommandResult r =
      run_rankrt("build --model " + model() + " --plan " + file("auto.plan") + " --samples " +
                 file("samples.pb") + " --accuracy-budget 'share_gt_1pct<=1%'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("fp32 everywhere: 0.0000% over 1% on the held-out samples"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("chosen: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("  fc6_dqm/MatMul         fp32"), std::string::npos) << r.output;
  const plan::Plan p = plan::read_plan_file(file("auto.plan"));
  EXPECT_EQ(p.layer_precision.size(), 7u);
  EXPECT_NE(p.key.layer_precision.find("fc2_dqm/MatMul=fp32"), std::string::npos) << p.key.layer_precision;

  expect_one_line_error("build --model " + model() + " --plan " + file("x.plan") + " --samples " +
                            file("samples.pb") + " --accuracy-budget 'share<=1%'",
                        2, {"--accuracy-budget 'share<=1%'", "share_gt_1pct<=X%"});
  const testing::CommandResult missing = run_rankrt("build --model " + model() + " --plan " + file("x.plan") +
                                                    " --accuracy-budget 'mean_rel_err<=1'");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("--accuracy-budget requires --samples"), std::string::npos) << missing.output;
  EXPECT_FALSE(std::filesystem::exists(file("x.plan")));
}

}  // namespace
}  // namespace rankrt
