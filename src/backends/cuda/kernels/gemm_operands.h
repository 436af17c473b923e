// Operand preparation for the GEMM precisions that do not take float32 activations directly:
// int8 / FP8 E4M3 quantization with a calibrated scale, and the hi/lo TF32 split of tf32x3.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>

#include "ops/host_device.h"

namespace rankrt::cuda {

// x rounded to the nearest TF32 value (10 explicit mantissa bits, ties to even); inf / NaN kept.
RANKRT_HOST_DEVICE inline float round_to_tf32(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  if ((bits & 0x7f800000u) != 0x7f800000u) {
    bits += 0xfffu + ((bits >> 13) & 1u);
    bits &= ~0x1fffu;
  }
  float r;
  std::memcpy(&r, &bits, sizeof r);
  return r;
}

enum class QuantKind : int { kInt8, kFp8E4M3 };

// Largest magnitude of each quantized type: int8 127 (symmetric), E4M3 448.
constexpr float quant_max(QuantKind k) { return k == QuantKind::kInt8 ? 127.0f : 448.0f; }

// q[r, c] = saturate(x[r, c] * inv_scale) for c < cols, 0 for cols <= c < ld (q holds int8 or
// E4M3 bytes, row stride ld).
void launch_quantize(QuantKind kind, const float* x, void* q, int64_t rows, int64_t cols, int64_t ld,
                     float inv_scale, cudaStream_t stream);

// x3[r] = [hi(x[r]) | hi(x[r]) | lo(x[r])] with hi = round_to_tf32(x), lo = round_to_tf32(x - hi):
// multiplied by [W_hi; W_lo; W_hi] in one TF32 GEMM it gives x·W to about float32 accuracy.
void launch_split_tf32(const float* x, float* x3, int64_t rows, int64_t cols, cudaStream_t stream);

}  // namespace rankrt::cuda
