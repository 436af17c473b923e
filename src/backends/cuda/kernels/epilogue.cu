// Fused GEMM epilogue: bias add and activation (ReLU, PReLU, sigmoid, tanh, Dice) in one pass.
#include "backends/cuda/kernels/kernels.h"

namespace rankrt::cuda {

namespace {

__device__ __forceinline__ float load(ColumnParam p, int64_t r, int64_t c) {
  return p.data ? p.data[r * p.row_stride + c * p.col_stride] : 0.0f;
}

__global__ void bias_activation_kernel(float* y, int64_t rows, int64_t cols, ColumnParam bias, Activation act,
                                       ColumnParam p0, ColumnParam p1, ColumnParam p2) {
  const int64_t n = rows * cols;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t r = i / cols, c = i - r * cols;
    float v = y[i] + load(bias, r, c);
    switch (act) {
      case Activation::kNone:
        break;
      case Activation::kRelu:
        v = fmaxf(v, 0.0f);
        break;
      case Activation::kPrelu:
        v = v > 0.0f ? v : load(p0, r, c) * v;
        break;
      case Activation::kSigmoid:
        v = 1.0f / (1.0f + expf(-v));
        break;
      case Activation::kTanh:
        v = tanhf(v);
        break;
      case Activation::kDice: {
        const float p = 1.0f / (1.0f + expf(-(load(p1, r, c) * (v - load(p2, r, c)))));
        v = load(p0, r, c) * (1.0f - p) * v + p * v;
        break;
      }
    }
    y[i] = v;
  }
}

}  // namespace

void launch_bias_activation(float* y, int64_t rows, int64_t cols, ColumnParam bias, Activation act,
                            ColumnParam p0, ColumnParam p1, ColumnParam p2, cudaStream_t stream) {
  const int64_t n = rows * cols;
  if (n == 0) return;
  const int threads = 256;
  const int blocks = int((n + threads - 1) / threads < 4096 ? (n + threads - 1) / threads : 4096);
  bias_activation_kernel<<<blocks, threads, 0, stream>>>(y, rows, cols, bias, act, p0, p1, p2);
}

}  // namespace rankrt::cuda
