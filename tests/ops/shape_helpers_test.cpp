// Symbolic evaluation of small integer values: comparisons of known integers, symbols (sizes, so
// >= 0) and unknown elements; propagate_symbolic's broadcasting, wrapping and what it leaves unknown.
#include "ops/shape_helpers.h"

#include <limits>

#include "op_test_util.h"

namespace rankrt::test {
namespace {

SymbolicInt sym(const std::string& name) {
  SymbolicInt s;
  s.symbol = name;
  return s;
}

TEST(SymbolicInt, ComparisonsDecideWhatTheRangesDecide) {
  const SymbolicInt n = sym("N"), m = sym("M"), unknown;
  EXPECT_EQ(symbolic_less(3, 4), true);
  EXPECT_EQ(symbolic_less(3, 3), false);
  EXPECT_EQ(symbolic_equal(-1, -1), true);
  EXPECT_EQ(symbolic_equal(n, n), true);
  EXPECT_EQ(symbolic_less(n, n), false);
  EXPECT_EQ(symbolic_equal(n, -1), false);
  EXPECT_EQ(symbolic_less(-1, n), true);
  EXPECT_EQ(symbolic_less(n, 0), false);
  // N may be 0 (the reference executor runs empty requests) and two symbols may be equal.
  EXPECT_EQ(symbolic_equal(n, 0), std::nullopt);
  EXPECT_EQ(symbolic_less(0, n), std::nullopt);
  EXPECT_EQ(symbolic_equal(n, m), std::nullopt);
  EXPECT_EQ(symbolic_less(n, m), std::nullopt);
  EXPECT_EQ(symbolic_equal(unknown, unknown), std::nullopt);
  EXPECT_EQ(symbolic_less(unknown, 0), std::nullopt);
  EXPECT_EQ(symbolic_less(unknown, std::numeric_limits<int64_t>::min()), false);
  EXPECT_TRUE(n.same_as(sym("N")));
  EXPECT_FALSE(unknown.same_as(unknown));
}

// Runs propagate_symbolic for a node with the given inputs and output dtype / shape.
std::optional<Shape> propagate(const std::vector<const ValueState*>& inputs, DType dtype, Shape shape,
                               const SymbolicRule& rule) {
  const Node node{"node", "Test", {}, {"y"}, {}};
  InferContext ctx(node, inputs, 1);
  ctx.output(0) = state(dtype, std::move(shape));
  std::vector<size_t> all;
  for (size_t i = 0; i < inputs.size(); ++i) all.push_back(i);
  propagate_symbolic(ctx, all, rule);
  return ctx.output(0).shape_value;
}

TEST(SymbolicInt, PropagateBroadcastsWrapsAndDropsWhatIsNoDim) {
  const Dim n = Dim::sym("N");
  const ValueState dims = shape_value_state({n, 300, 2});
  const Tensor scalar = Tensor::scalar<int64_t>(-1), pair = ints({1, 2});
  const ValueState one = constant_state(scalar), two = constant_state(pair);
  const SymbolicRule first = [](std::span<const SymbolicInt> a) { return a[0]; };
  const SymbolicRule second = [](std::span<const SymbolicInt> a) { return a[1]; };
  EXPECT_EQ(propagate({&dims, &one}, DType::kI64, {3}, first), (Shape{n, 300, 2}));
  // -1 is no dim: unknown.
  EXPECT_EQ(propagate({&dims, &one}, DType::kI64, {3}, second), (Shape{Dim(), Dim(), Dim()}));
  // Results wrap to the output dtype; a symbol does not fit in a byte.
  EXPECT_EQ(propagate({&dims}, DType::kU8, {3}, first), (Shape{Dim(), 44, 2}));
  EXPECT_EQ(propagate({&dims}, DType::kI32, {3}, first), (Shape{n, 300, 2}));
  // No value: sizes that do not broadcast, float or higher-rank outputs, an input of unknown value.
  EXPECT_FALSE(propagate({&dims, &two}, DType::kI64, {3}, first));
  EXPECT_FALSE(propagate({&dims}, DType::kF32, {3}, first));
  EXPECT_FALSE(propagate({&dims}, DType::kI64, {3, 1}, first));
  const ValueState opaque = state(DType::kI64, {3});
  EXPECT_FALSE(propagate({&dims, &opaque}, DType::kI64, {3}, first));
}

}  // namespace
}  // namespace rankrt::test
