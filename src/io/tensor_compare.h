// Elementwise comparison of an output tensor with a reference (ONNX test-case criterion).
#pragma once
#include <cstdint>
#include <string>

#include "core/tensor.h"

namespace rankrt {

struct TensorComparison {
  double max_abs_err = 0;  // over all elements
  double max_rel_err = 0;  // |out - ref| / |ref| over elements with ref != 0
  int64_t mismatches = 0;  // elements failing the criterion
  int64_t first_mismatch = -1;
  std::string problem;  // set when the dims differ (then nothing is compared)
  bool pass = true;
};

// Floats pass when |out - ref| <= atol + rtol * |ref| (NaN matches NaN, an infinity only the same
// infinity); integers and bools must be equal. Values are compared whatever the storage dtypes.
TensorComparison compare_tensors(const Tensor& out, const Tensor& ref, double rtol, double atol);

}  // namespace rankrt
