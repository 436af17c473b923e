// Quantization (int8, FP8 E4M3) and TF32 hi/lo splitting of GEMM activations.
#include <cuda_fp8.h>

#include "backends/cuda/kernels/gemm_operands.h"
#include "backends/cuda/kernels/launch_util.h"

namespace rankrt::cuda {

namespace {

__global__ void quantize_kernel(QuantKind kind, const float* x, uint8_t* q, int64_t rows, int64_t cols,
                                int64_t ld, float inv_scale) {
  const int64_t n = rows * ld;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t r = i / ld, c = i - r * ld;
    const float v = c < cols ? x[r * cols + c] * inv_scale : 0.0f;
    if (kind == QuantKind::kInt8)
      q[i] = uint8_t(int8_t(__float2int_rn(fminf(fmaxf(v, -127.0f), 127.0f))));
    else
      q[i] = __nv_cvt_float_to_fp8(v, __NV_SATFINITE, __NV_E4M3);
  }
}

__global__ void split_tf32_kernel(const float* x, float* x3, int64_t rows, int64_t cols) {
  const int64_t n = rows * cols;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t r = i / cols, c = i - r * cols;
    const float hi = round_to_tf32(x[i]);
    float* row = x3 + r * 3 * cols;
    row[c] = hi;
    row[cols + c] = hi;
    row[2 * cols + c] = round_to_tf32(x[i] - hi);
  }
}

}  // namespace

void launch_quantize(QuantKind kind, const float* x, void* q, int64_t rows, int64_t cols, int64_t ld,
                     float inv_scale, cudaStream_t stream) {
  if (rows * ld == 0) return;
  quantize_kernel<<<grid_blocks(rows * ld, 256), 256, 0, stream>>>(kind, x, static_cast<uint8_t*>(q), rows,
                                                                   cols, ld, inv_scale);
}

void launch_split_tf32(const float* x, float* x3, int64_t rows, int64_t cols, cudaStream_t stream) {
  if (rows * cols == 0) return;
  split_tf32_kernel<<<grid_blocks(rows * cols, 256), 256, 0, stream>>>(x, x3, rows, cols);
}

}  // namespace rankrt::cuda
