// NumPy .npy array encoding (format versions 1-3, little-endian, C order) of tensors and string lists.
#pragma once
#include <string>
#include <vector>

#include "core/tensor.h"

namespace rankrt {

// A parsed .npy file: its dtype descriptor (e.g. "<f4"), shape and raw element bytes.
struct NpyArray {
  std::string descr;
  std::vector<int64_t> shape;
  std::string data;
};

// Parses .npy bytes; throws kParse naming `what` on a bad magic/header, Fortran order or a
// payload size not matching the shape.
NpyArray parse_npy(const std::string& bytes, const std::string& what);
// Converts to a tensor ('<f4' '<f2' '<f8' '<i4' '<i8' '|i1' '|u1' '|b1'; others throw kUnsupported).
Tensor npy_to_tensor(const NpyArray& array, const std::string& what);
// Converts a 1-D NumPy unicode array ('<U<n>') to UTF-8 strings.
std::vector<std::string> npy_to_strings(const NpyArray& array, const std::string& what);

std::string encode_npy(const Tensor& tensor);  // bfloat16 throws kUnsupported (NumPy has no bfloat16)
std::string encode_npy(const std::vector<std::string>& strings);  // as a '<U<n>' array

}  // namespace rankrt
