// Launchers of the pointwise kernels beyond launch_unary / launch_binary: Clip, Gelu, per-channel
// affine (inference BatchNormalization) and Where (three-way broadcast).
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "backends/cuda/kernels/kernels.h"

namespace rankrt::cuda {

enum class PointwiseOp : int { kClip, kGeluErf, kGeluTanh };

// out[i] = op(x[i]; a, b) over contiguous tensors (Clip: a = min, b = max).
void launch_pointwise(PointwiseOp op, const float* x, float* out, int64_t n, float a, float b,
                      cudaStream_t stream);

// out[i] = x[i] * mul[c] + add[c] with c = (i / inner) % channels.
void launch_channel_affine(const float* x, const float* mul, const float* add, float* out, int64_t n,
                           int64_t channels, int64_t inner, cudaStream_t stream);

// Output dims and per-operand element strides (0 = broadcast) for condition, x and y.
struct WhereIndex {
  int rank = 0;
  int64_t dims[kMaxRank] = {};
  int64_t cond[kMaxRank] = {};
  int64_t x[kMaxRank] = {};
  int64_t y[kMaxRank] = {};
};

// out[i] = cond[i] ? x[i] : y[i] (cond holds 1-byte bools).
void launch_where(const bool* cond, const float* x, const float* y, float* out, int64_t n,
                  const WhereIndex& index, cudaStream_t stream);

}  // namespace rankrt::cuda
