// The real DQM model: after optimisation a one-row common-feature Dense plus six fused Dense
// layers (the last with the score tail's post-ops) and one output Pad remain, also for the model promoted to
// float64 (whose FP64 outputs before and after optimisation tests/golden/equivalence compares); the float32
// model (whose folded constants are rounded once to float32) matches the FP64 baseline file within 1e-4.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "import/model_loader.h"
#include "io/samples.h"
#include "pass_test_util.h"
#include "passes/layer_info.h"
#include "passes/pipeline.h"
#include "passes/promote_to_float64.h"

namespace rankrt::test {
namespace {

const std::string kDqmDir = RANKRT_SOURCE_DIR "/../shared/models/dqm";

class Dqm : public testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kDqmDir + "/frozen_graph.pb")) GTEST_SKIP() << kDqmDir << " is absent";
    original_ = load_model(kDqmDir + "/frozen_graph.pb", {"concat_1"});
    optimized_ = original_;
    optimize(optimized_);
  }
  Graph original_, optimized_;
};

std::vector<TensorMap> first_samples(size_t count) {
  SampleFile samples = read_samples(kDqmDir + "/samples.pb");
  samples.samples.resize(count);
  return samples.samples;
}

double flops_per_request(const Graph& g, int64_t n) {
  double total = 0;
  for (const LayerInfo& l : layer_table(g)) total += l.flops_per_candidate * double(n) + l.flops_fixed;
  return total;
}

TEST_F(Dqm, OptimizesToSixFusedDenseLayersAndACommonPath) {
  for (const char* op :
       {"Tile", "Slice", "StridedSlice", "BatchNormalization", "Sqrt", "Reciprocal", "Max", "Min", "Sigmoid",
        "MatMul", "ConstantOfShape", "Shape", "Expand", "Concat", "Abs", "Add", "Mul"})
    EXPECT_EQ(count_op(optimized_, op), 0) << op << "\n" << graph_to_string(optimized_);
  // Six GEMM layers, the common-feature GEMV, the two input Casts (float16 -> float32, on each side
  // of the split) and one output op: the score padded by the exact 1e-7 column in front.
  EXPECT_EQ(optimized_.nodes.size(), 10u) << graph_to_string(optimized_);
  EXPECT_EQ(count_op(optimized_, "Dense"), 7);
  EXPECT_EQ(count_op(optimized_, "Cast"), 2);
  ASSERT_EQ(count_op(optimized_, "Pad"), 1);
  const Node* pad = find_node(optimized_, "Pad");
  EXPECT_EQ(pad->outputs[0], "concat_1");
  EXPECT_EQ(optimized_.initializers.at(pad->inputs[1]).to_int64_vector(), (std::vector<int64_t>{0, 1, 0, 0}));
  EXPECT_EQ(optimized_.initializers.at(pad->inputs[2]).as_double(0), double(1e-7f));
  const std::optional<size_t> score = optimized_.producer(pad->inputs[0]);
  ASSERT_TRUE(score);
  EXPECT_EQ(optimized_.nodes[*score].name, "fc6_dqm/MatMul");
  EXPECT_EQ(std::get<std::vector<std::string>>(optimized_.nodes[*score].attrs.at("post_ops")),
            (std::vector<std::string>{"abs", "add", "mul"}));

  std::vector<std::string> activations;
  int common = 0;
  for (const Node& n : optimized_.nodes) {
    if (n.op != "Dense") continue;
    const Shape& out = optimized_.value_info.at(n.outputs[0]).shape;
    if (out.front() == Dim(1)) {
      ++common;
      EXPECT_EQ(out, (Shape{1, 832}));
      const std::optional<size_t> cast = optimized_.producer(n.inputs[0]);
      ASSERT_TRUE(cast);
      EXPECT_EQ(optimized_.nodes[*cast].inputs[0], "comm");
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

TEST_F(Dqm, Float64ModelOptimizesLikeTheFloat32Model) {
  Graph promoted = promote_to_float64(original_);
  optimize(promoted);
  // The same ops but the input Casts (float64 inputs need none).
  auto ops = [](const Graph& g) {
    std::vector<std::string> ops;
    for (const Node& n : g.nodes)
      if (n.op != "Cast") ops.push_back(n.op + ":" + n.attr_string("activation", ""));
    return ops;
  };
  EXPECT_EQ(ops(promoted), ops(optimized_));
}

TEST_F(Dqm, Float32ModelMatchesTheBaseline) {
  std::ifstream baseline_file(kDqmDir + "/baseline.txt");
  std::vector<std::vector<double>> baseline;
  for (std::string line; std::getline(baseline_file, line);) {
    std::istringstream in(line);
    baseline.emplace_back(std::istream_iterator<double>(in), std::istream_iterator<double>());
  }
  const std::vector<TensorMap> samples = first_samples(5);
  ReferenceExecutor optimized(optimized_, DType::kF64);
  double worst = 0;
  for (size_t s = 0; s < samples.size(); ++s) {
    const Tensor scores = optimized.run(samples[s]).at("concat_1");
    ASSERT_EQ(size_t(scores.dims()[0]), baseline.at(s).size());
    for (int64_t r = 0; r < scores.dims()[0]; ++r) {
      const double b = baseline[s][size_t(r)];
      worst = std::max(worst, std::fabs(scores.as_double(2 * r + 1) - b) / std::fabs(b));
    }
  }
  std::printf("DQM optimized float32 model, FP64 execution: max relative error %.3g vs the baseline\n",
              worst);
  EXPECT_LE(worst, 1e-4);
}

}  // namespace
}  // namespace rankrt::test
