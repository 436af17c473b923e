// Element types of rankrt tensors and their properties.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rankrt {

enum class DType : uint8_t { kF32, kF16, kBF16, kF64, kI8, kU8, kI32, kI64, kBool };

size_t dtype_size(DType t);
std::string_view dtype_name(DType t);      // "float32", "float16", ...
DType parse_dtype(std::string_view name);  // throws kUsage on an unknown name
bool is_float(DType t);
bool is_integer(DType t);

template <typename T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
  return DType::kF32;
}
template <>
constexpr DType dtype_of<double>() {
  return DType::kF64;
}
template <>
constexpr DType dtype_of<int8_t>() {
  return DType::kI8;
}
template <>
constexpr DType dtype_of<uint8_t>() {
  return DType::kU8;
}
template <>
constexpr DType dtype_of<int32_t>() {
  return DType::kI32;
}
template <>
constexpr DType dtype_of<int64_t>() {
  return DType::kI64;
}
template <>
constexpr DType dtype_of<bool>() {
  return DType::kBool;
}

}  // namespace rankrt
