// The exporter fixtures (PyTorch's expand(N, -1) shape subgraph, tf2onnx's BroadcastTo) on the
// oneDNN CPU backend, optimized (the common-feature form), against the FP64
// reference on fresh random inputs at several candidate counts.
#include "backends/cpu_test_util.h"
#include "import/model_loader.h"

namespace rankrt::test {
namespace {

TEST(CpuExporterFixtures, MatchTheReferenceAtEveryRowCount) {
  std::mt19937 rng(23);
  for (const char* fixture : {"torch_ranking_mlp", "tf2onnx_ranking_mlp"}) {
    const Graph g = load_model(std::string(RANKRT_SOURCE_DIR "/tests/fixtures/") + fixture + "/model.onnx");
    double worst = 0;
    for (int64_t rows : {1, 7, 200, 511}) {
      TensorMap inputs;
      for (const ValueInfo& v : g.inputs) {
        std::vector<int64_t> dims;
        for (const Dim& d : v.shape) dims.push_back(d.is_symbolic() ? rows : d.value);
        inputs[v.name] = random_tensor(rng, v.dtype, dims);
      }
      const double error = cpu_vs_reference(g, inputs);
      EXPECT_LT(error, 1e-4) << fixture << " rows=" << rows;
      worst = std::max(worst, error);
    }
    std::printf("%s: max relative error %.3g (cpu fp32 vs FP64 reference)\n", fixture, worst);
  }
}

}  // namespace
}  // namespace rankrt::test
