// The real DQM frozen graph: import, check its interface, and run samples 0..2 in float64
// against the baseline (skipped when /work/shared/models/dqm is absent).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "backends/reference/reference_executor.h"
#include "import/model_loader.h"
#include "import/tf/tf_tensor.h"
#include "proto/blaze_samples.pb.h"

namespace rankrt {
namespace {

const std::string kDqmDir = RANKRT_SOURCE_DIR "/../shared/models/dqm";

std::vector<std::vector<double>> read_baseline(const std::string& path, size_t lines) {
  std::ifstream in(path);
  std::vector<std::vector<double>> rows;
  std::string line;
  while (rows.size() < lines && std::getline(in, line)) {
    std::istringstream values(line);
    rows.emplace_back(std::istream_iterator<double>(values), std::istream_iterator<double>());
  }
  return rows;
}

TEST(Dqm, ImportsAndMatchesBaselineInFloat64) {
  if (!std::filesystem::exists(kDqmDir + "/frozen_graph.pb")) GTEST_SKIP() << kDqmDir << " not found";
  Graph g = import_tf(kDqmDir + "/frozen_graph.pb");
  ASSERT_EQ(g.inputs.size(), 2u);
  EXPECT_EQ(g.inputs[0].name, "comm");
  EXPECT_EQ(g.inputs[0].dtype, DType::kF16);
  EXPECT_EQ(shape_to_string(g.inputs[0].shape), shape_to_string({Dim(1), Dim(176)}));
  EXPECT_EQ(g.inputs[1].name, "ncomm");
  EXPECT_EQ(g.inputs[1].dtype, DType::kF16);
  EXPECT_EQ(shape_to_string(g.inputs[1].shape), shape_to_string({Dim::sym("N"), Dim(384)}));
  // strided_slice_1 (a dead shape computation in the frozen graph) is consumed by nobody, so it
  // is a graph output too, before concat_1 in node order.
  ASSERT_EQ(g.outputs.size(), 2u);
  EXPECT_EQ(g.outputs[0].name, "strided_slice_1");
  EXPECT_EQ(g.outputs[1].name, "concat_1");
  EXPECT_EQ(shape_to_string(g.outputs[1].shape), shape_to_string({Dim::sym("N"), Dim(2)}));

  tf::SamplesProto samples;
  std::ifstream in(kDqmDir + "/samples.pb", std::ios::binary);
  ASSERT_TRUE(samples.ParseFromIstream(&in));
  ASSERT_GE(samples.sample_size(), 3);
  const auto baseline = read_baseline(kDqmDir + "/baseline.txt", 3);
  ASSERT_EQ(baseline.size(), 3u);

  ReferenceExecutor executor(g, DType::kF64);
  double max_rel = 0;
  for (int s = 0; s < 3; ++s) {
    TensorMap inputs;
    for (const tf::NamedTensorProto& named : samples.sample(s).input())
      inputs[named.name()] = tensor_from_tf(named.tensor(), fmt::format("samples.pb sample {}", s));
    const Tensor out = executor.run(inputs).at("concat_1");
    ASSERT_EQ(out.dims().size(), 2u);
    ASSERT_EQ(size_t(out.dims()[0]), baseline[size_t(s)].size()) << "sample " << s;
    ASSERT_EQ(out.dims()[1], 2);
    for (int64_t r = 0; r < out.dims()[0]; ++r) {
      const double expected = baseline[size_t(s)][size_t(r)];
      const double rel = std::abs(out.as_double(r * 2 + 1) - expected) / std::abs(expected);
      max_rel = std::max(max_rel, rel);
      EXPECT_LT(rel, 1e-6) << "sample " << s << " row " << r;
    }
  }
  RecordProperty("max_relative_error", fmt::format("{:.3e}", max_rel));
  std::cout << "DQM float64 max relative error vs baseline (samples 0..2): " << max_rel << "\n";
}

}  // namespace
}  // namespace rankrt
