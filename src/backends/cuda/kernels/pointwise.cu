// Pointwise kernels: Clip, Gelu (erf and tanh forms), per-channel affine and Where.
#include "backends/cuda/kernels/launch_util.h"
#include "backends/cuda/kernels/pointwise.h"

namespace rankrt::cuda {

namespace {

__global__ void pointwise_kernel(PointwiseOp op, const float* x, float* out, int64_t n, float a, float b) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const float v = x[i];
    switch (op) {
      case PointwiseOp::kClip:
        out[i] = v != v ? v : fminf(fmaxf(v, a), b);
        break;
      case PointwiseOp::kGeluErf:
        out[i] = 0.5f * v * (1.0f + erff(v * 0.70710678118654752f));
        break;
      case PointwiseOp::kGeluTanh:
        out[i] = 0.5f * v * (1.0f + tanhf(0.79788456080286536f * (v + 0.044715f * v * v * v)));
        break;
    }
  }
}

__global__ void channel_affine_kernel(const float* x, const float* mul, const float* add, float* out,
                                      int64_t n, int64_t channels, int64_t inner) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t c = (i / inner) % channels;
    out[i] = x[i] * mul[c] + add[c];
  }
}

__global__ void where_kernel(const bool* cond, const float* x, const float* y, float* out, int64_t n,
                             WhereIndex ix) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = i, oc = 0, ox = 0, oy = 0;
    for (int d = ix.rank - 1; d >= 0; --d) {
      const int64_t q = rest / ix.dims[d], coord = rest - q * ix.dims[d];
      oc += coord * ix.cond[d];
      ox += coord * ix.x[d];
      oy += coord * ix.y[d];
      rest = q;
    }
    out[i] = cond[oc] ? x[ox] : y[oy];
  }
}

}  // namespace

void launch_pointwise(PointwiseOp op, const float* x, float* out, int64_t n, float a, float b,
                      cudaStream_t stream) {
  if (n == 0) return;
  pointwise_kernel<<<grid_blocks(n, 256), 256, 0, stream>>>(op, x, out, n, a, b);
}

void launch_channel_affine(const float* x, const float* mul, const float* add, float* out, int64_t n,
                           int64_t channels, int64_t inner, cudaStream_t stream) {
  if (n == 0) return;
  channel_affine_kernel<<<grid_blocks(n, 256), 256, 0, stream>>>(x, mul, add, out, n, channels, inner);
}

void launch_where(const bool* cond, const float* x, const float* y, float* out, int64_t n,
                  const WhereIndex& index, cudaStream_t stream) {
  if (n == 0) return;
  where_kernel<<<grid_blocks(n, 256), 256, 0, stream>>>(cond, x, y, out, n, index);
}

}  // namespace rankrt::cuda
