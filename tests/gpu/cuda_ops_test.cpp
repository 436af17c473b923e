// Every op the CUDA backend lowers, against the FP64 reference on fresh random inputs at
// several candidate counts.
#include "backends/score_head_graph.h"
#include "gpu/gpu_test_util.h"

namespace rankrt::test {

namespace {

// X [N,K] (graph input) -> op -> Y; extra inputs are initializers.
Graph dense_graph(int64_t k, int64_t m, const std::string& act, std::mt19937& rng, bool row_bias) {
  Graph g;
  g.source = "dense-test";
  g.inputs.push_back({"x", DType::kF32, {Dim::sym("N"), k}, true});
  g.initializers["w"] = random_tensor(rng, DType::kF32, {k, m}, -0.2, 0.2);
  Node n{"dense", "Dense", {"x", "w", "b"}, {"y"}, {{"activation", act}}};
  if (row_bias) {
    g.inputs.push_back({"b", DType::kF32, {1, m}, true});
  } else {
    g.initializers["b"] = random_tensor(rng, DType::kF32, {m});
  }
  const int params = act == "prelu" ? 1 : act == "dice" ? 3 : 0;
  for (int p = 0; p < params; ++p) {
    const std::string name = "p" + std::to_string(p);
    g.initializers[name] = random_tensor(rng, DType::kF32, {m}, 0.1, 1.0);
    n.inputs.push_back(name);
  }
  g.nodes.push_back(n);
  g.outputs.push_back({"y", DType::kF32, {}, false});
  return g;
}

}  // namespace

TEST(CudaOps, DenseEveryActivationAndRowCount) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(11);
  for (const std::string act : {"none", "relu", "prelu", "sigmoid", "tanh", "dice"}) {
    for (int64_t rows : {1, 7, 128, 511}) {
      for (bool row_bias : {false, true}) {
        Graph g = dense_graph(96, 40, act, rng, row_bias);
        TensorMap in{{"x", random_tensor(rng, DType::kF32, {rows, 96})}};
        if (row_bias) in["b"] = random_tensor(rng, DType::kF32, {1, 40});
        EXPECT_LT(cuda_vs_reference(g, in), 1e-5) << act << " rows=" << rows;
      }
    }
  }
}

TEST(CudaOps, DenseLowPrecisionsStayWithinTheirRounding) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(12);
  for (const auto& [precision, tol] :
       std::vector<std::pair<std::string, double>>{{"tf32", 5e-3}, {"fp16", 5e-3}, {"bf16", 3e-2}}) {
    Graph g = dense_graph(256, 64, "relu", rng, false);
    TensorMap in{{"x", random_tensor(rng, DType::kF32, {100, 256})}};
    const double err = cuda_vs_reference(g, in, precision);
    EXPECT_LT(err, tol) << precision;
    EXPECT_GT(err, 1e-7) << precision << " should not be exact (precision not applied?)";
  }
}

// The fp32 plan runs a Dense -> narrow Dense pair as one score-head kernel in double: a cancelling
// score keeps its relative accuracy (float32 hidden values would leave ~1e-3).
TEST(CudaOps, ScoreHeadKeepsCancellingScoresAccurate) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(29);
  Graph g = cancelling_score_head(rng);
  infer_shapes(g);
  EngineOptions options;
  options.backend = "cuda";
  auto engine = build_engine(g, options);
  auto ctx = engine->create_context();
  for (int64_t rows : {1, 3, 200}) {
    const Tensor x = random_tensor(rng, DType::kF32, {rows, 16});
    const Tensor expected = ReferenceExecutor(g, DType::kF64).run({{"x", x}}).at("z");
    const Tensor actual = ctx->run({{"x", x}}).at("z");
    EXPECT_LT(max_rel_error(actual, expected, 1e-12), 1e-5) << rows;
  }
}

