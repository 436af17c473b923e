// Per-layer precision rules: parsing, globs, and resolution over the optimized demo model's GEMM
// layers (by layer name and by original node name, later rules winning; cuda int8 / fp8 / tf32x3
// too), with one clear error for a rule matching nothing, an unknown precision or one the backend
// cannot run per layer.
#include "runtime/layer_precision.h"

#include <gtest/gtest.h>

#include "models/dqm_like.h"
#include "ops/shape_inference.h"
#include "passes/pipeline.h"

namespace rankrt {
namespace {

const Graph& optimized_demo() {
  static const Graph g = [] {
    Graph graph = dqm_like_graph(make_dqm_like_model(1));
    graph.source = "demo.onnx";
    infer_shapes(graph);
    optimize(graph);
    return graph;
  }();
  return g;
}

LayerPrecisionMap resolve(const std::string& rules, const std::string& backend = "cuda",
                          const std::string& precision = "fp32") {
  return resolve_layer_precision(optimized_demo(), {rules, {}}, backend, precision);
}

// The message of the kUsage error `f` throws ("" when it does not throw).
template <typename F>
std::string usage_error(F f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUsage) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(LayerPrecision, ParsesRulesWithSetsAndEscapes) {
  const std::vector<PrecisionRule> rules =
      parse_precision_rules(" fc1*=fp32, fc[2-4]*=fp16 ,fc[5,6]*=tf32,a\\,b=bf16");
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[0].pattern, "fc1*");
  EXPECT_EQ(rules[0].precision, "fp32");
  EXPECT_EQ(rules[1].pattern, "fc[2-4]*");
  EXPECT_EQ(rules[1].text, "fc[2-4]*=fp16");
  EXPECT_EQ(rules[2].pattern, "fc[5,6]*");
  EXPECT_EQ(rules[3].pattern, "a\\,b");
  EXPECT_TRUE(parse_precision_rules("").empty());
  for (const char* bad : {"fc1", "=fp16", "fc1=", "fc1=fp32,,fc2=fp16", "fc1=fp32,"})
    EXPECT_NE(usage_error([&] { parse_precision_rules(bad); }).find("is not GLOB=PRECISION"),
              std::string::npos)
        << bad;
  EXPECT_NE(usage_error([] { parse_precision_rules("fc1=fp32,fc2"); }).find("rule 'fc2'"), std::string::npos);
}

TEST(LayerPrecision, GlobMatching) {
  EXPECT_TRUE(glob_match("fc1*", "fc1_dqm/MatMul"));
  EXPECT_FALSE(glob_match("fc1*", "xfc1"));
  EXPECT_TRUE(glob_match("*MatMul", "fc2_dqm/MatMul"));
  EXPECT_TRUE(glob_match("fc?_dqm/*", "fc3_dqm/add_1"));
  EXPECT_TRUE(glob_match("fc[2-4]*", "fc4_dqm/MatMul"));
  EXPECT_FALSE(glob_match("fc[2-4]*", "fc5_dqm/MatMul"));
  EXPECT_TRUE(glob_match("fc[!2-4]*", "fc5_dqm/MatMul"));
  EXPECT_TRUE(glob_match("fc[15]*", "fc5"));
  EXPECT_TRUE(glob_match("a\\*b", "a*b"));
  EXPECT_FALSE(glob_match("a\\*b", "axb"));
  EXPECT_TRUE(glob_match("x[", "x["));  // an unclosed set is an ordinary '['
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("**a*", "bab"));
  EXPECT_FALSE(glob_match("a?", "a"));
}

TEST(LayerPrecision, ResolvesEveryGemmLayerLaterRulesWin) {
  const LayerPrecisionMap m = resolve("fc1*=fp32,fc[2-4]*=fp16,fc4*=tf32");
  const LayerPrecisionMap expected = {{"fc1_dqm/MatMul/common", "fp32"}, {"fc1_dqm/MatMul", "fp32"},
                                      {"fc2_dqm/MatMul", "fp16"},        {"fc3_dqm/MatMul", "fp16"},
                                      {"fc4_dqm/MatMul", "tf32"},        {"fc5_dqm/MatMul", "fp32"},
                                      {"fc6_dqm/MatMul", "fp32"}};
  EXPECT_EQ(m, expected);
  EXPECT_EQ(resolve("", "cuda", "fp16").at("fc5_dqm/MatMul"), "fp16");
  EXPECT_EQ(describe_overrides(m, "fp32"),
            " (per layer: fc2_dqm/MatMul fp16, fc3_dqm/MatMul fp16, fc4_dqm/MatMul tf32)");
  EXPECT_EQ(describe_overrides(m, "fp16"),
            " (per layer: fc1_dqm/MatMul fp32, fc1_dqm/MatMul/common fp32, "
            "fc4_dqm/MatMul tf32, fc5_dqm/MatMul fp32, fc6_dqm/MatMul fp32)");
  EXPECT_EQ(describe_overrides(resolve(""), "fp32"), "");
}

