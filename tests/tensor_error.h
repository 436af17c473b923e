// Random inputs and error measures of a computed tensor against a reference, shared by the CPU and
// GPU backend tests.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/tensor.h"

namespace rankrt::test {

inline Tensor random_tensor(std::mt19937& rng, DType dtype, std::vector<int64_t> dims, double lo = -1,
                            double hi = 1) {
  std::uniform_real_distribution<double> u(lo, hi);
  Tensor t(DType::kF64, std::move(dims));
  for (double& v : t.span<double>()) v = u(rng);
  return t.to(dtype);
}

// max |a-b| / max(|b|, floor) over all elements (NaN must match NaN).
inline double max_rel_error(const Tensor& a, const Tensor& b, double floor = 1e-3) {
  EXPECT_EQ(a.dims(), b.dims());
  if (a.dims() != b.dims()) return INFINITY;
  double worst = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double x = a.as_double(i), y = b.as_double(i);
    if (std::isnan(x) != std::isnan(y)) return INFINITY;
    if (std::isnan(x)) continue;
    worst = std::max(worst, std::abs(x - y) / std::max(std::abs(y), floor));
  }
  return worst;
}

// Normwise error max|a-b| / max|b| (float32 lands near 1e-7, tf32/fp16 near 1e-3, bf16 and int8
// Dense layers near 1e-2).
inline double normwise_error(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.dims(), b.dims());
  double worst = 0, scale = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double x = a.as_double(i), y = b.as_double(i);
    if (std::isnan(x) != std::isnan(y)) return INFINITY;
    if (std::isnan(x)) continue;
    worst = std::max(worst, std::abs(x - y));
    scale = std::max(scale, std::abs(y));
  }
  return scale > 0 ? worst / scale : worst;
}

}  // namespace rankrt::test