TEST(CudaOps, ElementwiseWithBroadcasting) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(13);
  for (const std::string op : {"Add", "Sub", "Mul", "Div", "Max", "Min", "PRelu"}) {
    Graph g;
    g.source = "binary-test";
    g.inputs.push_back({"a", DType::kF32, {Dim::sym("N"), 16}, true});
    g.initializers["b"] = random_tensor(rng, DType::kF32, {1, 16}, 0.5, 2.0);
    g.nodes.push_back({"node", op, {"a", "b"}, {"y"}, {}});
    g.outputs.push_back({"y", DType::kF32, {}, false});
    for (int64_t rows : {1, 33}) {
      EXPECT_LT(cuda_vs_reference(g, {{"a", random_tensor(rng, DType::kF32, {rows, 16})}}), 1e-6) << op;
    }
  }
  for (const std::string op :
       {"Neg", "Abs", "Relu", "Sigmoid", "Tanh", "Exp", "Sqrt", "Reciprocal", "Erf", "Log"}) {
    Graph g;
    g.source = "unary-test";
    g.inputs.push_back({"a", DType::kF32, {Dim::sym("N"), 5, 3}, true});
    g.nodes.push_back({"node", op, {"a"}, {"y"}, {}});
    g.outputs.push_back({"y", DType::kF32, {}, false});
    EXPECT_LT(cuda_vs_reference(g, {{"a", random_tensor(rng, DType::kF32, {9, 5, 3}, 0.1, 2.0)}}), 1e-5)
        << op;
  }
}

TEST(CudaOps, CastConcatAndGraphsOnOff) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(14);
  Graph g;
  g.source = "concat-test";
  g.inputs.push_back({"a", DType::kF16, {Dim::sym("N"), 3}, true});
  g.inputs.push_back({"b", DType::kF32, {Dim::sym("N"), 5}, true});
  g.nodes.push_back({"cast", "Cast", {"a"}, {"af"}, {{"to", int64_t(DType::kF32)}}});
  g.nodes.push_back({"concat", "Concat", {"af", "b"}, {"y"}, {{"axis", int64_t(-1)}}});
  g.outputs.push_back({"y", DType::kF32, {}, false});
  for (bool graphs : {true, false}) {
    for (int64_t rows : {1, 2, 300}) {
      TensorMap in{{"a", random_tensor(rng, DType::kF16, {rows, 3})},
                   {"b", random_tensor(rng, DType::kF32, {rows, 5})}};
      EXPECT_EQ(cuda_vs_reference(g, in, "fp32", graphs), 0.0);
    }
  }
}

TEST(CudaOps, OutOfProfileRowsIsAClearError) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(15);
  Graph g = dense_graph(8, 4, "none", rng, false);
  infer_shapes(g);
  auto engine = build_engine(g, {"cuda", "fp32", {1, 16, 16}, true, 0});
  auto ctx = engine->create_context();
  try {
    ctx->run({{"x", random_tensor(rng, DType::kF32, {17, 8})}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("outside the engine's shape profile"), std::string::npos)
        << e.what();
  }
}

}  // namespace rankrt::test

namespace rankrt::test {

TEST(CudaOps, ElementwiseChainIsOneFusedKernel) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(16);
  // y = sigmoid((|a| + c) * b) - a: four ops, three inputs (c broadcast per column), one kernel.
  Graph g;
  g.source = "fusion-test";
  g.inputs.push_back({"a", DType::kF32, {Dim::sym("N"), 8}, true});
  g.inputs.push_back({"b", DType::kF32, {Dim::sym("N"), 8}, true});
  g.initializers["c"] = random_tensor(rng, DType::kF32, {8});
  g.nodes.push_back({"abs", "Abs", {"a"}, {"t0"}, {}});
  g.nodes.push_back({"add", "Add", {"t0", "c"}, {"t1"}, {}});
  g.nodes.push_back({"mul", "Mul", {"t1", "b"}, {"t2"}, {}});
  g.nodes.push_back({"sig", "Sigmoid", {"t2"}, {"t3"}, {}});
  g.nodes.push_back({"sub", "Sub", {"t3", "a"}, {"y"}, {}});
  g.outputs.push_back({"y", DType::kF32, {}, false});
  for (int64_t rows : {1, 37, 512}) {
    TensorMap in{{"a", random_tensor(rng, DType::kF32, {rows, 8})},
                 {"b", random_tensor(rng, DType::kF32, {rows, 8})}};
    EXPECT_LT(cuda_vs_reference(g, in), 1e-6) << rows;
  }
  infer_shapes(g);
  EngineOptions options{"cuda", "fp32"};
  options.optimize = false;
  EXPECT_NE(build_engine(g, options)->description().find(" 1 steps"), std::string::npos);
}

}  // namespace rankrt::test
