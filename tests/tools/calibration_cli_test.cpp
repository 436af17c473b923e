// --calibrate / --calibration-cache / --calibrator from the command line and the bench config (CPU
// int8, demo model): calibrated runs and plans, `inspect PLAN` showing each int8 layer's amax, and
// one error line for every calibration that cannot be used.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "plan/format/plan.h"
#include "tools/bench_test_util.h"
#include "tools/cli_helpers.h"

namespace rankrt {
namespace {

using testing::expect_one_line_error;
using testing::run_rankrt;

class CalibrationCli : public testing::DemoModelTest {
 protected:
  CalibrationCli() : DemoModelTest("calibration", 3) {}
  std::string run(const std::string& options) const {
    return "run --model " + model() + " --samples " + file("samples.pb") + " --no-plan-cache " + options;
  }
};

TEST_F(CalibrationCli, CalibratedRunsPlansAndInspect) {
  testing::CommandResult r =
      run_rankrt(run("--precision int8 --calibrate " + file("samples.pb") + " --calibration-cache " +
                     file("cal.json") + " --calibrator percentile:99.9"));
  ASSERT_EQ(r.exit_code == 0 || r.exit_code == 1, true) << r.output;  // 1: int8 misses the criterion
  EXPECT_NE(r.output.find("calibration: percentile:99.9 over 3 samples of " + file("samples.pb") +
                          ": 7 layers, saved " + file("cal.json")),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("s8 inputs with calibrated scales"), std::string::npos) << r.output;
  r = run_rankrt(
      run("--precision int8 --calibration-cache " + file("cal.json") + " --calibrator percentile:99.9"));
  EXPECT_NE(r.output.find("calibration cache " + file("cal.json") + ": reused (percentile:99.9, 7 layers)"),
            std::string::npos)
      << r.output;

  r = run_rankrt("build --model " + model() + " --plan " + file("int8.plan") +
                 " --precision int8 --calibrator minmax --calibrate " + file("samples.pb"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const plan::Plan p = plan::read_plan_file(file("int8.plan"));
  EXPECT_EQ(p.key.activation_amax.size(), 7u);
  r = run_rankrt("inspect " + file("int8.plan"));
  EXPECT_NE(r.output.find("calibrated 7 layer(s)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(fmt::format("    activation amax: {} (calibrated input range)",
                                      p.key.activation_amax.at("fc2_dqm/MatMul"))),
            std::string::npos)
      << r.output;
  r = run_rankrt("inspect --json " + file("int8.plan"));
  const nlohmann::json doc = nlohmann::json::parse(r.output);
  for (const nlohmann::json& l : doc["layers"]) {
    if (l["name"] == "fc3_dqm/MatMul") {
      EXPECT_EQ(l["activation_amax"], p.key.activation_amax.at("fc3_dqm/MatMul"));
    }
  }
  r = run_rankrt("run --plan " + file("int8.plan") + " --samples " + file("samples.pb"));
  EXPECT_NE(r.output.find("s8 inputs with calibrated scales"), std::string::npos) << r.output;

  // compare: the same calibration from the cache.
  r = run_rankrt("compare --model " + model() + " --samples " + file("samples.pb") +
                 " --sample 0 --precision int8 " + "--calibration-cache " + file("cal.json") +
                 " --calibrator percentile:99.9");
  EXPECT_NE(r.output.find("calibration cache " + file("cal.json") + ": reused"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("fc2_dqm/MatMul"), std::string::npos) << r.output;
}

TEST_F(CalibrationCli, CalibrationErrorsAreOneLine) {
  expect_one_line_error(
      run("--backend cuda --precision int8"), 2,
      {"frozen_graph.pb", "backend cuda runs int8 / fp8 layers with calibrated activation scales",
       "--calibrate SAMPLES"});
  expect_one_line_error(run("--backend cuda --layer-precision 'fc2*=fp8'"), 2, {"--calibrate SAMPLES"});
  expect_one_line_error(run("--calibrate " + file("samples.pb")), 2,
                        {"backend cpu precision fp32 runs no int8 or fp8 layer"});
  expect_one_line_error(run("--precision int8 --calibrate " + file("samples.pb") + " --calibrator kl"), 2,
                        {"--calibrator: unknown calibrator 'kl' (minmax, percentile[:P], entropy)"});
  expect_one_line_error(run("--precision int8 --calibration-cache " + file("none.json")), 2,
                        {file("none.json"), "no such calibration cache"});
  expect_one_line_error(run("--precision int8 --calibrate " + file("missing.pb")), 1, {file("missing.pb")});
  testing::write_file(file("bad.json"), "{\"format\": \"rankrt-calibration-cache\", \"vers");
  expect_one_line_error(
      run("--precision int8 --calibrate " + file("samples.pb") + " --calibration-cache " + file("bad.json")),
      1, {file("bad.json"), "corrupt or truncated calibration cache"});
  testing::write_file(file("foreign.json"), "{\"layers\": 3}");
  expect_one_line_error(run("--precision int8 --calibration-cache " + file("foreign.json")), 1,
                        {file("foreign.json"), "not a rankrt calibration cache"});

  // A cache of another model: an error alone, recalibrated with --calibrate.
  ASSERT_EQ(run_rankrt("make-model dqm-like --samples 3 --seed 2 --out " + file("other")).exit_code, 0);
  ASSERT_EQ(run_rankrt("build --model " + file("other/frozen_graph.pb") + " --plan " + file("o.plan") +
                       " --precision int8 --calibrate " + file("samples.pb") + " --calibration-cache " +
                       file("other.json"))
                .exit_code,
            0);
  expect_one_line_error(run("--precision int8 --calibration-cache " + file("other.json")), 2,
                        {file("other.json"), "calibrated for another model", "give --calibrate SAMPLES"});
  const testing::CommandResult r = run_rankrt(run("--precision int8 --calibrate " + file("samples.pb") +
                                                  " --calibration-cache " + file("other.json")));
  EXPECT_NE(r.output.find("calibration cache " + file("other.json") + ": calibrated for another model"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("recalibrating"), std::string::npos) << r.output;

  expect_one_line_error("run --plan " + file("o.plan") + " --samples " + file("samples.pb") +
                            " --calibrate " + file("samples.pb"),
                        2, {"--calibrate / --calibration-cache need --model"});
  const testing::CommandResult excluded =
      run_rankrt("compare --model " + model() + " --samples " + file("samples.pb") + " --plan " +
                 file("o.plan") + " --calibrator minmax");
  EXPECT_EQ(excluded.exit_code, 2) << excluded.output;
  EXPECT_NE(excluded.output.find("--plan excludes --calibrator"), std::string::npos) << excluded.output;
}

TEST(CalibrationBench, ConfigKeys) {
  testing::ScratchDir dir("bench-calibration");
  testing::make_bench_dir(dir, "frozen_graph: \"frozen_graph.pb\"",
                          "duration: 0\nno_plan_cache: true\nprecision: \"int8\"\ncalibrate: \"samples.pb\"\n"
                          "calibration_cache: \"out/cal.json\"\ncalibrator: \"minmax\"\n");
  testing::CommandResult r = run_rankrt("bench " + (dir / "conf"));
  EXPECT_NE(r.output.find("calibration: minmax over 3 samples of " + (dir / "samples.pb") +
                          ": 7 layers, saved " + (dir / "out/cal.json")),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("s8 inputs with calibrated scales"), std::string::npos) << r.output;
  r = run_rankrt("bench " + (dir / "conf"));
  EXPECT_NE(r.output.find("calibration cache " + (dir / "out/cal.json") + ": reused (minmax, 7 layers)"),
            std::string::npos)
      << r.output;

  testing::write_file(dir / "bad_conf",
                      "calibrator: \"max\"\nbench_model_config { frozen_graph: "
                      "\"frozen_graph.pb\" sample_file: \"samples.pb\" }\n");
  expect_one_line_error("bench " + (dir / "bad_conf"), 2, {"bad_conf: calibrator: unknown calibrator 'max'"});
  ASSERT_EQ(
      run_rankrt("build --model " + (dir / "frozen_graph.pb") + " --plan " + (dir / "m.plan")).exit_code, 0);
  testing::write_file(dir / "plan_conf",
                      "plan: \"m.plan\"\ncalibrate: \"samples.pb\"\nbench_model_config { "
                      "sample_file: \"samples.pb\" }\n");
  expect_one_line_error("bench " + (dir / "plan_conf"), 2,
                        {"plan_conf: calibrate, calibration_cache and calibrator need a model"});
}

}  // namespace
}  // namespace rankrt
