// Tests of Pad: every mode (constant, edge, reflect, wrap) against an independent NumPy-style
// reference, negative pads, the opset-18 axes input, integer dtypes, symbolic shape inference and
// clear errors.
#include <gtest/gtest.h>

#include "ops/op_test_util.h"

namespace rankrt {
namespace {

using test::error_code;
using test::infer_single_op;
using test::ints;
using test::random_tensor;
using test::run_op;
using test::state;

const Dim kN = Dim::sym("N");

// NumPy's np.pad index of output coordinate o on an axis of `size` padded by `before`, or -1
// (written independently of ops/pad_index.h: reflection by walking back and forth).
int64_t numpy_index(const std::string& mode, int64_t o, int64_t before, int64_t size) {
  int64_t i = o - before;
  if (i >= 0 && i < size) return i;
  if (mode == "constant") return -1;
  if (mode == "edge") return i < 0 ? 0 : size - 1;
  if (mode == "wrap") return ((i % size) + size) % size;
  if (size == 1) return 0;
  while (i < 0 || i >= size) i = i < 0 ? -i : 2 * (size - 1) - i;
  return i;
}

// The expected output of a 2-D pad (pads as ONNX: begin0, begin1, end0, end1).
std::vector<double> expected_pad(const Tensor& x, const std::string& mode, const std::vector<int64_t>& pads,
                                 double value) {
  const int64_t r = x.dims()[0], c = x.dims()[1];
  std::vector<double> out;
  for (int64_t i = 0; i < r + pads[0] + pads[2]; ++i)
    for (int64_t j = 0; j < c + pads[1] + pads[3]; ++j) {
      const int64_t si = numpy_index(mode, i, pads[0], r), sj = numpy_index(mode, j, pads[1], c);
      out.push_back(si < 0 || sj < 0 ? value : x.as_double(si * c + sj));
    }
  return out;
}

TEST(PadOp, EveryModeAgainstNumpy) {
  const Tensor x = random_tensor(DType::kF32, {3, 4});
  const std::vector<std::vector<int64_t>> cases = {{0, 1, 0, 0}, {1, 2, 2, 1},   {0, 0, 0, 0},
                                                   {2, 7, 5, 9}, {-1, 1, 0, -2}, {1, -3, -1, 2}};
  for (const std::string mode : {"constant", "edge", "reflect", "wrap"})
    for (const std::vector<int64_t>& pads : cases)
      for (DType t : {DType::kF32, DType::kF64}) {
        const Tensor value = Tensor::scalar<float>(1e-7f);
        const Tensor y = run_op("Pad", {x, ints(pads), value}, {{"mode", mode}}, t);
        test::expect_tensor_near(y, {3 + pads[0] + pads[2], 4 + pads[1] + pads[3]},
                                 expected_pad(x, mode, pads, double(1e-7f)), 0.0);
      }
}

TEST(PadOp, DefaultValueAxesInputAndIntegers) {
  const Tensor x = random_tensor(DType::kI64, {2, 3}, -50, 50);
  // No constant_value: zeros.
  test::expect_tensor_near(run_op("Pad", {x, ints({1, 0, 0, 1})}, {}, DType::kF32), {3, 4},
                           expected_pad(x, "constant", {1, 0, 0, 1}, 0.0), 0.0);
  // Opset 18 axes (negative): only the last axis.
  const Tensor seven = Tensor::scalar<int64_t>(7);
  test::expect_tensor_near(run_op("Pad", {x, ints({2, 1}), seven, ints({-1})}, {}, DType::kF32), {2, 6},
                           expected_pad(x, "constant", {0, 2, 0, 1}, 7.0), 0.0);
  const Tensor b = x.to(DType::kBool);
  EXPECT_EQ(run_op("Pad", {b, ints({0, 1, 0, 1})}, {{"mode", std::string("edge")}}, DType::kF32).dims(),
            (std::vector<int64_t>{2, 5}));
}

TEST(PadOp, SymbolicInference) {
  const Tensor pads = ints({0, 1, 0, 0}), both = ints({1, 1, 0, 0}), zero_sum = ints({0, 2, 0, -2});
  const ValueState x = state(DType::kF32, {kN, 1});
  ValueState p = test::constant_state(pads);
  EXPECT_EQ(infer_single_op("Pad", {&x, &p}, {})[0].shape, (Shape{kN, 2}));
  p = test::constant_state(both);
  EXPECT_EQ(infer_single_op("Pad", {&x, &p}, {})[0].shape, (Shape{Dim(), 2}));
  const ValueState wide = state(DType::kF32, {kN, 4});
  p = test::constant_state(zero_sum);
  EXPECT_EQ(infer_single_op("Pad", {&wide, &p}, {})[0].shape, (Shape{kN, 4}));
  // Unknown pads: unknown sizes, or only on the given axes.
  const ValueState unknown = state(DType::kI64, {4});
  EXPECT_EQ(infer_single_op("Pad", {&x, &unknown}, {})[0].shape, (Shape{Dim(), Dim()}));
  const Tensor axis1 = ints({1});
  const ValueState axes = test::constant_state(axis1), two = state(DType::kI64, {2});
  EXPECT_EQ(infer_single_op("Pad", {&x, &two, nullptr, &axes}, {})[0].shape, (Shape{kN, Dim()}));
}

TEST(PadOp, ClearErrors) {
  const Tensor x = random_tensor(DType::kF32, {2, 3});
  EXPECT_EQ(error_code([&] { run_op("Pad", {x, ints({1, 1})}, {}, DType::kF32); }), ErrorCode::kShape);
  EXPECT_EQ(error_code([&] { run_op("Pad", {x, ints({0, -4, 0, 0})}, {}, DType::kF32); }), ErrorCode::kShape);
  EXPECT_EQ(error_code([&] {
              run_op("Pad", {x, ints({0, 1, 0, 0})}, {{"mode", std::string("mirror")}}, DType::kF32);
            }),
            ErrorCode::kUnsupported);
  EXPECT_EQ(error_code([&] {
              run_op("Pad", {x, ints({0, 1, 0, 0}), Tensor::scalar<double>(1.0)}, {}, DType::kF32);
            }),
            ErrorCode::kShape);
  EXPECT_EQ(error_code([&] {
              run_op("Pad", {x, ints({1, 1}), Tensor(), ints({1, -1})}, {}, DType::kF32);
            }),
            ErrorCode::kShape);
  const Tensor empty = Tensor(DType::kF32, {2, 0});
  EXPECT_EQ(error_code([&] {
              run_op("Pad", {empty, ints({0, 1, 0, 0})}, {{"mode", std::string("reflect")}}, DType::kF32);
            }),
            ErrorCode::kShape);
  try {
    run_op("Pad", {x, ints({1, 1, 1})}, {}, DType::kF32);
    ADD_FAILURE() << "no error thrown";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "node 'node' (Pad): pads [1,1,1] has 3 entries, expected 4 (2 per padded axis)");
  }
}

}  // namespace
}  // namespace rankrt
