// `rankrt compare` on the demo model (make-model dqm-like): per-layer errors at fp32 on the CPU
// are small, a perturbed plan is caught at the layer it perturbs, bad inputs give one error line.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "io/samples.h"
#include "plan/format/plan.h"
#include "tools/cli_helpers.h"

namespace rankrt {
namespace {

using testing::expect_one_line_error;
using testing::read_file;
using testing::run_rankrt;

class CompareTest : public testing::DemoModelTest {
 protected:
  // The demo model with 3 requests (1, 511 and 2 candidates): the float64 reference is slow.
  CompareTest() : DemoModelTest("compare", 3) {}
  std::string model_args() const { return "--model " + model() + " --samples " + file("samples.pb"); }
  static nlohmann::json layer(const nlohmann::json& doc, const std::string& name) {
    for (const nlohmann::json& l : doc["layers"])
      if (l["layer"] == name) return l;
    ADD_FAILURE() << "no layer " << name;
    return {};
  }
};

TEST_F(CompareTest, Fp32CpuHasSmallErrorsAndNoLayerOverTolerance) {
  const testing::CommandResult r = run_rankrt("compare " + model_args() + " --json " + file("fp32.json"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("no layer over tolerance"), std::string::npos) << r.output;
  const nlohmann::json doc = nlohmann::json::parse(read_file(file("fp32.json")));
  int compared = 0;
  for (const nlohmann::json& l : doc["layers"]) {
    EXPECT_FALSE(l["first_over_tolerance"].get<bool>()) << l.dump();
    if (l["tensor"].is_null()) continue;
    ++compared;
    EXPECT_LT(l["mean_rel_err"].get<double>(), 1e-5) << l.dump();
    EXPECT_LT(l["share_gt_1pct"].get<double>(), 1e-3) << l.dump();
  }
  EXPECT_GE(compared, 6);
  // A fused Dense layer is compared with the last value of its original chain.
  EXPECT_EQ(layer(doc, "fc2_dqm/MatMul")["tensor"], "fc2_dqm/add_1");
  EXPECT_EQ(layer(doc, "fc2_dqm/MatMul")["op"], "Dense+bias+prelu");
  // The hoisted common-feature bias row has no original counterpart.
  EXPECT_TRUE(layer(doc, "fc1_dqm/MatMul/common")["tensor"].is_null());
  EXPECT_TRUE(layer(doc, "fc1_dqm/MatMul/common")["max_abs_err"].is_null());
  EXPECT_TRUE(doc["output"]["pass"].get<bool>());
  EXPECT_LT(doc["output"]["mean_rel_err"].get<double>(), 1e-5);
}

TEST_F(CompareTest, PerturbedPlanMarksThePerturbedLayerFirst) {
  const testing::CommandResult built =
      run_rankrt("build --model " + file("frozen_graph.pb") + " --plan " + file("good.plan"));
  ASSERT_EQ(built.exit_code, 0) << built.output;
  plan::Plan p = plan::read_plan_file(file("good.plan"));
  auto fc3 = std::find_if(p.graph.nodes.begin(), p.graph.nodes.end(),
                          [](const Node& n) { return n.name == "fc3_dqm/MatMul"; });
  ASSERT_NE(fc3, p.graph.nodes.end());
  Tensor& weight = p.graph.initializers.at(fc3->inputs.at(1));
  weight = weight.clone();  // 5% off: every later layer is wrong too, fc3 first
  for (float& w : weight.span<float>()) w *= 1.05f;
  plan::write_plan_file(file("bad.plan"), p);

  const testing::CommandResult r = run_rankrt("compare " + model_args() + " --plan " + file("bad.plan") +
                                              " --sample 0 --json " + file("bad.json"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("first layer over tolerance: fc3_dqm/MatMul (fc3_dqm/add_1)"), std::string::npos)
      << r.output;
  const nlohmann::json doc = nlohmann::json::parse(read_file(file("bad.json")));
  EXPECT_TRUE(layer(doc, "fc3_dqm/MatMul")["first_over_tolerance"].get<bool>());
  EXPECT_GT(layer(doc, "fc3_dqm/MatMul")["share_gt_1pct"].get<double>(), 0.5);
  EXPECT_FALSE(layer(doc, "fc2_dqm/MatMul")["over_tolerance"].get<bool>());
  EXPECT_TRUE(layer(doc, "fc4_dqm/MatMul")["over_tolerance"].get<bool>());
  EXPECT_FALSE(layer(doc, "fc4_dqm/MatMul")["first_over_tolerance"].get<bool>());
}

TEST_F(CompareTest, BadInputsGiveOneErrorLine) {
  expect_one_line_error("compare --model " + file("missing.pb") + " --samples " + file("samples.pb"), 1,
                        {"missing.pb", "no such file"});
  SampleFile wrong;
  wrong.samples.push_back({{"wrong_input", Tensor(DType::kF32, {2, 384})}});
  write_samples(file("wrong.pb"), wrong);
  expect_one_line_error("compare --model " + file("frozen_graph.pb") + " --samples " + file("wrong.pb"), 1,
                        {"wrong.pb", "wrong_input"});
  expect_one_line_error("compare " + model_args() + " --sample 7", 2, {"--sample 7", "samples.pb"});
  expect_one_line_error("compare " + model_args() + " --plan " + file("model.onnx"), 1, {"model.onnx"});
  ASSERT_EQ(run_rankrt("build --model " + file("model.onnx") + " --plan " + file("onnx.plan")).exit_code, 0);
  expect_one_line_error("compare " + model_args() + " --plan " + file("onnx.plan"), 2,
                        {"onnx.plan", "another model", "frozen_graph.pb"});
  // Option conflicts are CLI11 usage errors (exit 2).
  const testing::CommandResult conflict =
      run_rankrt("compare " + model_args() + " --plan " + file("onnx.plan") + " --precision fp64");
  EXPECT_EQ(conflict.exit_code, 2);
  EXPECT_NE(conflict.output.find("--plan excludes --precision"), std::string::npos) << conflict.output;
}

}  // namespace
}  // namespace rankrt
