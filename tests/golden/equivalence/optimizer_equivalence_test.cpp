// The FP64 proof of equivalence of the optimizer: for every test model (the ONNX node tests that
// rankrt imports and runs, the exporter fixtures, the demo model in both file forms, DQM when
// /work/shared is present) the FP64 reference executor gives the same outputs for the model as
// imported and for optimize(promote_to_float64(model)) on fresh random inputs, within 1e-6
// relative (expect_equivalent: |a - b| <= 1e-6 (max(|a|, |b|) + 1e-3 max|output|)).
#include <filesystem>

#include "golden/onnx_test_cases.h"
#include "import/model_loader.h"
#include "import/onnx/onnx_tensor_file.h"
#include "models/model_files.h"
#include "passes/pass_test_util.h"
#include "passes/pipeline.h"
#include "passes/promote_to_float64.h"
#include "tools/cli_helpers.h"

namespace rankrt::test {
namespace {

namespace fs = std::filesystem;

const fs::path kNodeTests = "/usr/share/libonnx-testdata/data/node";
const fs::path kFixtures = RANKRT_SOURCE_DIR "/tests/fixtures";
const fs::path kDqmDir = RANKRT_SOURCE_DIR "/../shared/models/dqm";

// The FP64 check of one model on one set of inputs; returns the largest relative error.
double check_model(const Graph& model, const TensorMap& inputs) {
  Graph optimized = promote_to_float64(model);
  optimize(optimized);
  return expect_equivalent(model, optimized, inputs);
}

// test_data_set_0's inputs (bound by proto name when it names a graph input, else by position)
// with every float tensor replaced by fresh random values of its shape.
TensorMap random_case_inputs(const fs::path& dir, const Graph& g, std::mt19937& rng, bool randomize) {
  TensorMap inputs;
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    NamedTensor t = read_onnx_tensor_file((dir / "test_data_set_0" / fmt::format("input_{}.pb", i)).string());
    if (randomize && is_float(t.tensor.dtype()))
      t.tensor = random_tensor(t.tensor.dtype(), t.tensor.dims(), rng);
    inputs[g.find_input(t.name) ? t.name : g.inputs[i].name] = std::move(t.tensor);
  }
  return inputs;
}

struct CaseCounts {
  int checked = 0, recorded_inputs = 0, unsupported = 0, not_run = 0;
  double worst = 0;
};

// Checks every case under `root` that rankrt supports, imports and runs on test_data_set_0's
// input shapes: on random float values, or on the recorded inputs where random values do not run
// (e.g. Resize scales, Range bounds). Every case must then survive promotion and optimization.
CaseCounts check_onnx_cases(const fs::path& root) {
  CaseCounts counts;
  std::mt19937 rng = fresh_rng();
  for (const fs::path& dir : golden::test_case_dirs(root)) {
    const std::string name = dir.filename().string();
    SCOPED_TRACE(name);
    if (!golden::skip_reason(dir).empty()) {
      ++counts.unsupported;
      continue;
    }
    Graph model;
    TensorMap inputs;
    try {
      model = import_onnx((dir / "model.onnx").string());
      inputs = random_case_inputs(dir, model, rng, true);
      ReferenceExecutor(model, DType::kF64).run(inputs);
    } catch (const Error&) {
      try {
        inputs = random_case_inputs(dir, model, rng, false);
        ReferenceExecutor(model, DType::kF64).run(inputs);
        ++counts.recorded_inputs;
      } catch (const Error&) {
        ++counts.not_run;  // the golden test (onnx_node_tests) reports these
        continue;
      }
    }
    try {
      counts.worst = std::max(counts.worst, check_model(model, inputs));
      ++counts.checked;
    } catch (const Error& e) {
      ADD_FAILURE() << e.what();
    }
  }
  return counts;
}

// Random inputs with every symbolic dim of the inputs bound to `n`.
TensorMap random_inputs_with_rows(const Graph& g, int64_t n, std::mt19937& rng) {
  SymbolBindings bindings;
  for (const ValueInfo& v : g.inputs)
    for (const Dim& d : v.shape)
      if (d.is_symbolic()) bindings[d.symbol] = n;
  return random_inputs(g, bindings, rng);
}

// A candidate-count model on fresh random inputs at several N.
void check_rows(const Graph& model, const std::string& label) {
  std::mt19937 rng = fresh_rng();
  double worst = 0;
  for (int64_t n : {1, 7, 64})
    worst = std::max(worst, check_model(model, random_inputs_with_rows(model, n, rng)));
  std::printf("%s: max relative error %.3g (FP64, before vs after optimization)\n", label.c_str(), worst);
}

TEST(OptimizerEquivalence, OnnxNodeTests) {
  if (!fs::exists(kNodeTests)) GTEST_SKIP() << kNodeTests << " is absent";
  const CaseCounts c = check_onnx_cases(kNodeTests);
  std::printf(
      "ONNX node tests: %d checked (%d on their recorded inputs), %d not run by rankrt, %d unsupported; "
      "max relative error %.3g\n",
      c.checked, c.recorded_inputs, c.not_run, c.unsupported, c.worst);
  EXPECT_GE(c.checked, 300);  // 332 with libonnx-testdata 1.12
}

TEST(OptimizerEquivalence, ExporterFixtures) {
  const CaseCounts c = check_onnx_cases(kFixtures);
  std::printf("fixtures: %d checked, max relative error %.3g\n", c.checked, c.worst);
  EXPECT_EQ(c.checked, int(golden::test_case_dirs(kFixtures).size()));
  EXPECT_EQ(c.recorded_inputs, 0);
}

TEST(OptimizerEquivalence, DemoModel) {
  rankrt::testing::ScratchDir dir("equivalence");
  write_dqm_like_files(dir.path().string(), {1, 1});
  check_rows(load_model(dir / "model.onnx"), "demo model.onnx");
  check_rows(load_model(dir / "frozen_graph.pb", {"concat_1"}), "demo frozen_graph.pb");
}

TEST(OptimizerEquivalence, Dqm) {
  if (!fs::exists(kDqmDir / "frozen_graph.pb")) GTEST_SKIP() << kDqmDir << " is absent";
  check_rows(load_model((kDqmDir / "frozen_graph.pb").string(), {"concat_1"}), "DQM");
}

}  // namespace
}  // namespace rankrt::test
