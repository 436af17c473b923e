// `rankrt bench` reports: the JSON schema, sweeps with their SVG chart, dynamic batching and hot
// model switching from the config, Ctrl-C, and clear errors for bad sample / baseline files.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "bench_test_util.h"

namespace rankrt {
namespace {

using testing::make_bench_dir;
using testing::read_file;
using testing::run_rankrt;
using testing::ScratchDir;
using testing::write_file;

std::set<std::string> keys(const nlohmann::json& object) {
  std::set<std::string> k;
  for (const auto& [key, value] : object.items()) k.insert(key);
  return k;
}

void expect_report_schema(const nlohmann::json& j) {
  EXPECT_EQ(keys(j), (std::set<std::string>{"schema_version", "requests_per_s", "candidates_per_s",
                                            "latency_us", "accuracy", "device_time_us", "requests", "dropped",
                                            "errors", "hardware", "config"}));
  EXPECT_TRUE(j["device_time_us"].is_null());  // the CPU backend has no transfers to split
  EXPECT_EQ(keys(j["latency_us"]), (std::set<std::string>{"p50", "p90", "p99", "p999", "max"}));
  EXPECT_EQ(keys(j["accuracy"]),
            (std::set<std::string>{"mean_rel_err", "max_rel_err", "share_gt_1pct", "pass"}));
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_GT(j["requests_per_s"].get<double>(), 0);
  EXPECT_GT(j["candidates_per_s"].get<double>(), j["requests_per_s"].get<double>() - 1e-9);
  EXPECT_LE(j["latency_us"]["p50"].get<double>(), j["latency_us"]["p99"].get<double>());
  EXPECT_LE(j["latency_us"]["p999"].get<double>(), j["latency_us"]["max"].get<double>());
  EXPECT_TRUE(j["accuracy"]["pass"].get<bool>());
  EXPECT_GT(j["requests"].get<int64_t>(), 0);
  EXPECT_EQ(j["errors"], 0);
  EXPECT_FALSE(j["hardware"].get<std::string>().empty());
  for (const char* field : {"predictor_num", "qps", "bench_thread_count", "duration", "max_queue_size",
                            "backend", "precision", "profile", "warmup_passes", "accuracy",
                            "dynamic_batching", "switch_interval", "sample_file", "model"})
    EXPECT_TRUE(j["config"].contains(field)) << field;
}

TEST(BenchReport, JsonHasTheIssueSchema) {
  ScratchDir dir("bench");
  make_bench_dir(dir, "frozen_graph: \"frozen_graph.pb\"", "duration: 1\nbackend: \"reference\"\n");
  const auto r = run_rankrt(fmt::format("bench {} --json {}", dir / "conf", dir / "report.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json j = nlohmann::json::parse(read_file(dir / "report.json"));
  expect_report_schema(j);
  EXPECT_EQ(j["config"]["backend"], "reference");
  EXPECT_EQ(j["config"]["predictor_num"], 2);
}

TEST(BenchReport, SweepRunsEachPointAndPlotsThem) {
  ScratchDir dir("bench");
  make_bench_dir(dir, "frozen_graph: \"frozen_graph.pb\"", "duration: 5\njson_output: \"sweep.json\"\n");
  const auto r = run_rankrt(fmt::format("bench {} --sweep predictor_num=1,2 --duration 1 --plot {}",
                                        dir / "conf", dir / "sweep.svg"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("load [predictor_num=1]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("load [predictor_num=2]"), std::string::npos) << r.output;
  const nlohmann::json j = nlohmann::json::parse(read_file(dir / "sweep.json"));  // config-relative path
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  for (const nlohmann::json& point : j) expect_report_schema(point);
  EXPECT_EQ(j[1]["config"]["predictor_num"], 2);
  EXPECT_EQ(j[1]["config"]["duration"], 1.0);
  const std::string svg = read_file(dir / "sweep.svg");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("<polyline"), std::string::npos);
  EXPECT_NE(svg.find("predictor_num=2"), std::string::npos);
}

TEST(BenchReport, BatchingAndHotSwitchingFromTheConfig) {
  ScratchDir dir("bench");
  make_bench_dir(
      dir, "frozen_graph: \"frozen_graph.pb\"\n  switch_interval: 1",
      "duration: 2\nbench_thread_count: 2\ndynamic_batching { max_rows: 512 max_delay_us: 300 }\n");
  const auto r = run_rankrt("bench " + (dir / "conf"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("dynamic batching up to 512 rows / 300 us"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("0 dropped, 0 errors"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("model switches: "), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("model switches: 0"), std::string::npos) << r.output;
}

TEST(BenchReport, CtrlCStopsAndPrintsTheSummary) {
  ScratchDir dir("bench");
  make_bench_dir(dir, "frozen_graph: \"frozen_graph.pb\"", "duration: 60\n");
  // Waits for the first progress line (the load is running), then interrupts.
  const std::string script = fmt::format(
      "{0} bench {1} >{2} 2>&1 & pid=$!; for i in $(seq 200); do grep -q 'requests/s' {2} && break; sleep "
      "0.1; "
      "done; kill -INT $pid; wait $pid; echo exit=$?",
      RANKRT_BINARY, dir / "conf", dir / "out.txt");
  FILE* pipe = ::popen(script.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[256] = {};
  std::string status;
  while (std::fgets(buffer, sizeof buffer, pipe)) status += buffer;
  ::pclose(pipe);
  const std::string output = read_file(dir / "out.txt");
  EXPECT_NE(status.find("exit=130"), std::string::npos) << status << output;
  EXPECT_NE(output.find("(interrupted)"), std::string::npos) << output;
  EXPECT_NE(output.find("throughput:"), std::string::npos) << output;
  EXPECT_NE(output.find("interrupted: the summary covers"), std::string::npos) << output;
}

TEST(BenchReport, BadSampleAndBaselineFilesGiveClearErrors) {
  ScratchDir dir("bench");
  make_bench_dir(dir, "frozen_graph: \"frozen_graph.pb\"", "duration: 0\n");
  const std::string samples = read_file(dir / "samples.pb");
  write_file(dir / "samples.pb", samples.substr(0, samples.size() / 2));
  auto r = run_rankrt("bench " + (dir / "conf"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("rankrt: error: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("samples.pb"), std::string::npos) << r.output;

  write_file(dir / "samples.pb", samples);
  write_file(dir / "baseline.txt", "0.5 0.25\n");
  r = run_rankrt("bench " + (dir / "conf"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("rankrt: error: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("baseline.txt"), std::string::npos) << r.output;
}

TEST(BenchReport, PlanCacheIsReusedAndPlansRun) {
  ScratchDir dir("bench");
  make_bench_dir(dir, "frozen_graph: \"frozen_graph.pb\"", "duration: 0\nplan_cache_dir: \"cache\"\n");
  auto r = run_rankrt("bench " + (dir / "conf"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_rankrt("bench " + (dir / "conf"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("reused"), std::string::npos) << r.output;
  const auto plan = std::filesystem::directory_iterator(dir.path() / "cache")->path();
  write_file(dir / "plan_conf",
             "bench_model_config { sample_file: \"samples.pb\" baseline_file: \"baseline.txt\" }\n"
             "plan: \"" +
                 plan.string() + "\"\nduration: 0\n");
  r = run_rankrt("bench " + (dir / "plan_conf"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("accuracy: PASS"), std::string::npos) << r.output;
}

TEST(BenchReport, BadSweepIsAUsageError) {
  ScratchDir dir("bench");
  make_bench_dir(dir, "frozen_graph: \"frozen_graph.pb\"", "duration: 1\n");
  const auto r = run_rankrt(fmt::format("bench {} --sweep threads=1,2", dir / "conf"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("unknown parameter 'threads'"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace rankrt
