// Requests split into row slices (one per thread, CpuOptions::split_rows) give the unsplit
// results: a model of every step kind (casts, a common-feature Dense, PReLU / Dice epilogues,
// Expand, Concat, a score head, an output without the symbol) at fp32, bf16 and calibrated int8,
// at row counts that split unevenly; programs that are not row-separable say why and run unsplit.
#include <climits>
#include <cmath>

#include "backends/cpu/cpu_engine.h"
#include "backends/cpu/cpu_program.h"
#include "backends/cpu_test_util.h"

namespace rankrt::test {

namespace {

// comm [1,24] f16, x [N,16] f16 -> casts; common Dense -> row [1,32] (an output too); fc1 (row
// bias, prelu) [N,32]; fc2 (dice) [N,16]; Abs, Concat with Expand(eps) [N,32]; score head fc3
// (relu) -> fc4 -> z [N,1].
Graph every_step_graph(std::mt19937& rng) {
  Graph g;
  g.source = "row-split-test";
  g.inputs.push_back({"comm", DType::kF16, {1, 24}, true});
  g.inputs.push_back({"x", DType::kF16, {Dim::sym("N"), 16}, true});
  auto weight = [&](const std::string& name, std::vector<int64_t> dims, double lo = -0.3, double hi = 0.3) {
    g.initializers[name] = random_tensor(rng, DType::kF32, std::move(dims), lo, hi);
  };
  weight("wc", {24, 32});
  weight("bc", {32});
  weight("w1", {16, 32});
  weight("alpha", {32}, 0.1, 0.5);
  weight("w2", {32, 16});
  weight("d0", {16}, 0.1, 1.0);
  weight("d1", {16}, 0.1, 1.0);
  weight("d2", {16}, -0.1, 0.1);
  weight("w3", {32, 8});
  weight("b3", {8});
  weight("w4", {8, 1});
  g.initializers["eps"] = Tensor::from_vector<float>({1, 1}, {0.5f});
  const int64_t f32 = int64_t(DType::kF32);
  g.nodes.push_back({"comm_cast", "Cast", {"comm"}, {"commf"}, {{"to", f32}}});
  g.nodes.push_back({"x_cast", "Cast", {"x"}, {"xf"}, {{"to", f32}}});
  g.nodes.push_back({"common", "Dense", {"commf", "wc", "bc"}, {"row"}, {}});
  g.nodes.push_back(
      {"fc1", "Dense", {"xf", "w1", "row", "alpha"}, {"h1"}, {{"activation", std::string("prelu")}}});
  g.nodes.push_back(
      {"fc2", "Dense", {"h1", "w2", "", "d0", "d1", "d2"}, {"h2"}, {{"activation", std::string("dice")}}});
  g.nodes.push_back({"abs", "Abs", {"h2"}, {"a"}, {}});
  g.nodes.push_back({"shape", "Shape", {"a"}, {"a_shape"}, {}});
  g.nodes.push_back({"eps_n", "Expand", {"eps", "a_shape"}, {"e"}, {}});
  g.nodes.push_back({"concat", "Concat", {"a", "e"}, {"c"}, {{"axis", int64_t(1)}}});
  g.nodes.push_back({"fc3", "Dense", {"c", "w3", "b3"}, {"h3"}, {{"activation", std::string("relu")}}});
  g.nodes.push_back({"fc4", "Dense", {"h3", "w4"}, {"z"}, {}});
  g.outputs.push_back({"z", DType::kF32, {}, false});
  g.outputs.push_back({"row", DType::kF32, {}, false});
  infer_shapes(g);
  return g;
}

std::unique_ptr<Engine> engine(const Graph& g, const std::string& precision, int threads,
                               int64_t split_rows) {
  cpu::CpuOptions options;
  options.profile = {1, 512, 512};
  options.threads = threads;
  options.precision = precision;
  options.split_rows = split_rows;
  for (const char* layer : {"common", "fc1", "fc2", "fc3", "fc4"}) options.activation_amax[layer] = 2.0f;
  return cpu::build_cpu_engine(g, options);
}

std::string blocker(const Graph& g, cpu::DensePrecision precision = cpu::DensePrecision::kF32) {
  return cpu::lower_graph(g, {1, 64, 64}, precision)->row_split_blocker;
}

}  // namespace

TEST(CpuRowSplit, SlicesEqualUnsplitRequests) {
  std::mt19937 rng(51);
  const Graph g = every_step_graph(rng);
  EXPECT_EQ(blocker(g), "");
  std::vector<std::string> precisions{"fp32", "int8"};
  if (cpu_bf16_supported()) precisions.push_back("bf16");
  for (const std::string& precision : precisions) {
    const auto unsplit = engine(g, precision, 1, 0);
    const auto intra = engine(g, precision, 2, INT64_MAX);  // two threads inside every step
    const auto split = engine(g, precision, 2, 1);          // every request of >= 2 rows split
    EXPECT_NE(split->description().find("split into 2 row slices"), std::string::npos)
        << split->description();
    auto a = unsplit->create_context(), b = intra->create_context(), c = split->create_context();
    double worst = 0;
    for (int64_t rows : {1, 2, 3, 17, 64, 255, 512}) {
      const TensorMap in{{"comm", random_tensor(rng, DType::kF16, {1, 24})},
                         {"x", random_tensor(rng, DType::kF16, {rows, 16})}};
      const TensorMap expected = a->run(in), two = b->run(in), sliced = c->run(in);
      for (const auto& [name, t] : expected) {
        worst = std::max(worst, max_rel_error(sliced.at(name), t));
        EXPECT_LT(max_rel_error(two.at(name), t), 1e-5) << precision << " " << name << " rows=" << rows;
        EXPECT_LT(max_rel_error(sliced.at(name), t), 1e-5) << precision << " " << name << " rows=" << rows;
      }
    }
    std::printf("%s: split vs unsplit, worst relative error %.2g\n", precision.c_str(), worst);
  }
  // The split path against the float64 reference.
  const TensorMap in{{"comm", random_tensor(rng, DType::kF16, {1, 24})},
                     {"x", random_tensor(rng, DType::kF16, {301, 16})}};
  const TensorMap expected = ReferenceExecutor(g, DType::kF64).run(in);
  const TensorMap actual = engine(g, "fp32", 2, 1)->create_context()->run(in);
  for (const auto& [name, t] : expected) EXPECT_LT(max_rel_error(actual.at(name), t, 1e-2), 1e-4) << name;
}

// Not row-separable: the reason, and two threads inside every step instead.
TEST(CpuRowSplit, BlockersAreNamedAndRunUnsplit) {
  std::mt19937 rng(52);
  Graph across;  // the symbol after a dim of 3: rows are not contiguous
  across.source = "row-split-blocked";
  across.inputs.push_back({"x", DType::kF32, {3, Dim::sym("N")}, true});
  across.nodes.push_back({"abs", "Abs", {"x"}, {"y"}, {}});
  across.outputs.push_back({"y", DType::kF32, {}, false});
  infer_shapes(across);
  EXPECT_EQ(blocker(across), "value 'x' [3,N] does not lead with N");
  const auto e = engine(across, "fp32", 2, 1);
  EXPECT_NE(e->description().find("no row split (value 'x'"), std::string::npos) << e->description();
  const Tensor x = random_tensor(rng, DType::kF32, {3, 100});
  Tensor expected = x.clone();
  for (float& v : expected.span<float>()) v = std::abs(v);
  EXPECT_EQ(max_rel_error(e->create_context()->run({{"x", x}}).at("y"), expected), 0.0);

  Graph misaligned;  // x [N] broadcast along the columns of c [N,3] (valid where N is 3)
  misaligned.source = "row-split-misaligned";
  misaligned.inputs.push_back({"x", DType::kF32, {Dim::sym("N")}, true});
  misaligned.inputs.push_back({"c", DType::kF32, {Dim::sym("N"), 3}, true});
  misaligned.nodes.push_back({"add", "Add", {"x", "c"}, {"y"}, {}});
  misaligned.outputs.push_back({"y", DType::kF32, {}, false});
  infer_shapes(misaligned);
  EXPECT_EQ(blocker(misaligned), "step 'add' (Add) mixes rows");

  const Graph g = every_step_graph(rng);  // int8 without calibration: one scale over all rows
  EXPECT_EQ(blocker(g, cpu::DensePrecision::kInt8), "step 'fc1' (Dense) mixes rows");
  EXPECT_EQ(cpu::lower_graph(g, {1, 64, 64}, cpu::DensePrecision::kInt8, {{"fc1", 1.0f}})->row_split_blocker,
            "step 'fc2' (Dense) mixes rows");
  if (cpu_bf16_supported()) EXPECT_EQ(blocker(g, cpu::DensePrecision::kBF16), "");
}

}  // namespace rankrt::test
