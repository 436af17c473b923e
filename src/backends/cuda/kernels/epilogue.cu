// Fused GEMM epilogue: dequantization, bias add and activation (ReLU, PReLU, sigmoid, tanh, Dice) in
// one pass;
// and score heads (two Dense layers, the hidden values kept in double).
#include "backends/cuda/kernels/kernels.h"

namespace rankrt::cuda {

namespace {

__device__ __forceinline__ float load(ColumnParam p, int64_t r, int64_t c) {
  return p.data ? p.data[r * p.row_stride + c * p.col_stride] : 0.0f;
}

__device__ __forceinline__ float sigmoid(float v) { return 1.0f / (1.0f + expf(-v)); }
__device__ __forceinline__ double sigmoid(double v) { return 1.0 / (1.0 + exp(-v)); }
__device__ __forceinline__ float hyperbolic_tangent(float v) { return tanhf(v); }
__device__ __forceinline__ double hyperbolic_tangent(double v) { return tanh(v); }

// The activation in float (epilogues) or double (score heads).
template <typename T>
__device__ __forceinline__ T activate(Activation act, T v, T p0, T p1, T p2) {
  switch (act) {
    case Activation::kNone:
      return v;
    case Activation::kRelu:
      return v > T(0) ? v : T(0);
    case Activation::kPrelu:
      return v > T(0) ? v : p0 * v;
    case Activation::kSigmoid:
      return sigmoid(v);
    case Activation::kTanh:
      return hyperbolic_tangent(v);
    case Activation::kDice: {
      const T p = sigmoid(p1 * (v - p2));
      return p0 * (T(1) - p) * v + p * v;
    }
  }
  return v;
}

__device__ __forceinline__ float accumulated(const Accumulator& acc, const float* y, int64_t i, int64_t r,
                                             int64_t c) {
  float v = !acc.data   ? y[i]
            : acc.int32 ? float(static_cast<const int32_t*>(acc.data)[r * acc.ld + c])
                        : static_cast<const float*>(acc.data)[r * acc.ld + c];
  return acc.scale ? v * acc.scale[c] : v;
}

__global__ void bias_activation_kernel(float* y, int64_t rows, int64_t cols, Accumulator acc,
                                       ColumnParam bias, Activation act, ColumnParam p0, ColumnParam p1,
                                       ColumnParam p2, PostOps<float> post) {
  const int64_t n = rows * cols;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t r = i / cols, c = i - r * cols;
    y[i] = post.apply(activate(act, accumulated(acc, y, i, r, c) + load(bias, r, c), load(p0, r, c),
                               load(p1, r, c), load(p2, r, c)));
  }
}

constexpr int kHeadRowsPerWarp = 4;

// Each warp computes kHeadRowsPerWarp rows (independent chains, one weight load per
// kHeadRowsPerWarp products); lane c computes hidden values c, c + 32, ... in double and their
// share of every score, and the scores are summed across the warp.
__global__ void dense_head_kernel(const float* x, int64_t rows, HeadLayer a, HeadLayer b, float* y) {
  constexpr int R = kHeadRowsPerWarp;
  const int64_t first = (blockIdx.x * int64_t(blockDim.x) + threadIdx.x) / 32 * R;
  const int lane = int(threadIdx.x % 32);
  if (first >= rows) return;  // uniform per warp
  int64_t row[R];             // rows past the end repeat the last one; their results are dropped
#pragma unroll
  for (int j = 0; j < R; ++j) row[j] = first + j < rows ? first + j : rows - 1;
  double z[R][kMaxHeadScores] = {};
  for (int64_t c = lane; c < a.m; c += 32) {
    double h[R] = {};
#pragma unroll 4
    for (int64_t i = 0; i < a.k; ++i) {
      const double w = a.weight[i * a.m + c];
#pragma unroll
      for (int j = 0; j < R; ++j) h[j] += double(x[row[j] * a.k + i]) * w;
    }
#pragma unroll
    for (int j = 0; j < R; ++j) {
      const int64_t r = row[j];
      const double v = a.post.apply(activate<double>(a.act, h[j] + load(a.bias, r, c), load(a.p0, r, c),
                                                     load(a.p1, r, c), load(a.p2, r, c)));
#pragma unroll
      for (int s = 0; s < kMaxHeadScores; ++s)
        if (s < b.m) z[j][s] += v * double(b.weight[c * b.m + s]);
    }
  }
#pragma unroll
  for (int j = 0; j < R; ++j)
#pragma unroll
    for (int s = 0; s < kMaxHeadScores; ++s)
      for (int offset = 16; offset > 0; offset /= 2)
        z[j][s] += __shfl_down_sync(0xffffffffu, z[j][s], offset);
  if (lane != 0) return;
  for (int j = 0; j < R && first + j < rows; ++j)
    for (int s = 0; s < b.m; ++s)
      y[row[j] * b.m + s] =
          float(b.post.apply(activate<double>(b.act, z[j][s] + load(b.bias, row[j], s), load(b.p0, row[j], s),
                                              load(b.p1, row[j], s), load(b.p2, row[j], s))));
}

}  // namespace

void launch_bias_activation(float* y, int64_t rows, int64_t cols, Accumulator acc, ColumnParam bias,
                            Activation act, ColumnParam p0, ColumnParam p1, ColumnParam p2,
                            const PostOps<float>& post, cudaStream_t stream) {
  const int64_t n = rows * cols;
  if (n == 0) return;
  const int threads = 256;
  const int blocks = int((n + threads - 1) / threads < 4096 ? (n + threads - 1) / threads : 4096);
  bias_activation_kernel<<<blocks, threads, 0, stream>>>(y, rows, cols, acc, bias, act, p0, p1, p2, post);
}

void launch_dense_head(const float* x, int64_t rows, const HeadLayer& a, const HeadLayer& b, float* y,
                       cudaStream_t stream) {
  if (rows == 0) return;
  const int threads = 128;
  const int64_t warps = (rows + kHeadRowsPerWarp - 1) / kHeadRowsPerWarp;
  dense_head_kernel<<<int((warps * 32 + threads - 1) / threads), threads, 0, stream>>>(x, rows, a, b, y);
}

}  // namespace rankrt::cuda
