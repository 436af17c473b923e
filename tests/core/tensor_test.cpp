// Tensor storage, reshape and dtype conversion.
#include "core/tensor.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace rankrt {

TEST(Tensor, ConvertsBetweenDtypes) {
  Tensor f = Tensor::from_vector<float>({2, 2}, {1.5f, -2.25f, 3.0f, 1e9f});
  Tensor h = f.to(DType::kF16);
  EXPECT_EQ(h.nbytes(), 8u);
  EXPECT_EQ(h.as_double(1), -2.25);
  Tensor i = f.to(DType::kI32);
  EXPECT_EQ(i.as_int64(0), 1);
  EXPECT_EQ(i.as_int64(1), -2);
  Tensor d = Tensor::from_vector<int64_t>({3}, {1, 2, 3}).to(DType::kF64);
  EXPECT_EQ(d.data<double>()[2], 3.0);
}

TEST(Tensor, ReshapeKeepsStorageAndChecksCount) {
  Tensor t = Tensor::from_vector<int32_t>({2, 3}, {0, 1, 2, 3, 4, 5});
  Tensor r = t.reshaped({3, 2});
  EXPECT_EQ(r.data<int32_t>(), t.data<int32_t>());
  EXPECT_THROW(t.reshaped({4}), Error);
}

TEST(Tensor, ZeroSizedTensorsAreValid) {
  Tensor t(DType::kF32, {0, 4});
  EXPECT_EQ(t.numel(), 0);
  EXPECT_FALSE(t.empty());
}

}  // namespace rankrt
