// Every op the oneDNN CPU backend lowers, against the FP64 reference on fresh random inputs at
// several candidate counts; unsupported ops and out-of-profile requests are clear errors.
#include "backends/cpu_test_util.h"
#include "backends/dense_graph.h"
#include "backends/score_head_graph.h"

namespace rankrt::test {

namespace {

Graph one_node_graph(const std::string& op, std::vector<ValueInfo> inputs, AttributeMap attrs = {}) {
  Graph g;
  g.source = op + "-test";
  std::vector<std::string> names;
  for (const ValueInfo& v : inputs) names.push_back(v.name);
  g.inputs = std::move(inputs);
  g.nodes.push_back({"node", op, names, {"y"}, std::move(attrs)});
  g.outputs.push_back({"y", DType::kF32, {}, false});
  return g;
}

}  // namespace

TEST(CpuOps, DenseEveryActivationBiasFormAndRowCount) {
  std::mt19937 rng(21);
  const int64_t k = 96, m = 40;
  for (const std::string act :
       {"none", "relu", "prelu", "sigmoid", "tanh", "dice", "gelu", "gelu_tanh", "swish"}) {
    for (Bias bias : {Bias::kNone, Bias::kColumn, Bias::kRow, Bias::kFull, Bias::kScalar}) {
      const Graph g = dense_graph(k, m, act, bias, rng);
      for (int64_t rows : {1, 7, 200, 511}) {
        TensorMap in{{"x", random_tensor(rng, DType::kF32, {rows, k})}};
        if (bias == Bias::kRow) in["b"] = random_tensor(rng, DType::kF32, {1, m});
        if (bias == Bias::kFull) in["b"] = random_tensor(rng, DType::kF32, {rows, m});
        EXPECT_LT(cpu_vs_reference(g, in), 1e-4) << act << " bias form " << int(bias) << " rows=" << rows;
      }
    }
  }
}

TEST(CpuOps, DenseWithTwoThreadsAndMatMul) {
  std::mt19937 rng(22);
  const Graph g = dense_graph(300, 130, "prelu", Bias::kColumn, rng);
  for (int64_t rows : {3, 257})
    EXPECT_LT(cpu_vs_reference(g, {{"x", random_tensor(rng, DType::kF32, {rows, 300})}}, 2), 1e-4) << rows;
  Graph mm = one_node_graph("MatMul", {{"x", DType::kF32, {Dim::sym("N"), 4, 24}, true}});
  mm.nodes[0].inputs.push_back("w");
  mm.initializers["w"] = random_tensor(rng, DType::kF32, {24, 9});
  EXPECT_LT(cpu_vs_reference(mm, {{"x", random_tensor(rng, DType::kF32, {5, 4, 24})}}), 1e-5);
}

// The hoisted common-feature path: a [1,K] Dense computes the bias row of the per-candidate Dense.
TEST(CpuOps, CommonFeatureBiasRow) {
  std::mt19937 rng(23);
  const Graph g = common_feature_graph(rng);
  for (int64_t rows : {1, 2, 100, 512}) {
    TensorMap in{{"comm", random_tensor(rng, DType::kF16, {1, 24})},
                 {"x", random_tensor(rng, DType::kF16, {rows, 16})}};
    EXPECT_LT(cpu_vs_reference(g, in), 1e-4) << rows;
  }
}

// A Dense -> narrow Dense pair runs as one score head in double: a cancelling score keeps its
// relative accuracy (float32 hidden values would leave ~1e-3).
TEST(CpuOps, ScoreHeadKeepsCancellingScoresAccurate) {
  std::mt19937 rng(29);
  const Graph g = cancelling_score_head(rng);
  for (int64_t rows : {1, 3, 200}) {
    const Tensor x = random_tensor(rng, DType::kF32, {rows, 16});
    Graph copy = g;
    infer_shapes(copy);
    const Tensor expected = ReferenceExecutor(copy, DType::kF64).run({{"x", x}}).at("z");
    const Tensor actual = build_engine(copy, EngineOptions{})->create_context()->run({{"x", x}}).at("z");
    EXPECT_LT(max_rel_error(actual, expected, 1e-12), 1e-5) << rows;
  }
}

TEST(CpuOps, BinaryWithBroadcasting) {
  std::mt19937 rng(24);
  for (const std::string op : {"Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "PRelu"}) {
    // [N,16] op [1,16] (initializer), [16] op [N,16] (graph inputs), [N,1] op [N,1].
    Graph g = one_node_graph(op, {{"a", DType::kF32, {Dim::sym("N"), 16}, true}});
    g.nodes[0].inputs.push_back("b");
    g.initializers["b"] = random_tensor(rng, DType::kF32, {1, 16}, 0.5, 2.0);
    Graph h =
        one_node_graph(op, {{"a", DType::kF32, {16}, true}, {"b", DType::kF32, {Dim::sym("N"), 16}, true}});
    Graph c = one_node_graph(
        op, {{"a", DType::kF32, {Dim::sym("N"), 1}, true}, {"b", DType::kF32, {Dim::sym("N"), 1}, true}});
    for (int64_t rows : {1, 33}) {
      EXPECT_LT(cpu_vs_reference(g, {{"a", random_tensor(rng, DType::kF32, {rows, 16}, 0.1, 2.0)}}), 1e-6)
          << op;
      if (op != "PRelu")  // PRelu's slope broadcasts one way only
        EXPECT_LT(cpu_vs_reference(h, {{"a", random_tensor(rng, DType::kF32, {16}, 0.1, 2.0)},
                                       {"b", random_tensor(rng, DType::kF32, {rows, 16}, 0.5, 2.0)}}),
                  1e-6)
            << op;
      EXPECT_LT(cpu_vs_reference(c, {{"a", random_tensor(rng, DType::kF32, {rows, 1}, -2.0, 2.0)},
                                     {"b", random_tensor(rng, DType::kF32, {rows, 1}, 0.5, 2.0)}}),
                1e-6)
          << op;
    }
  }
}

TEST(CpuOps, Unary) {
  std::mt19937 rng(25);
  for (const std::string op : {"Neg", "Abs", "Relu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Reciprocal",
                               "Erf", "LeakyRelu", "Identity"}) {
    AttributeMap attrs;
    if (op == "LeakyRelu") attrs["alpha"] = 0.2;
    const Graph g = one_node_graph(op, {{"a", DType::kF32, {Dim::sym("N"), 5, 3}, true}}, attrs);
    const bool positive = op == "Log" || op == "Sqrt";
    for (int64_t rows : {1, 9})
      EXPECT_LT(cpu_vs_reference(
                    g, {{"a", random_tensor(rng, DType::kF32, {rows, 5, 3}, positive ? 0.1 : -2.0, 2.0)}}),
                1e-5)
          << op;
  }
}

// The output tail of DQM: Shape -> Expand of a constant, ConstantOfShape, Concat, casts both ways.
TEST(CpuOps, ExpandFillConcatAndCast) {
  std::mt19937 rng(26);
  Graph g;
  g.source = "tail-test";
  g.inputs.push_back({"z", DType::kF32, {Dim::sym("N"), 1}, true});
  g.inputs.push_back({"h", DType::kF16, {Dim::sym("N"), 3}, true});
  g.initializers["eps"] = Tensor::from_vector<float>({1, 1}, {1e-7f});
  g.nodes.push_back({"shape", "Shape", {"z"}, {"z_shape"}, {}});
  g.nodes.push_back({"expand", "Expand", {"eps", "z_shape"}, {"e"}, {}});
  g.nodes.push_back(
      {"fill", "ConstantOfShape", {"z_shape"}, {"f"}, {{"value", Tensor::from_vector<float>({1}, {0.5f})}}});
  g.nodes.push_back({"widen", "Cast", {"h"}, {"hf"}, {{"to", int64_t(DType::kF32)}}});
  g.nodes.push_back({"concat", "Concat", {"e", "f", "hf", "z"}, {"y"}, {{"axis", int64_t(1)}}});
  g.nodes.push_back({"narrow", "Cast", {"y"}, {"y16"}, {{"to", int64_t(DType::kF16)}}});
  g.outputs.push_back({"y", DType::kF32, {}, false});
  g.outputs.push_back({"y16", DType::kF16, {}, false});
  for (int64_t rows : {1, 2, 300}) {
    TensorMap in{{"z", random_tensor(rng, DType::kF32, {rows, 1})},
                 {"h", random_tensor(rng, DType::kF16, {rows, 3})}};
    EXPECT_LT(cpu_vs_reference(g, in), 1e-7) << rows;
  }
}

TEST(CpuOps, UnsupportedOpNamesTheNode) {
  Graph g = one_node_graph("Transpose", {{"a", DType::kF32, {Dim::sym("N"), 4}, true}});
  g.nodes[0].name = "my_transpose";
  infer_shapes(g);
  try {
    build_engine(g, {});
    FAIL() << "expected kUnsupported";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("my_transpose"), std::string::npos) << e.what();
  }
  EngineOptions reference;  // the reference backend still runs it
  reference.backend = "reference";
  EXPECT_NO_THROW(build_engine(g, reference));
}

TEST(CpuOps, OutOfProfileRowsIsAClearError) {
  std::mt19937 rng(27);
  Graph g = dense_graph(8, 4, "none", Bias::kColumn, rng);
  infer_shapes(g);
  EngineOptions options;
  options.profile = {2, 8, 16};
  auto engine = build_engine(g, options);
  auto ctx = engine->create_context();
  EXPECT_NO_THROW(ctx->run({{"x", random_tensor(rng, DType::kF32, {16, 8})}}));
  EXPECT_NO_THROW(ctx->run({{"x", random_tensor(rng, DType::kF32, {2, 8})}}));
  for (int64_t rows : {17, 1}) {
    try {
      ctx->run({{"x", random_tensor(rng, DType::kF32, {rows, 8})}});
      FAIL() << "expected an error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kShape);
      EXPECT_NE(
          std::string(e.what()).find(fmt::format("={} is outside the engine's shape profile N=2:8:16", rows)),
          std::string::npos)
          << e.what();
    }
  }
  options.profile = {4, 2, 8};
  EXPECT_THROW(build_engine(g, options), Error);
}

TEST(CpuOps, BackendsAndPrecisions) {
  std::mt19937 rng(28);
  Graph g = dense_graph(8, 4, "relu", Bias::kColumn, rng);
  infer_shapes(g);
  EXPECT_NE(build_engine(g, {}).get()->description().find("oneDNN"), std::string::npos);
  EXPECT_NE(build_engine(g, {"cpu", "fp64"})->description().find("reference fp64"), std::string::npos);
  EXPECT_NE(build_engine(g, {"reference", "fp32"})->description().find("reference fp32"), std::string::npos);
  if (cpu_bf16_supported())
    EXPECT_NE(build_engine(g, cpu_options("bf16"))->description().find(" bf16 (f32 accumulation"),
              std::string::npos);
  EXPECT_NE(build_engine(g, cpu_options("int8"))->description().find(" int8 (s8 weights"), std::string::npos);
  EXPECT_THROW(build_engine(g, {"reference", "int8"}), Error);
  EXPECT_THROW(build_engine(g, {"cpu", "int4"}), Error);
  EXPECT_THROW(build_engine(g, {"tpu", "fp32"}), Error);
}

}  // namespace rankrt::test
