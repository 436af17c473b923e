// promote_to_float64: every float value becomes float64, Casts to float16 keep their rounding, and
// the FP64 reference executor computes exactly the same outputs as on the original graph.
#include "passes/promote_to_float64.h"

#include "pass_test_util.h"

namespace rankrt::test {
namespace {

TEST(PromoteToFloat64, RetypesFloatsAndKeepsFloat16Rounding) {
  std::mt19937 rng = fresh_rng();
  GraphBuilder b;
  const std::string x = b.input("x", DType::kF16, {Dim::sym("N"), 4});
  const std::string ids = b.input("ids", DType::kI64, {Dim::sym("N"), 4});
  std::string y = b.node("Cast", {x}, {{"to", int64_t(DType::kF32)}});
  y = b.node("MatMul", {y, b.constant("w", random_tensor(DType::kF32, {4, 3}, rng))});
  const std::string rounded = b.node("Cast", {y}, {{"to", int64_t(DType::kF16)}}, "round");
  y = b.node("Cast", {rounded}, {{"to", int64_t(DType::kF32)}});
  const std::string fill =
      b.node("ConstantOfShape", {b.node("Shape", {y})}, {{"value", Tensor::from_vector<float>({1}, {0.1f})}});
  y = b.node("Add", {y, fill});
  y = b.node("Add", {y, b.node("Cast", {b.node("ReduceSum", {ids})}, {{"to", int64_t(DType::kF32)}})});
  const std::string norm =
      b.node("LayerNormalization", {y, b.constant("scale", random_tensor(DType::kF32, {3}, rng))});
  b.output(norm);
  const Graph before = b.build();
  const Graph after = promote_to_float64(before);

  EXPECT_EQ(after.find_input("x")->dtype, DType::kF64);
  EXPECT_EQ(after.find_input("ids")->dtype, DType::kI64);
  EXPECT_EQ(after.find_initializer("w")->dtype(), DType::kF64);
  for (const auto& [name, v] : after.value_info) {
    if (!is_float(v.dtype)) continue;
    EXPECT_EQ(v.dtype, name == "round/float16" ? DType::kF16 : DType::kF64) << name;
  }
  const std::optional<size_t> widen = after.producer("round");
  ASSERT_TRUE(widen);
  EXPECT_EQ(after.nodes[*widen].name, "round/to_float64");
  EXPECT_EQ(after.nodes[*widen].inputs, std::vector<std::string>{"round/float16"});

  const TensorMap inputs = random_inputs(before, {{"N", 5}}, rng);
  EXPECT_EQ(expect_equivalent(before, after, inputs, 0.0), 0.0);
}

}  // namespace
}  // namespace rankrt::test
