// Data-movement kernels: grid-stride gathers through stride tables and index tensors, and Pad.
#include <cstring>

#include "backends/cuda/kernels/launch_util.h"
#include "backends/cuda/kernels/movement.h"

namespace rankrt::cuda {

namespace {

template <typename T>
__global__ void strided_copy_kernel(const T* in, T* out, int64_t n, StridedIndex ix) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = i, offset = ix.base;
    for (int d = ix.rank - 1; d >= 0; --d) {
      const int64_t q = rest / ix.dims[d];
      offset += ((rest - q * ix.dims[d]) % ix.modulus[d]) * ix.stride[d];
      rest = q;
    }
    out[i] = in[offset];
  }
}

template <typename T, typename I>
__global__ void gather_kernel(const T* data, const I* indices, T* out, int64_t axis, int64_t count,
                              int64_t inner, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t in_pos = i % inner, j = (i / inner) % count, o = i / (inner * count);
    int64_t k = int64_t(indices[j]);
    if (k < 0) k += axis;
    k = k < 0 ? 0 : (k >= axis ? axis - 1 : k);
    out[i] = data[(o * axis + k) * inner + in_pos];
  }
}

template <typename T>
__global__ void pad_kernel(const T* in, T* out, int64_t n, PadIndex ix) {
  T value;
  memcpy(&value, &ix.value, sizeof value);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = i, offset = 0, stride = 1;
    bool inside = true;
    for (int d = ix.rank - 1; d >= 0; --d) {
      const int64_t q = rest / ix.out_dims[d];
      const int64_t s = pad_source(ix.mode, rest - q * ix.out_dims[d], ix.begin[d], ix.in_dims[d]);
      inside = inside && s >= 0;
      offset += s * stride;
      stride *= ix.in_dims[d];
      rest = q;
    }
    out[i] = inside ? in[offset] : value;
  }
}

template <typename T>
void pad(const void* in, void* out, int64_t n, const PadIndex& ix, cudaStream_t stream) {
  pad_kernel<T>
      <<<grid_blocks(n, 256), 256, 0, stream>>>(static_cast<const T*>(in), static_cast<T*>(out), n, ix);
}

template <typename T>
void strided(const void* in, void* out, int64_t n, const StridedIndex& ix, cudaStream_t stream) {
  strided_copy_kernel<T>
      <<<grid_blocks(n, 256), 256, 0, stream>>>(static_cast<const T*>(in), static_cast<T*>(out), n, ix);
}

template <typename T>
void gather(const void* data, const void* indices, bool indices_64, void* out, int64_t axis, int64_t count,
            int64_t inner, int64_t n, cudaStream_t stream) {
  const int blocks = grid_blocks(n, 256);
  if (indices_64) {
    gather_kernel<<<blocks, 256, 0, stream>>>(static_cast<const T*>(data),
                                              static_cast<const int64_t*>(indices), static_cast<T*>(out),
                                              axis, count, inner, n);
  } else {
    gather_kernel<<<blocks, 256, 0, stream>>>(static_cast<const T*>(data),
                                              static_cast<const int32_t*>(indices), static_cast<T*>(out),
                                              axis, count, inner, n);
  }
}

}  // namespace

void launch_strided_copy(const void* in, void* out, int64_t n, int elem_bytes, const StridedIndex& index,
                         cudaStream_t stream) {
  if (n == 0) return;
  switch (elem_bytes) {
    case 1:
      return strided<uint8_t>(in, out, n, index, stream);
    case 2:
      return strided<uint16_t>(in, out, n, index, stream);
    case 4:
      return strided<uint32_t>(in, out, n, index, stream);
    default:
      return strided<uint64_t>(in, out, n, index, stream);
  }
}

void launch_gather(const void* data, const void* indices, bool indices_64, void* out, int elem_bytes,
                   int64_t outer, int64_t axis, int64_t count, int64_t inner, cudaStream_t stream) {
  const int64_t n = outer * count * inner;
  if (n == 0 || axis == 0) return;
  switch (elem_bytes) {
    case 1:
      return gather<uint8_t>(data, indices, indices_64, out, axis, count, inner, n, stream);
    case 2:
      return gather<uint16_t>(data, indices, indices_64, out, axis, count, inner, n, stream);
    case 4:
      return gather<uint32_t>(data, indices, indices_64, out, axis, count, inner, n, stream);
    default:
      return gather<uint64_t>(data, indices, indices_64, out, axis, count, inner, n, stream);
  }
}

void launch_pad(const void* in, void* out, int64_t n, int elem_bytes, const PadIndex& index,
                cudaStream_t stream) {
  if (n == 0) return;
  switch (elem_bytes) {
    case 1:
      return pad<uint8_t>(in, out, n, index, stream);
    case 2:
      return pad<uint16_t>(in, out, n, index, stream);
    case 4:
      return pad<uint32_t>(in, out, n, index, stream);
    default:
      return pad<uint64_t>(in, out, n, index, stream);
  }
}

}  // namespace rankrt::cuda
