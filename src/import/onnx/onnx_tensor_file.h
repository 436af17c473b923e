// Reading ONNX TensorProto files (the input_*.pb / output_*.pb of ONNX test cases).
#pragma once
#include <string>

#include "core/tensor.h"

namespace rankrt {

struct NamedTensor {
  std::string name;  // the proto's name; may be empty
  Tensor tensor;
};

// Throws kIo for a missing file, kParse for a corrupt one and kUnsupported for an unsupported
// element type; every message starts with the path.
NamedTensor read_onnx_tensor_file(const std::string& path);

}  // namespace rankrt