TEST(LayerPrecision, MatchesOriginalNodeNames) {
  // fc2_dqm/add_1 (its PReLU output) is fused into the Dense layer fc2_dqm/MatMul.
  const LayerPrecisionMap m = resolve("fc2_dqm/add_1=bf16");
  EXPECT_EQ(m.at("fc2_dqm/MatMul"), "bf16");
  EXPECT_EQ(m.at("fc3_dqm/MatMul"), "fp32");
}

TEST(LayerPrecision, RejectsRulesThatCannotBeObeyed) {
  std::string e = usage_error([] { resolve("fc1*=fp32,nothing*=fp16"); });
  EXPECT_NE(e.find("demo.onnx: --layer-precision rule 'nothing*=fp16' matches no layer"), std::string::npos)
      << e;
  EXPECT_NE(e.find("GEMM layers: fc1_dqm/MatMul/common, fc1_dqm/MatMul"), std::string::npos) << e;
  e = usage_error([] { resolve("concat_1=fp16"); });  // not a GEMM layer
  EXPECT_NE(e.find("'concat_1=fp16' matches no layer"), std::string::npos) << e;
  e = usage_error([] { resolve("fc1*=fp4"); });
  EXPECT_NE(e.find("rule 'fc1*=fp4': unknown precision 'fp4'"), std::string::npos) << e;
  e = usage_error([] { resolve("fc1*=fp64"); });
  EXPECT_NE(e.find("backend cuda has no fp64 layers"), std::string::npos) << e;
  e = usage_error([] { resolve("fc1*=fp16", "cpu"); });
  EXPECT_NE(e.find("rule 'fc1*=fp16': backend cpu runs every layer in its precision fp32, not fp16"),
            std::string::npos)
      << e;
  EXPECT_EQ(resolve("*=fp32", "cpu").at("fc2_dqm/MatMul"), "fp32");
  e = usage_error([] { resolve("fc1*=tf32x3", "cpu"); });
  EXPECT_NE(e.find("backend cpu runs every layer in its precision fp32, not tf32x3"), std::string::npos) << e;
}

TEST(LayerPrecision, CudaRunsCalibratedAndSplitPrecisionLayers) {
  const LayerPrecisionMap m = resolve("fc1*=tf32x3,fc[2-3]*=int8,fc4*=fp8");
  EXPECT_EQ(m.at("fc1_dqm/MatMul"), "tf32x3");
  EXPECT_EQ(m.at("fc3_dqm/MatMul"), "int8");
  EXPECT_EQ(m.at("fc4_dqm/MatMul"), "fp8");
  EXPECT_EQ(resolve("", "cuda", "fp8").at("fc5_dqm/MatMul"), "fp8");
  EXPECT_EQ(resolve("*=int8", "cpu", "int8").at("fc2_dqm/MatMul"), "int8");
}

TEST(LayerPrecision, GivenLayersMustFitTheGraph) {
  LayerPrecisionMap given = resolve("fc2*=fp16");
  EXPECT_EQ(resolve_layer_precision(optimized_demo(), {"", given}, "cuda", "fp32"), given);
  LayerPrecisionMap missing = given;
  missing.erase("fc3_dqm/MatMul");
  EXPECT_THROW(resolve_layer_precision(optimized_demo(), {"", missing}, "cuda", "fp32"), Error);
  LayerPrecisionMap extra = given;
  extra["concat_1"] = "fp32";
  EXPECT_THROW(resolve_layer_precision(optimized_demo(), {"", extra}, "cuda", "fp32"), Error);
  EXPECT_THROW(resolve_layer_precision(optimized_demo(), {"", given}, "cpu", "fp32"), Error);
}

TEST(LayerPrecision, ExactAndCanonicalRules) {
  const LayerPrecisionMap layers = {{"a,b[1]", "fp16"}, {"c*", "fp32"}};
  const std::string rules = exact_rules(layers);
  EXPECT_EQ(rules, "a\\,b\\[1\\]=fp16,c\\*=fp32");
  const std::vector<PrecisionRule> parsed = parse_precision_rules(rules);
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_TRUE(glob_match(parsed[0].pattern, "a,b[1]"));
  EXPECT_FALSE(glob_match(parsed[1].pattern, "cx"));
  EXPECT_EQ(canonical_rules({" fc1* = fp32 ,fc2*=fp16", {}}), "fc1*=fp32,fc2*=fp16");
  EXPECT_EQ(canonical_rules({"", layers}), rules);
}

}  // namespace
}  // namespace rankrt
