// The exporter fixtures (tests/fixtures): PyTorch writes user.expand(N, -1) as a Shape / Gather /
// Unsqueeze / Concat / Reshape / Equal / Where subgraph feeding Expand, tf2onnx as Shape / Cast /
// Slice / Concat / Cast. After optimization both are the common-feature form: a one-row GEMV of
// the user features feeding the first layer's bias row, then three fused Dense layers, and no shape
// op left.
#include "import/model_loader.h"
#include "pass_test_util.h"
#include "passes/layer_info.h"
#include "passes/pipeline.h"

namespace rankrt::test {
namespace {

const std::string kFixtures = RANKRT_SOURCE_DIR "/tests/fixtures/";

struct Layer {
  std::string name, op;
  std::vector<std::string> fused;
  Shape output;
  bool operator==(const Layer&) const = default;
};

void PrintTo(const Layer& l, std::ostream* os) {
  *os << l.name << " " << l.op << " [" << fmt::format("{}", fmt::join(l.fused, ",")) << "] "
      << shape_to_string(l.output);
}

std::vector<Layer> optimized_layers(const std::string& fixture) {
  Graph g = load_model(kFixtures + fixture + "/model.onnx");
  optimize(g);
  std::vector<Layer> layers;
  for (const LayerInfo& l : layer_table(g)) layers.push_back({l.name, l.op, l.fused, l.outputs.at(0).shape});
  return layers;
}

TEST(ExporterFixtures, TorchExpandShapeSubgraphFoldsAndHoists) {
  const Dim n = Dim::sym("N");
  EXPECT_EQ(optimized_layers("torch_ranking_mlp"),
            (std::vector<Layer>{{"/fc1/Gemm/common", "Dense", {"bias"}, {1, 32}},
                                {"/fc1/Gemm", "Dense", {"bias_row", "prelu"}, {n, 32}},
                                {"/fc2/Gemm", "Dense", {"bias", "prelu"}, {n, 16}},
                                {"/fc3/Gemm", "Dense", {"bias", "sigmoid"}, {n, 1}}}));
}

TEST(ExporterFixtures, Tf2onnxBroadcastShapeSubgraphFoldsAndHoists) {
  const Dim n = Dim::sym("unk__19");
  EXPECT_EQ(optimized_layers("tf2onnx_ranking_mlp"),
            (std::vector<Layer>{{"MatMul/common", "Dense", {"bias"}, {1, 32}},
                                {"MatMul", "Dense", {"bias_row", "prelu"}, {n, 32}},
                                {"MatMul_1", "Dense", {"bias", "prelu"}, {n, 16}},
                                {"MatMul_2", "Dense", {"bias", "sigmoid"}, {n, 1}}}));
}

}  // namespace
}  // namespace rankrt::test
