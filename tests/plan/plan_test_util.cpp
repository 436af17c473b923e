// Plan test helpers: temporary directories, a small graph with every attribute kind, model files.
#include "plan/plan_test_util.h"

#include <unistd.h>

#include <atomic>

#include "models/model_files.h"
#include "ops/shape_inference.h"
#include "plan/format/plan_format.h"

namespace rankrt::plan::testing {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = fs::temp_directory_path() / fmt::format("rankrt-plan-test-{}-{}", ::getpid(), counter++);
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Graph small_graph(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> w(12), b(3);
  for (float& v : w) v = u(rng);
  for (float& v : b) v = u(rng);
  Graph g;
  g.source = "small.onnx";
  g.inputs.push_back({"x", DType::kF32, {Dim::sym("N"), 4}, true});
  g.outputs.push_back({"y", DType::kF32, {Dim::sym("N"), 3}, true});
  g.initializers["w"] = Tensor::from_vector<float>({4, 3}, w);
  g.initializers["b"] = Tensor::from_vector<float>({3}, b);
  Node matmul{"fc", "MatMul", {"x", "w"}, {"xw"}, {}};
  matmul.attrs["note"] = std::string("dense");
  matmul.attrs["ints"] = std::vector<int64_t>{1, -2, 3};
  matmul.attrs["floats"] = std::vector<double>{0.5, -1e300};
  matmul.attrs["strings"] = std::vector<std::string>{"a", "", "c"};
  matmul.attrs["scale"] = 0.25;
  matmul.attrs["flag"] = int64_t(1);
  matmul.attrs["table"] = Tensor::from_vector<bool>({2, 2}, {true, false, false, true});
  Node add{"bias", "Add", {"xw", "b"}, {"z"}, {}};
  add.attrs["half"] = Tensor::from_vector<float>({2}, {1.5f, -2.0f}).to(DType::kF16);
  g.nodes = {matmul, add, Node{"act", "Relu", {"z"}, {"y"}, {}}};
  infer_shapes(g, {});
  return g;
}

Plan small_plan(uint64_t seed) {
  Plan p;
  p.key.rankrt_version = "0.1.0";
  p.key.format_version = kFormatVersion;
  p.key.model_sha256 = std::string(64, 'a');
  p.key.backend = "cuda";
  p.key.precision = "fp16";
  p.key.layer_precision = "f*=fp32";
  p.key.activation_amax = {{"fc", 2.5f}, {"fc1", 0.125f}};
  p.key.profile = {1, 2, 3};
  p.key.cuda_graphs = true;
  p.key.disabled_passes = {"fold_affine"};
  p.key.outputs = {"y"};
  p.key.device = {"NVIDIA H100 80GB HBM3", 90, 12040, 12030, 120301};
  p.graph = small_graph(seed);
  p.layer_precision = {{"fc", "fp32"}};
  for (int layer = 0; layer < 2; ++layer) {
    GemmAlgorithms& g = p.gemm_algorithms.emplace_back();
    g.layer = fmt::format("fc{}", layer);
    g.precision = "fp16";
    g.k = 4;
    g.m = 3;
    for (uint64_t rows = 1; rows <= 3; ++rows) g.algorithms.push_back({rows, seed, 3, 4, 5, 6, 7, ~rows});
  }
  return p;
}

const ModelFiles& dqm_files() {
  static const ModelFiles files = [] {
    const fs::path dqm = fs::path(RANKRT_SOURCE_DIR) / ".." / "shared" / "models" / "dqm";
    if (fs::exists(dqm / "frozen_graph.pb"))
      return ModelFiles{(dqm / "frozen_graph.pb").string(), (dqm / "samples.pb").string()};
    static TempDir dir;
    write_dqm_like_files(dir.path().string(), {.seed = 3, .samples = 8});
    return ModelFiles{dir.file("frozen_graph.pb"), dir.file("samples.pb")};
  }();
  return files;
}

}  // namespace rankrt::plan::testing
