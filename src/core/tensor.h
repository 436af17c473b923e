// Host tensor: dtype, concrete dims and a shared, 64-byte aligned buffer.
#pragma once
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "core/dtype.h"
#include "core/shape.h"

namespace rankrt {

class Tensor {
 public:
  Tensor() = default;
  // Allocates zero-filled storage.
  Tensor(DType dtype, std::vector<int64_t> dims);

  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& dims() const { return dims_; }
  int64_t rank() const { return int64_t(dims_.size()); }
  int64_t numel() const { return num_elements(dims_); }
  size_t nbytes() const { return size_t(numel()) * dtype_size(dtype_); }
  bool empty() const { return !storage_; }

  void* raw() { return storage_.get(); }
  const void* raw() const { return storage_.get(); }
  template <typename T>
  T* data() {
    return static_cast<T*>(raw());
  }
  template <typename T>
  const T* data() const {
    return static_cast<const T*>(raw());
  }
  template <typename T>
  std::span<T> span() {
    return {data<T>(), size_t(numel())};
  }
  template <typename T>
  std::span<const T> span() const {
    return {data<T>(), size_t(numel())};
  }

  // Same storage, new dims with the same element count.
  Tensor reshaped(std::vector<int64_t> dims) const;
  // Deep copy.
  Tensor clone() const;
  // Converts to another dtype (float <-> half/bf16 rounding to nearest even; float -> int truncates).
  Tensor to(DType target) const;
  // Element i converted to double / int64, whatever the dtype.
  double as_double(int64_t i) const;
  int64_t as_int64(int64_t i) const;
  // A 1-D or scalar integer tensor as a vector.
  std::vector<int64_t> to_int64_vector() const;

  template <typename T>
  static Tensor from_vector(std::vector<int64_t> dims, const std::vector<T>& values) {
    Tensor t(dtype_of<T>(), std::move(dims));
    if constexpr (std::is_same_v<T, bool>) {
      for (size_t i = 0; i < values.size(); ++i) t.data<bool>()[i] = values[i];
    } else {
      if (!values.empty()) std::memcpy(t.raw(), values.data(), values.size() * sizeof(T));
    }
    return t;
  }
  template <typename T>
  static Tensor scalar(T v) {
    return from_vector<T>({}, std::vector<T>{v});
  }

 private:
  DType dtype_ = DType::kF32;
  std::vector<int64_t> dims_;
  std::shared_ptr<std::byte> storage_;
};

}  // namespace rankrt
