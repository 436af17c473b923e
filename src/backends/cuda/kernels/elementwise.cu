// Elementwise unary and binary float kernels with NumPy broadcasting through stride tables.
#include "backends/cuda/kernels/kernels.h"

namespace rankrt::cuda {

namespace {

struct Offsets {
  int64_t a, b;
};

__device__ __forceinline__ Offsets offsets(const BroadcastIndex& ix, int64_t i) {
  Offsets o{0, 0};
  for (int d = ix.rank - 1; d >= 0; --d) {
    const int64_t q = i / ix.dims[d];
    const int64_t coord = i - q * ix.dims[d];
    o.a += coord * ix.a[d];
    o.b += coord * ix.b[d];
    i = q;
  }
  return o;
}

__device__ __forceinline__ float unary(UnaryOp op, float x, float alpha) {
  switch (op) {
    case UnaryOp::kCopy:
      return x;
    case UnaryOp::kNeg:
      return -x;
    case UnaryOp::kAbs:
      return fabsf(x);
    case UnaryOp::kRelu:
      return fmaxf(x, 0.0f);
    case UnaryOp::kSigmoid:
      return 1.0f / (1.0f + expf(-x));
    case UnaryOp::kTanh:
      return tanhf(x);
    case UnaryOp::kExp:
      return expf(x);
    case UnaryOp::kLog:
      return logf(x);
    case UnaryOp::kSqrt:
      return sqrtf(x);
    case UnaryOp::kReciprocal:
      return 1.0f / x;
    case UnaryOp::kErf:
      return erff(x);
    case UnaryOp::kLeakyRelu:
      return x >= 0.0f ? x : alpha * x;
  }
  return x;
}

__device__ __forceinline__ float binary(BinaryOp op, float a, float b) {
  switch (op) {
    case BinaryOp::kAdd:
      return a + b;
    case BinaryOp::kSub:
      return a - b;
    case BinaryOp::kMul:
      return a * b;
    case BinaryOp::kDiv:
      return a / b;
    case BinaryOp::kMax:
      return (a != a || b != b) ? a + b : fmaxf(a, b);  // NaN propagates
    case BinaryOp::kMin:
      return (a != a || b != b) ? a + b : fminf(a, b);
    case BinaryOp::kPow:
      return powf(a, b);
    case BinaryOp::kPrelu:
      return a >= 0.0f ? a : b * a;
  }
  return a;
}

__global__ void unary_kernel(UnaryOp op, const float* x, float* out, int64_t n, BroadcastIndex ix,
                             float alpha) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    out[i] = unary(op, x[offsets(ix, i).a], alpha);
}

__global__ void binary_kernel(BinaryOp op, const float* a, const float* b, float* out, int64_t n,
                              BroadcastIndex ix) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const Offsets o = offsets(ix, i);
    out[i] = binary(op, a[o.a], b[o.b]);
  }
}

__global__ void fused_kernel(FusedElementwise f, float* out, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    float vals[kMaxFusedInputs + kMaxFusedOps];
    for (int k = 0; k < f.num_inputs; ++k) {
      int64_t offset = 0, rest = i;
      for (int d = f.rank - 1; d >= 0; --d) {
        const int64_t q = rest / f.dims[d];
        offset += (rest - q * f.dims[d]) * f.strides[k][d];
        rest = q;
      }
      vals[k] = f.inputs[k][offset];
    }
    for (int k = 0; k < f.num_ops; ++k) {
      const FusedOp& op = f.ops[k];
      vals[kMaxFusedInputs + k] = op.binary ? binary(BinaryOp(op.op), vals[op.a], vals[op.b])
                                            : unary(UnaryOp(op.op), vals[op.a], op.alpha);
    }
    out[i] = vals[kMaxFusedInputs + f.num_ops - 1];
  }
}

int grid_for(int64_t n, int threads) {
  const int64_t blocks = (n + threads - 1) / threads;
  return int(blocks < 4096 ? blocks : 4096);
}

}  // namespace

void launch_unary(UnaryOp op, const float* x, float* out, int64_t n, const BroadcastIndex& index, float alpha,
                  cudaStream_t stream) {
  if (n == 0) return;
  unary_kernel<<<grid_for(n, 256), 256, 0, stream>>>(op, x, out, n, index, alpha);
}

void launch_binary(BinaryOp op, const float* a, const float* b, float* out, int64_t n,
                   const BroadcastIndex& index, cudaStream_t stream) {
  if (n == 0) return;
  binary_kernel<<<grid_for(n, 256), 256, 0, stream>>>(op, a, b, out, n, index);
}

void launch_fused_elementwise(const FusedElementwise& f, float* out, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  fused_kernel<<<grid_for(n, 256), 256, 0, stream>>>(f, out, n);
}

}  // namespace rankrt::cuda
