// RAII owners of device memory (cudaMalloc) and pinned host memory (cudaMallocHost).
#pragma once
#include <cstddef>
#include <utility>

#include "backends/cuda/cuda_check.h"

namespace rankrt::cuda {

template <bool kPinnedHost>
class Buffer {
 public:
  Buffer() = default;
  Buffer(size_t bytes, const std::string& what) : bytes_(bytes) {
    if (bytes == 0) return;
    if constexpr (kPinnedHost) {
      check(cudaMallocHost(&ptr_, bytes), "cudaMallocHost", what);
    } else {
      check(cudaMalloc(&ptr_, bytes), "cudaMalloc", what);
    }
  }
  Buffer(Buffer&& o) noexcept : ptr_(std::exchange(o.ptr_, nullptr)), bytes_(std::exchange(o.bytes_, 0)) {}
  Buffer& operator=(Buffer&& o) noexcept {
    std::swap(ptr_, o.ptr_);
    std::swap(bytes_, o.bytes_);
    return *this;
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() {
    if (!ptr_) return;
    if constexpr (kPinnedHost) {
      cudaFreeHost(ptr_);
    } else {
      cudaFree(ptr_);
    }
  }

  void* get() const { return ptr_; }
  template <typename T>
  T* as() const {
    return static_cast<T*>(ptr_);
  }
  size_t bytes() const { return bytes_; }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

using DeviceBuffer = Buffer<false>;
using PinnedBuffer = Buffer<true>;

}  // namespace rankrt::cuda
