// Row reductions: one block of 256 threads per reduced line, warp shuffles then shared memory.
#include <cfloat>

#include "backends/cuda/kernels/reduce.h"

namespace rankrt::cuda {

namespace {

constexpr int kThreads = 256;

struct Sum {
  __device__ float operator()(float a, float b) const { return a + b; }
};
struct Max {
  __device__ float operator()(float a, float b) const { return (a != a || b != b) ? a + b : fmaxf(a, b); }
};

// Reduces `v` over the block; every thread receives the result. `shared` holds kThreads / 32 floats.
template <typename F>
__device__ float block_reduce(float v, F f, float* shared) {
  for (int o = 16; o > 0; o >>= 1) v = f(v, __shfl_xor_sync(0xffffffffu, v, o));
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  __syncthreads();  // shared may still be read by a previous call
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  v = shared[0];
  for (int w = 1; w < kThreads / 32; ++w) v = f(v, shared[w]);
  return v;
}

// Block b handles line (o, i) = (b / inner, b % inner): elements base + a * inner.
__global__ void reduce_kernel(ReduceOp op, const float* in, float* out, int64_t axis, int64_t inner) {
  __shared__ float shared[kThreads / 32];
  const int64_t o = blockIdx.x / inner, i = blockIdx.x % inner;
  const float* line = in + o * axis * inner + i;
  float v;
  if (op == ReduceOp::kMax) {
    v = -INFINITY;
    for (int64_t a = threadIdx.x; a < axis; a += kThreads) v = Max()(v, line[a * inner]);
    v = block_reduce(v, Max(), shared);
  } else {
    v = 0.0f;
    for (int64_t a = threadIdx.x; a < axis; a += kThreads) v += line[a * inner];
    v = block_reduce(v, Sum(), shared);
    if (op == ReduceOp::kMean) v /= float(axis);
  }
  if (threadIdx.x == 0) out[blockIdx.x] = v;
}

__global__ void softmax_kernel(const float* in, float* out, int64_t axis, int64_t inner) {
  __shared__ float shared[kThreads / 32];
  const int64_t o = blockIdx.x / inner, i = blockIdx.x % inner;
  const int64_t base = o * axis * inner + i;
  float m = -INFINITY;
  for (int64_t a = threadIdx.x; a < axis; a += kThreads) m = Max()(m, in[base + a * inner]);
  m = block_reduce(m, Max(), shared);
  float s = 0.0f;
  for (int64_t a = threadIdx.x; a < axis; a += kThreads) s += expf(in[base + a * inner] - m);
  s = block_reduce(s, Sum(), shared);
  for (int64_t a = threadIdx.x; a < axis; a += kThreads)
    out[base + a * inner] = expf(in[base + a * inner] - m) / s;
}

__global__ void layer_norm_kernel(const float* in, const float* scale, const float* bias, float* out,
                                  int64_t cols, float epsilon) {
  __shared__ float shared[kThreads / 32];
  const float* row = in + blockIdx.x * cols;
  float* dst = out + blockIdx.x * cols;
  float s = 0.0f;
  for (int64_t c = threadIdx.x; c < cols; c += kThreads) s += row[c];
  const float mean = block_reduce(s, Sum(), shared) / float(cols);
  float q = 0.0f;
  for (int64_t c = threadIdx.x; c < cols; c += kThreads) q += (row[c] - mean) * (row[c] - mean);
  const float inv = rsqrtf(block_reduce(q, Sum(), shared) / float(cols) + epsilon);
  for (int64_t c = threadIdx.x; c < cols; c += kThreads)
    dst[c] = (row[c] - mean) * inv * scale[c] + (bias ? bias[c] : 0.0f);
}

}  // namespace

void launch_reduce(ReduceOp op, const float* in, float* out, int64_t outer, int64_t axis, int64_t inner,
                   cudaStream_t stream) {
  if (outer * inner == 0) return;
  reduce_kernel<<<unsigned(outer * inner), kThreads, 0, stream>>>(op, in, out, axis, inner);
}

void launch_softmax(const float* in, float* out, int64_t outer, int64_t axis, int64_t inner,
                    cudaStream_t stream) {
  if (outer * inner * axis == 0) return;
  softmax_kernel<<<unsigned(outer * inner), kThreads, 0, stream>>>(in, out, axis, inner);
}

void launch_layer_norm(const float* in, const float* scale, const float* bias, float* out, int64_t rows,
                       int64_t cols, float epsilon, cudaStream_t stream) {
  if (rows * cols == 0) return;
  layer_norm_kernel<<<unsigned(rows), kThreads, 0, stream>>>(in, scale, bias, out, cols, epsilon);
}

}  // namespace rankrt::cuda
