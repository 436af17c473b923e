// `rankrt bench`: a short run on the synthetic model, config errors, and the queue / latency helpers.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <thread>

#include "bench_test_util.h"
#include "cli_helpers.h"
#include "runtime/latency_stats.h"
#include "runtime/request_queue.h"

namespace rankrt {
namespace {

using testing::make_bench_dir;
using testing::run_rankrt;
using testing::ScratchDir;
using testing::write_file;

TEST(Bench, ShortRunReportsAccuracyThroughputAndLatency) {
  ScratchDir dir("bench");
  make_bench_dir(dir, "frozen_graph: \"frozen_graph.pb\"", "bench_thread_count: 2\nduration: 1\n");
  const auto r = run_rankrt("bench " + (dir / "conf"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* text :
       {"accuracy vs", "throughput:", "requests/s", "candidates/s", "latency (ms, queue included): min",
        "p50", "p99.9", "0 dropped, 0 errors", "accuracy: PASS"})
    EXPECT_NE(r.output.find(text), std::string::npos) << text << "\n" << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "out/result.txt"));
}

TEST(Bench, OnnxModelAndFloat64) {
  ScratchDir dir("bench");
  make_bench_dir(dir, "onnx_model: \"model.onnx\"", "precision: \"fp64\"\nduration: 0\n");
  const auto r = run_rankrt("bench " + (dir / "conf"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("fp64"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("accuracy: PASS"), std::string::npos) << r.output;
}

TEST(Bench, ReadOnlyModelDirectoryGetsResultsInTempDirectory) {
  ScratchDir dir("bench");
  make_bench_dir(dir, "frozen_graph: \"frozen_graph.pb\"", "duration: 0\n");
  write_file(dir / "conf",
             "bench_model_config { name: \"readonly-test\" frozen_graph: \"frozen_graph.pb\" "
             "sample_file: \"samples.pb\" result_file: \"result.txt\" }\n");
  namespace fs = std::filesystem;
  fs::permissions(dir.path(), fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                  fs::perm_options::remove);
  const auto r = run_rankrt("bench " + (dir / "conf"));
  fs::permissions(dir.path(), fs::perms::owner_write, fs::perm_options::add);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("not writable"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "result.txt"));
  const fs::path fallback = fs::temp_directory_path() / "rankrt-bench-readonly-test";
  EXPECT_TRUE(fs::exists(fallback / "result.txt"));
  fs::remove_all(fallback);
}

TEST(Bench, WrongBaselineFailsAccuracy) {
  ScratchDir dir("bench");
  make_bench_dir(dir, "frozen_graph: \"frozen_graph.pb\"", "duration: 0\n");
  // A baseline of another seed: same line and value counts (N = 1, 511, 2), other values.
  ScratchDir other("bench-other");
  ASSERT_EQ(
      run_rankrt(fmt::format("make-model dqm-like --out {} --samples 3 --seed 99", other.path().string()))
          .exit_code,
      0);
  std::filesystem::copy_file(other / "baseline.txt", dir / "baseline.txt",
                             std::filesystem::copy_options::overwrite_existing);
  const auto r = run_rankrt("bench " + (dir / "conf"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("accuracy: FAIL"), std::string::npos) << r.output;
}

TEST(Bench, ConfigErrorsNameTheFieldOrFile) {
  const std::string kModel =
      "bench_model_config { frozen_graph: \"frozen_graph.pb\" sample_file: \"samples.pb\" }\n";
  ScratchDir dir("bench");
  make_bench_dir(dir, "frozen_graph: \"frozen_graph.pb\"", "duration: 0\n");
  struct Case {
    std::string conf, expected;
  };
  const std::vector<Case> cases = {
      {"bench_model_config { frozen_graph: \"frozen_graph.pb\" sample_file: \"samples.pb\" }\nbogus_field: "
       "1\n",
       "bogus_field"},
      {"bench_model_config { frozen_graph: \"frozen_graph.pb\" sample_file: \"missing.pb\" }\n",
       "missing.pb"},
      {"bench_model_config { frozen_graph: \"nope.pb\" sample_file: \"samples.pb\" }\n", "nope.pb"},
      {"bench_model_config { frozen_graph: \"frozen_graph.pb\" onnx_model: \"model.onnx\" sample_file: "
       "\"samples.pb\" }\n",
       "exactly one of frozen_graph and onnx_model"},
      {"bench_model_config { frozen_graph: \"frozen_graph.pb\" sample_file: \"samples.pb\" }\nduration: -3\n",
       "duration"},
      {"bench_model_config { frozen_graph: \"frozen_graph.pb\" sample_file: \"samples.pb\" predictor_num: -1 "
       "}\n",
       "predictor_num"},
      {"bench_model_config { frozen_graph: \"frozen_graph.pb\" sample_file: \"samples.pb\" }\nprecision: "
       "\"fp7\"\n",
       "fp7"},
      {"duration: 1\n", "no bench_model_config"},
      {kModel + "backend: \"gpu\"\n", "backend must be cpu, reference or cuda, got 'gpu'"},
      {kModel + "accuracy { min_pass_share: 1.5 }\n", "accuracy.min_pass_share"},
      {kModel + "accuracy { rel_tol: -0.1 }\n", "accuracy.rel_tol"},
      {kModel + "dynamic_batching { max_rows: 100000 }\n", "dynamic_batching.max_rows"},
      {kModel + "dynamic_batching { max_rows: 8 max_delay_us: -5 }\n", "dynamic_batching.max_delay_us"},
      {kModel + "max_rows: 256\n", "max_rows"},
      {kModel + "profile: \"N=5:3:2\"\n", "profile 'N=5:3:2': opt 3 is below min 5"},
      {kModel + "profile: \"N=1:64:64\"\ndynamic_batching { max_rows: 65 }\n", "the profile's max 64"},
      {kModel + "plan_cache_dir: \"c\"\nno_plan_cache: true\n", "contradict"},
      {kModel + "requests_in_flight: -1\n", "requests_in_flight"},
      {kModel + "plan: \"missing.plan\"\n", "missing.plan"},
      {"bench_model_config { frozen_graph: \"frozen_graph.pb\" sample_file: \"samples.pb\" switch_interval: "
       "-1 }\n",
       "switch_interval must be >= 0"},
      {"bench_model_config { frozen_graph: \"frozen_graph.pb\" sample_file: \"samples.pb\" cold_switching: "
       "true }\n",
       "cold_switching"},
      {"bench_model_config { frozen_graph: \"frozen_graph.pb\" sample_file: \"samples.pb\" qps: nan }\n",
       "qps must be finite"},
  };
  for (const Case& c : cases) {
    write_file(dir / "bad_conf", c.conf);
    const auto r = run_rankrt("bench " + (dir / "bad_conf"));
    EXPECT_NE(r.exit_code, 0) << c.conf;
    EXPECT_NE(r.output.find("rankrt: error: "), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(c.expected), std::string::npos) << c.expected << "\n" << r.output;
  }
  const auto missing = run_rankrt("bench " + (dir / "no_such_conf"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("no_such_conf"), std::string::npos) << missing.output;
}

TEST(LatencyStats, NearestRankPercentiles) {
  std::vector<double> samples;
  for (int i = 100; i >= 1; --i) samples.push_back(double(i));
  const LatencySummary s = summarize_latencies(samples);
  EXPECT_EQ(s.count, 100);
  EXPECT_DOUBLE_EQ(s.p50, 50);
  EXPECT_DOUBLE_EQ(s.p90, 90);
  EXPECT_DOUBLE_EQ(s.p99, 99);
  EXPECT_DOUBLE_EQ(s.max, 100);
  EXPECT_DOUBLE_EQ(s.mean, 50.5);
  EXPECT_EQ(summarize_latencies({}).count, 0);
}

TEST(RequestQueue, DeliversEveryItemOnceAcrossThreads) {
  RequestQueue<int> queue(3);
  constexpr int kPerProducer = 1000;
  std::atomic<int64_t> sum = 0, count = 0;
  std::vector<std::thread> consumers, producers;
  for (int c = 0; c < 3; ++c)
    consumers.emplace_back([&] {
      while (auto v = queue.pop()) {
        sum += *v;
        ++count;
      }
    });
  for (int p = 0; p < 2; ++p)
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) ASSERT_TRUE(queue.push(p * kPerProducer + i));
    });
  for (auto& t : producers) t.join();
  queue.close();
  for (auto& t : consumers) t.join();
  EXPECT_EQ(count, 2 * kPerProducer);
  EXPECT_EQ(sum, int64_t(2 * kPerProducer) * (2 * kPerProducer - 1) / 2);
  EXPECT_FALSE(queue.push(1));
}

}  // namespace
}  // namespace rankrt
