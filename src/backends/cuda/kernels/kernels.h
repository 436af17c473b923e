// Host-callable launchers of rankrt's own CUDA kernels (float32 activations).
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "ops/post_op_math.h"

namespace rankrt::cuda {

enum class Activation : int { kNone, kRelu, kPrelu, kSigmoid, kTanh, kDice };

// A per-column vector, a scalar (stride 0) or a [rows, cols] matrix (row_stride = cols).
struct ColumnParam {
  const float* data = nullptr;
  int64_t col_stride = 0;
  int64_t row_stride = 0;
};

// Where a GEMM left its products for the epilogue: y itself (data null), or a float32 / int32
// (int8 GEMM) matrix with leading dimension ld; `scale` (per column, may be null) dequantizes them.
struct Accumulator {
  const void* data = nullptr;
  int64_t ld = 0;
  bool int32 = false;
  const float* scale = nullptr;
};

// y[r,c] = post(act(acc[r,c] * scale[c] + bias[r,c]; p0, p1, p2)) (bias.data may be null; post:
// the Dense's post-ops).
void launch_bias_activation(float* y, int64_t rows, int64_t cols, Accumulator acc, ColumnParam bias,
                            Activation act, ColumnParam p0, ColumnParam p1, ColumnParam p2,
                            const PostOps<float>& post, cudaStream_t stream);

// One layer of a score head (ir/score_head.h): post(act(x · weight[k, m] + bias; p0, p1, p2)).
struct HeadLayer {
  const float* weight = nullptr;
  int64_t k = 0, m = 0;
  ColumnParam bias;
  Activation act = Activation::kNone;
  ColumnParam p0, p1, p2;
  PostOps<double> post;
};
constexpr int kMaxHeadScores = 4;  // b.m at most (ir's kHeadMaxScores)

// y[rows, b.m] = b(a(x[rows, a.k])) in double, rounded once.
void launch_dense_head(const float* x, int64_t rows, const HeadLayer& a, const HeadLayer& b, float* y,
                       cudaStream_t stream);

constexpr int kMaxRank = 6;

// Output dims and, per operand, element strides in the output's index space (0 = broadcast).
struct BroadcastIndex {
  int rank = 0;
  int64_t dims[kMaxRank] = {};
  int64_t a[kMaxRank] = {};
  int64_t b[kMaxRank] = {};
};

enum class UnaryOp : int {
  kCopy,
  kNeg,
  kAbs,
  kRelu,
  kSigmoid,
  kTanh,
  kExp,
  kLog,
  kSqrt,
  kReciprocal,
  kErf,
  kLeakyRelu
};
enum class BinaryOp : int { kAdd, kSub, kMul, kDiv, kMax, kMin, kPow, kPrelu };

// out[i] = op(x[index.a(i)]); kCopy with broadcast strides implements Expand / Tile-by-broadcast.
void launch_unary(UnaryOp op, const float* x, float* out, int64_t n, const BroadcastIndex& index, float alpha,
                  cudaStream_t stream);
void launch_binary(BinaryOp op, const float* a, const float* b, float* out, int64_t n,
                   const BroadcastIndex& index, cudaStream_t stream);

// A chain of elementwise ops evaluated in one kernel: each op reads external inputs (operands
// 0..kMaxFusedInputs-1, broadcast through their strides) or earlier ops' results (operand
// kMaxFusedInputs + k); the last op's result is the output.
constexpr int kMaxFusedInputs = 4;
constexpr int kMaxFusedOps = 8;
struct FusedOp {
  bool binary = false;
  int op = 0;  // UnaryOp or BinaryOp value
  int a = 0, b = 0;
  float alpha = 0;
};
struct FusedElementwise {
  int rank = 0;
  int64_t dims[kMaxRank] = {};
  int num_inputs = 0;
  const float* inputs[kMaxFusedInputs] = {};
  int64_t strides[kMaxFusedInputs][kMaxRank] = {};
  int num_ops = 0;
  FusedOp ops[kMaxFusedOps] = {};
};
void launch_fused_elementwise(const FusedElementwise& f, float* out, int64_t n, cudaStream_t stream);

enum class CastKind : int { kHalfToFloat, kBf16ToFloat, kFloatToHalf, kFloatToBf16 };
void launch_cast(CastKind kind, const void* in, void* out, int64_t n, cudaStream_t stream);

}  // namespace rankrt::cuda
