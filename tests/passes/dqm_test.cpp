// The real DQM model: after optimisation a one-row common-feature Dense plus six fused Dense
// layers remain, and FP64 outputs match the original graph and the baseline file.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "import/model_loader.h"
#include "io/samples.h"
#include "pass_test_util.h"
#include "passes/layer_info.h"
#include "passes/pipeline.h"

namespace rankrt::test {
namespace {

const std::string kDqmDir = RANKRT_SOURCE_DIR "/../shared/models/dqm";

class Dqm : public testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kDqmDir + "/frozen_graph.pb")) GTEST_SKIP() << kDqmDir << " is absent";
    original_ = load_model(kDqmDir + "/frozen_graph.pb");
    optimized_ = original_;
    optimize(optimized_);
  }
  Graph original_, optimized_;
};

double flops_per_request(const Graph& g, int64_t n) {
  double total = 0;
  for (const LayerInfo& l : layer_table(g)) total += l.flops_per_candidate * double(n) + l.flops_fixed;
  return total;
}

TEST_F(Dqm, OptimizesToSixFusedDenseLayersAndACommonPath) {
  for (const char* op : {"Tile", "Slice", "StridedSlice", "BatchNormalization", "Sqrt", "Reciprocal", "Max",
                         "Min", "Sigmoid", "MatMul", "ConstantOfShape", "Cast"})
    EXPECT_EQ(count_op(optimized_, op), 0) << op << "\n" << graph_to_string(optimized_);
  // The final output concat stays, and the exact fill of its first column reads Shape(z).
  EXPECT_EQ(count_op(optimized_, "Concat"), 1);
  EXPECT_EQ(find_node(optimized_, "Concat")->outputs[0], "concat_1");
  EXPECT_LE(count_op(optimized_, "Shape"), 1);
  EXPECT_EQ(count_op(optimized_, "Expand"), 1);

  std::vector<std::string> activations;
  int common = 0;
  for (const Node& n : optimized_.nodes) {
    if (n.op != "Dense") continue;
    const Shape& out = optimized_.value_info.at(n.outputs[0]).shape;
    if (out.front() == Dim(1)) {
      ++common;
      EXPECT_EQ(out, (Shape{1, 832}));
      EXPECT_EQ(n.inputs[0], "comm");
      continue;
    }
    activations.push_back(n.attr_string("activation", ""));
  }
  EXPECT_EQ(common, 1);
  EXPECT_EQ(activations, (std::vector<std::string>{"prelu", "prelu", "prelu", "prelu", "dice", "none"}));
  const Node* fc1 = find_node(optimized_, "Dense");
  for (const Node& n : optimized_.nodes)
    if (n.name == "fc1_dqm/MatMul") fc1 = &n;
  ASSERT_EQ(fc1->name, "fc1_dqm/MatMul");
  const std::vector<std::string> sources = passes::source_nodes(*fc1);
  for (const char* s : {"fc1_dqm/add", "fc1_dqm/fc1_dqm/bn/add", "fc1_dqm/add_1", "dqm_bn/add", "concat"})
    EXPECT_NE(std::find(sources.begin(), sources.end(), s), sources.end()) << s;

  const double before = flops_per_request(original_, 511), after = flops_per_request(optimized_, 511);
  std::printf("DQM FLOPs per request at N=511: %.0f before, %.0f after optimisation\n", before, after);
  EXPECT_LT(after, before * 0.8);
}

TEST_F(Dqm, Float64OutputsMatchTheOriginalGraphAndTheBaseline) {
  const SampleFile samples = read_samples(kDqmDir + "/samples.pb");
  std::ifstream baseline_file(kDqmDir + "/baseline.txt");
  std::vector<std::vector<double>> baseline;
  for (std::string line; std::getline(baseline_file, line);) {
    std::istringstream in(line);
    baseline.emplace_back(std::istream_iterator<double>(in), std::istream_iterator<double>());
  }
  ReferenceExecutor original(original_, DType::kF64), optimized(optimized_, DType::kF64);
  for (size_t s : {0, 1, 2, 3, 4}) {
    SCOPED_TRACE("sample " + std::to_string(s));
    const Tensor a = original.run(samples.samples.at(s)).at("concat_1");
    const Tensor b = optimized.run(samples.samples.at(s)).at("concat_1");
    ASSERT_EQ(a.dims(), b.dims());
    ASSERT_EQ(size_t(a.dims()[0]), baseline.at(s).size());
    for (int64_t i = 0; i < a.numel(); ++i) {
      EXPECT_LE(std::fabs(b.as_double(i) - a.as_double(i)), 1e-6 * std::fabs(a.as_double(i))) << i;
      if (i % 2 == 1)
        EXPECT_LE(std::fabs(b.as_double(i) - baseline[s][size_t(i / 2)]), 1e-6 * baseline[s][size_t(i / 2)]);
    }
  }
}

}  // namespace
}  // namespace rankrt::test
