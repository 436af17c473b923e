// Launchers of the data-movement kernels: strided / modular gathers (Transpose, Slice, Split,
// Tile), Gather by an index tensor and Pad. Element-size generic (1, 2, 4 or 8 bytes).
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "backends/cuda/kernels/kernels.h"
#include "ops/pad_index.h"

namespace rankrt::cuda {

// out[i] = in[base + sum_d (coord_d(i) % modulus[d]) * stride[d]] over the output dims
// (strides in elements, may be negative; modulus = the output dim unless tiling).
struct StridedIndex {
  int rank = 0;
  int64_t dims[kMaxRank] = {};
  int64_t modulus[kMaxRank] = {};
  int64_t stride[kMaxRank] = {};
  int64_t base = 0;
};

void launch_strided_copy(const void* in, void* out, int64_t n, int elem_bytes, const StridedIndex& index,
                         cudaStream_t stream);

// out[o, j, i] = data[o, idx[j], i] for data [outer, axis, inner] and `count` indices (int32 or
// int64; negative ones count from the end, out-of-range ones are clamped).
void launch_gather(const void* data, const void* indices, bool indices_64, void* out, int elem_bytes,
                   int64_t outer, int64_t axis, int64_t count, int64_t inner, cudaStream_t stream);

// out[i] = Pad(in) over the output dims (ops/pad_index.h): begin[d] elements before axis d of the
// input (negative: cropped), `value` (the constant's bytes) where the output holds the constant.
struct PadIndex {
  int rank = 0;
  int64_t out_dims[kMaxRank] = {};
  int64_t in_dims[kMaxRank] = {};
  int64_t begin[kMaxRank] = {};
  PadMode mode = PadMode::kConstant;
  uint64_t value = 0;
};

void launch_pad(const void* in, void* out, int64_t n, int elem_bytes, const PadIndex& index,
                cudaStream_t stream);

}  // namespace rankrt::cuda
