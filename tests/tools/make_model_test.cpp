// `rankrt make-model dqm-like`: determinism, and the ONNX / TensorFlow forms and baseline agree in float64.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "backends/reference/reference_executor.h"
#include "cli_helpers.h"
#include "import/model_loader.h"
#include "io/baseline.h"
#include "io/samples.h"

namespace rankrt {
namespace {

using testing::read_file;
using testing::run_rankrt;
using testing::ScratchDir;

const char* const kFiles[] = {"model.onnx", "frozen_graph.pb", "samples.pb", "baseline.txt",
                              "benchmark_conf"};

void make_model(const std::string& dir, int seed, int samples) {
  const auto r =
      run_rankrt(fmt::format("make-model dqm-like --out {} --seed {} --samples {}", dir, seed, samples));
  ASSERT_EQ(r.exit_code, 0) << r.output;
}

double rel_err(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

TEST(MakeModel, SameSeedGivesIdenticalFiles) {
  ScratchDir dir("make-model");
  make_model(dir / "a", 7, 4);
  make_model(dir / "b", 7, 4);
  for (const char* f : kFiles) {
    const std::string a = read_file(dir / "a" + "/" + f);
    EXPECT_FALSE(a.empty()) << f;
    EXPECT_EQ(a, read_file(dir / "b" + "/" + f)) << f;
  }
}

TEST(MakeModel, DifferentSeedDiffers) {
  ScratchDir dir("make-model");
  make_model(dir / "a", 7, 4);
  make_model(dir / "b", 8, 4);
  for (const char* f : {"model.onnx", "frozen_graph.pb", "samples.pb", "baseline.txt"})
    EXPECT_NE(read_file(dir / "a" + "/" + f), read_file(dir / "b" + "/" + f)) << f;
}

TEST(MakeModel, SamplesFollowTheDqmLayout) {
  ScratchDir dir("make-model");
  make_model(dir.path().string(), 3, 5);
  const SampleFile samples = read_samples(dir / "samples.pb");
  ASSERT_EQ(samples.samples.size(), 5u);
  EXPECT_EQ(samples.output_names, std::vector<std::string>{"concat_1"});
  const std::vector<int64_t> fixed_rows = {1, 511, 2};
  for (size_t s = 0; s < samples.samples.size(); ++s) {
    const Tensor& comm = samples.samples[s].at("comm");
    const Tensor& ncomm = samples.samples[s].at("ncomm");
    EXPECT_EQ(comm.dtype(), DType::kF16);
    EXPECT_EQ(comm.dims(), (std::vector<int64_t>{1, 176}));
    EXPECT_EQ(ncomm.dtype(), DType::kF16);
    ASSERT_EQ(ncomm.rank(), 2);
    EXPECT_EQ(ncomm.dims()[1], 384);
    if (s < fixed_rows.size()) EXPECT_EQ(ncomm.dims()[0], fixed_rows[s]);
    EXPECT_GE(ncomm.dims()[0], 1);
    EXPECT_LE(ncomm.dims()[0], 511);
  }
}

TEST(MakeModel, OnnxTfAndBaselineAgreeInFloat64) {
  ScratchDir dir("make-model");
  make_model(dir.path().string(), 11, 5);
  const Graph onnx_graph = load_model(dir / "model.onnx");
  const Graph tf_graph = load_model(dir / "frozen_graph.pb");
  const ReferenceExecutor onnx_exec(onnx_graph, DType::kF64), tf_exec(tf_graph, DType::kF64);
  const SampleFile samples = read_samples(dir / "samples.pb");
  const ScoreTable baseline = read_scores(dir / "baseline.txt");
  ASSERT_EQ(baseline.size(), samples.samples.size());
  int64_t nonzero_scores = 0;
  for (size_t s = 0; s < samples.samples.size(); ++s) {
    const Tensor a = onnx_exec.run(samples.samples[s]).at("concat_1");
    const Tensor b = tf_exec.run(samples.samples[s]).at("concat_1");
    ASSERT_EQ(a.dims(), b.dims());
    ASSERT_EQ(a.dims(), (std::vector<int64_t>{samples.samples[s].at("ncomm").dims()[0], 2}));
    for (int64_t i = 0; i < a.numel(); ++i)
      ASSERT_LT(rel_err(a.as_double(i), b.as_double(i)), 1e-9) << s << ":" << i;
    ASSERT_EQ(baseline[s].size(), size_t(a.dims()[0]));
    for (int64_t r = 0; r < a.dims()[0]; ++r) {
      // baseline.txt holds 10 significant digits.
      ASSERT_LT(rel_err(a.as_double(r * 2 + 1), baseline[s][size_t(r)]), 1e-9) << s << ":" << r;
      nonzero_scores += a.as_double(r * 2 + 1) > 1e-8;
    }
  }
  EXPECT_GT(nonzero_scores, 0);
}

TEST(MakeModel, RejectsUnknownKind) {
  ScratchDir dir("make-model");
  const auto r = run_rankrt(fmt::format("make-model resnet --out {}", dir.path().string()));
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

}  // namespace
}  // namespace rankrt
