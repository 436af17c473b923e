// The real DQM model on the oneDNN CPU backend on every shared sample: FP32 (optimized, and as
// imported), against the float64 baseline. Goal: 0 values over 1% relative error; measured
// optimized: 3 of 15,498 (0.019%), the same 3 that ONNX Runtime's CPU provider gets on the
// unfolded graph (bench/ort_peer.py), so the test holds the backend to that level: scores near 0
// amplify float32 rounding. BF16 and INT8 (optimized) are measured against the same baseline.
// Requests split into row slices give the unsplit scores.
#include <cstdlib>
#include <filesystem>

#include "backends/cpu/cpu_engine.h"
#include "backends/cpu_test_util.h"
#include "import/model_loader.h"
#include "io/accuracy.h"
#include "io/samples.h"
#include "passes/pipeline.h"

namespace rankrt::test {

namespace {

std::string dqm_dir() {
  if (const char* dir = std::getenv("RANKRT_DQM_DIR")) return dir;
  return RANKRT_SOURCE_DIR "/../shared/models/dqm";
}

// Every shared sample through the CPU backend at `precision` (the graph as imported, or
// optimized), against the baseline.
AccuracyReport run_on_cpu(const std::string& dir, bool optimized, const char* label,
                          const std::string& precision = "fp32") {
  const SampleFile samples = read_samples(dir + "/samples.pb");
  Graph g = load_model(dir + "/frozen_graph.pb", samples.output_names);
  if (optimized) optimize(g);
  EngineOptions options;
  options.threads = 2;
  options.optimize = false;
  options.precision = precision;
  auto engine = build_engine(g, options);
  EXPECT_NE(engine->description().find("oneDNN"), std::string::npos) << engine->description();
  auto ctx = engine->create_context();
  ScoreTable result;
  for (const TensorMap& s : samples.samples) result.push_back(select_scores(ctx->run(s), g, {}));
  const AccuracyReport r =
      compare_scores(result, read_scores(dir + "/baseline.txt"), {}, label, "baseline.txt");
  std::printf("DQM %s: %s\n", label, format_report(r).c_str());
  EXPECT_EQ(r.non_finite, 0);
  return r;
}

}  // namespace

TEST(DqmCpu, Fp32PassesAtOnnxRuntimeAccuracy) {
  const std::string dir = dqm_dir();
  if (!std::filesystem::exists(dir + "/frozen_graph.pb")) GTEST_SKIP() << "no DQM model at " << dir;
  const AccuracyReport r = run_on_cpu(dir, true, "cpu fp32");
  EXPECT_TRUE(r.pass);
  EXPECT_LE(r.over_tol, 3);
  EXPECT_LT(r.max_rel_err, 5e-2);
  EXPECT_LT(r.mean_rel_err, 5e-5);
}

// The graph as imported: the float16 Tile / Concat before the Cast run as byte copies; the batch
// norms run unfolded in float32 (measured: 4 of 15,498 values over 1%).
TEST(DqmCpu, UnoptimizedFp32Passes) {
  const std::string dir = dqm_dir();
  if (!std::filesystem::exists(dir + "/frozen_graph.pb")) GTEST_SKIP() << "no DQM model at " << dir;
  const AccuracyReport r = run_on_cpu(dir, false, "cpu fp32 --no-optimize");
  EXPECT_TRUE(r.pass);
  EXPECT_LE(r.over_tol, 6);
  EXPECT_LT(r.max_rel_err, 5e-2);
  EXPECT_LT(r.mean_rel_err, 5e-5);
}

// Every sample of >= 2 rows split into two row slices (one per thread) gives the scores of one
// thread over all rows, within float32 rounding (measured: 1.5e-6; oneDNN's GEMMs of other row
// counts may sum in another order).
TEST(DqmCpu, RowSlicesEqualUnsplitRequests) {
  const std::string dir = dqm_dir();
  if (!std::filesystem::exists(dir + "/frozen_graph.pb")) GTEST_SKIP() << "no DQM model at " << dir;
  const SampleFile samples = read_samples(dir + "/samples.pb");
  Graph g = load_model(dir + "/frozen_graph.pb", samples.output_names);
  optimize(g);
  cpu::CpuOptions unsplit, split;
  unsplit.threads = 1;
  split.threads = 2;
  split.split_rows = 2;
  const auto one = cpu::build_cpu_engine(g, unsplit), two = cpu::build_cpu_engine(g, split);
  ASSERT_NE(two->description().find("split into 2 row slices"), std::string::npos) << two->description();
  auto a = one->create_context(), b = two->create_context();
  double worst = 0;
  for (const TensorMap& s : samples.samples) {
    const TensorMap expected = a->run(s), actual = b->run(s);
    for (const auto& [name, t] : expected) worst = std::max(worst, max_rel_error(actual.at(name), t));
  }
  std::printf("DQM fp32 split vs unsplit: worst relative error %.2g\n", worst);
  EXPECT_LT(worst, 1e-5);
}

// bf16 and int8 (dynamic per-request activation scales, no calibration yet) are far from the
// contest's criterion on DQM; the test reports the share of values over 1% and holds each path to
// its measured level (bf16: 48.5% over 1%, mean relative error 0.13, as the CUDA backend's bf16;
// int8: 99.3%, mean 11.5, max absolute error 0.043: fc1's input has per-request max |x| of 10-66
// for a median of 0.19, so one scale per tensor rounds most features to 0 or 1 step).
TEST(DqmCpu, Bf16AndInt8Accuracy) {
  const std::string dir = dqm_dir();
  if (!std::filesystem::exists(dir + "/frozen_graph.pb")) GTEST_SKIP() << "no DQM model at " << dir;
  if (cpu_bf16_supported()) {
    const AccuracyReport bf16 = run_on_cpu(dir, true, "cpu bf16", "bf16");
    EXPECT_LT(bf16.share_over_tol, 0.55);
    EXPECT_LT(bf16.mean_rel_err, 0.2);
  }
  const AccuracyReport int8 = run_on_cpu(dir, true, "cpu int8", "int8");
  EXPECT_LT(int8.mean_rel_err, 20);
  EXPECT_LT(int8.max_abs_err, 0.1);
}

}  // namespace rankrt::test
