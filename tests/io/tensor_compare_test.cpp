// compare_tensors: tolerance criterion, NaN/infinity handling, exact integers, dims mismatch.
#include "io/tensor_compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace rankrt {
namespace {

TEST(TensorCompare, FloatsWithinAbsolutePlusRelativeTolerance) {
  Tensor ref = Tensor::from_vector<double>({3}, {1.0, -200.0, 0.0});
  Tensor out = Tensor::from_vector<float>({3}, {1.0005f, -200.15f, 5e-6f});
  TensorComparison c = compare_tensors(out, ref, 1e-3, 1e-5);
  EXPECT_TRUE(c.pass);
  EXPECT_NEAR(c.max_abs_err, 0.15, 1e-4);
  EXPECT_NEAR(c.max_rel_err, 0.15 / 200, 1e-6);

  c = compare_tensors(Tensor::from_vector<float>({3}, {1.0f, -200.0f, 2e-5f}), ref, 1e-3, 1e-5);
  EXPECT_FALSE(c.pass);
  EXPECT_EQ(c.mismatches, 1);
  EXPECT_EQ(c.first_mismatch, 2);
}

TEST(TensorCompare, NanMatchesNanAndInfinitiesMustBeEqual) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = HUGE_VAL;
  Tensor ref = Tensor::from_vector<double>({3}, {nan, inf, -inf});
  EXPECT_TRUE(compare_tensors(Tensor::from_vector<double>({3}, {nan, inf, -inf}), ref, 1e-3, 1e-5).pass);
  TensorComparison c = compare_tensors(Tensor::from_vector<double>({3}, {1.0, inf, inf}), ref, 1e-3, 1e-5);
  EXPECT_EQ(c.mismatches, 2);
  EXPECT_EQ(c.first_mismatch, 0);
  EXPECT_TRUE(std::isinf(c.max_abs_err));
}

TEST(TensorCompare, IntegersAndBoolsAreExact) {
  Tensor ref = Tensor::from_vector<int64_t>({2}, {7, -3});
  EXPECT_TRUE(compare_tensors(Tensor::from_vector<int64_t>({2}, {7, -3}), ref, 1.0, 1.0).pass);
  EXPECT_FALSE(compare_tensors(Tensor::from_vector<int64_t>({2}, {7, -2}), ref, 1.0, 1.0).pass);
  Tensor flags = Tensor::from_vector<bool>({2}, {true, false});
  EXPECT_FALSE(compare_tensors(Tensor::from_vector<bool>({2}, {true, true}), flags, 1.0, 1.0).pass);
}

TEST(TensorCompare, DimsMismatchIsAProblem) {
  TensorComparison c = compare_tensors(Tensor(DType::kF32, {2, 3}), Tensor(DType::kF32, {3, 2}), 1e-3, 1e-5);
  EXPECT_FALSE(c.pass);
  EXPECT_NE(c.problem.find("[3,2]"), std::string::npos) << c.problem;
}

}  // namespace
}  // namespace rankrt
