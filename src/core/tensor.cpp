// Tensor storage and dtype conversion.
#include "core/tensor.h"

#include <cstdlib>
#include <new>

#include "core/error.h"
#include "core/half.h"

namespace rankrt {

namespace {

std::shared_ptr<std::byte> allocate(size_t bytes) {
  size_t rounded = (bytes + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, rounded ? rounded : 64);
  if (!p) throw std::bad_alloc();
  std::memset(p, 0, rounded ? rounded : 64);
  return std::shared_ptr<std::byte>(static_cast<std::byte*>(p), [](std::byte* q) { std::free(q); });
}

double load_double(DType t, const void* base, int64_t i) {
  switch (t) {
    case DType::kF32:
      return static_cast<const float*>(base)[i];
    case DType::kF64:
      return static_cast<const double*>(base)[i];
    case DType::kF16:
      return half_to_float(static_cast<const uint16_t*>(base)[i]);
    case DType::kBF16:
      return bf16_to_float(static_cast<const uint16_t*>(base)[i]);
    case DType::kI8:
      return static_cast<const int8_t*>(base)[i];
    case DType::kU8:
      return static_cast<const uint8_t*>(base)[i];
    case DType::kI32:
      return static_cast<const int32_t*>(base)[i];
    case DType::kI64:
      return double(static_cast<const int64_t*>(base)[i]);
    case DType::kBool:
      return static_cast<const bool*>(base)[i] ? 1.0 : 0.0;
  }
  return 0;
}

int64_t load_int64(DType t, const void* base, int64_t i) {
  switch (t) {
    case DType::kI8:
      return static_cast<const int8_t*>(base)[i];
    case DType::kU8:
      return static_cast<const uint8_t*>(base)[i];
    case DType::kI32:
      return static_cast<const int32_t*>(base)[i];
    case DType::kI64:
      return static_cast<const int64_t*>(base)[i];
    case DType::kBool:
      return static_cast<const bool*>(base)[i] ? 1 : 0;
    default:
      return int64_t(load_double(t, base, i));
  }
}

template <typename T>
T saturate_cast(double v) {
  if (std::isnan(v)) return T(0);
  return static_cast<T>(v);
}

void store(DType t, void* base, int64_t i, double v, int64_t iv, bool from_int) {
  switch (t) {
    case DType::kF32:
      static_cast<float*>(base)[i] = from_int ? float(iv) : float(v);
      break;
    case DType::kF64:
      static_cast<double*>(base)[i] = from_int ? double(iv) : v;
      break;
    case DType::kF16:
      static_cast<uint16_t*>(base)[i] = float_to_half(from_int ? float(iv) : float(v));
      break;
    case DType::kBF16:
      static_cast<uint16_t*>(base)[i] = float_to_bf16(from_int ? float(iv) : float(v));
      break;
    case DType::kI8:
      static_cast<int8_t*>(base)[i] = from_int ? int8_t(iv) : saturate_cast<int8_t>(v);
      break;
    case DType::kU8:
      static_cast<uint8_t*>(base)[i] = from_int ? uint8_t(iv) : saturate_cast<uint8_t>(v);
      break;
    case DType::kI32:
      static_cast<int32_t*>(base)[i] = from_int ? int32_t(iv) : saturate_cast<int32_t>(v);
      break;
    case DType::kI64:
      static_cast<int64_t*>(base)[i] = from_int ? iv : saturate_cast<int64_t>(v);
      break;
    case DType::kBool:
      static_cast<bool*>(base)[i] = from_int ? iv != 0 : v != 0.0;
      break;
  }
}

}  // namespace

Tensor::Tensor(DType dtype, std::vector<int64_t> dims) : dtype_(dtype), dims_(std::move(dims)) {
  for (int64_t d : dims_) {
    if (d < 0) fail(ErrorCode::kShape, "negative dimension in tensor shape {}", dims_to_string(dims_));
  }
  storage_ = allocate(nbytes());
}

Tensor Tensor::reshaped(std::vector<int64_t> dims) const {
  if (num_elements(dims) != numel()) {
    fail(ErrorCode::kShape, "cannot reshape {} to {}", dims_to_string(dims_), dims_to_string(dims));
  }
  Tensor t = *this;
  t.dims_ = std::move(dims);
  return t;
}

Tensor Tensor::clone() const {
  Tensor t(dtype_, dims_);
  if (nbytes()) std::memcpy(t.raw(), raw(), nbytes());
  return t;
}

Tensor Tensor::to(DType target) const {
  if (target == dtype_) return *this;
  Tensor out(target, dims_);
  const int64_t n = numel();
  const bool from_int = !is_float(dtype_);
  for (int64_t i = 0; i < n; ++i) {
    if (from_int) {
      store(target, out.raw(), i, 0.0, load_int64(dtype_, raw(), i), true);
    } else {
      store(target, out.raw(), i, load_double(dtype_, raw(), i), 0, false);
    }
  }
  return out;
}

double Tensor::as_double(int64_t i) const { return load_double(dtype_, raw(), i); }
int64_t Tensor::as_int64(int64_t i) const { return load_int64(dtype_, raw(), i); }

std::vector<int64_t> Tensor::to_int64_vector() const {
  std::vector<int64_t> v(static_cast<size_t>(numel()));
  for (int64_t i = 0; i < numel(); ++i) v[size_t(i)] = as_int64(i);
  return v;
}

}  // namespace rankrt
