// The CPU backend's own loops on arena memory: casts, elementwise ops with broadcasting, the
// Dense epilogues oneDNN post-ops cannot express (PReLU, Dice, non-column bias, post-ops), data
// movement (Concat, broadcasts, fills, Pad) of any dtype, the quantization of int8 Dense layers' inputs.
// Each loop is compiled for AVX-512, AVX2 and baseline x86-64 and picked at load time.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/dtype.h"
#include "ir/score_head.h"
#include "ops/pad_index.h"
#include "ops/post_op_math.h"

namespace rankrt::cpu {

constexpr int kMaxRank = 6;

// Concrete dims of a value for one request, without heap allocation.
struct Dims {
  int rank = 0;
  int64_t d[kMaxRank] = {};
  int64_t numel() const {
    int64_t n = 1;
    for (int i = 0; i < rank; ++i) n *= d[i];
    return n;
  }
};

enum class UnaryOp {
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
enum class BinaryOp { kAdd, kSub, kMul, kDiv, kMax, kMin, kPow, kPrelu };
enum class Activation { kNone, kRelu, kPrelu, kSigmoid, kTanh, kDice, kGelu, kGeluTanh, kSwish };

// A per-column parameter of a Dense epilogue: element (r, c) is data[r * row_stride + c * col_stride].
struct ColumnParam {
  const float* data = nullptr;
  int64_t row_stride = 0, col_stride = 0;
  float at(int64_t r, int64_t c) const { return data ? data[r * row_stride + c * col_stride] : 0.0f; }
};

// Element strides of `in` broadcast into `out` (right-aligned, 0 on broadcast dims).
void broadcast_strides(const Dims& in, const Dims& out, int64_t* strides);

// Converts n elements between float32 / float16 / bfloat16 (round to nearest even).
void cast(DType from, DType to, const void* x, void* y, int64_t n);

// y = op(x broadcast into out); alpha is LeakyRelu's slope.
void unary(UnaryOp op, const float* x, const Dims& in, float* y, const Dims& out, float alpha);
void binary(BinaryOp op, const float* a, const Dims& a_dims, const float* b, const Dims& b_dims, float* y,
            const Dims& out);

// In place on y [rows, m]: y = post(act(y + bias)) with the activation's per-column parameters
// (prelu: p0 = alpha; dice: p0 = alpha, p1 = scale, p2 = mean) and the Dense's post-ops.
// bias.data == nullptr: no bias.
void dense_epilogue(float* y, int64_t rows, int64_t m, ColumnParam bias, Activation act,
                    const ColumnParam* params, const PostOps<float>& post);

// One layer of a score head: y = post(act(x · weight + bias)) with per-column parameters as in
// dense_epilogue; weight [k, m] row-major, in double (converted once, at lowering).
struct DenseHeadLayer {
  const double* weight = nullptr;
  int64_t k = 0, m = 0;
  ColumnParam bias;
  Activation act = Activation::kNone;
  ColumnParam params[3];
  PostOps<double> post;
};

// A score head (ir/score_head.h, within its limits) computed in double, eight rows at a time:
// y [rows, second.m] = second(first(x [rows, first.k])), the hidden values never rounded to float32.
void dense_head(const float* x, int64_t rows, const DenseHeadLayer& first, const DenseHeadLayer& second,
                float* y);

// Dynamic int8 quantization of a Dense layer's input: the largest |x[i]| (NaN when x holds a NaN
// or an infinity), and y[i] = x[i] * inv_scale rounded to nearest, clamped to [-127, 127] (NaN to 127).
float max_abs(const float* x, int64_t n);
void quantize_s8(const float* x, int64_t n, float inv_scale, int8_t* y);

// Copies `outer` rows of `width` bytes from x (pitch width) into y (pitch y_pitch).
void copy_rows(const void* x, size_t width, void* y, size_t y_pitch, int64_t outer);

// y = x broadcast into out (Expand, Tile of size-1 dims, fills) for elements of `elem_size`
// bytes: any dtype (float16/bfloat16/float32, int32/int64, bool).
void broadcast_copy(const void* x, const Dims& in, void* y, const Dims& out, size_t elem_size);

// y = Pad(x) into out's dims for elements of `elem_size` bytes (any dtype): begin[d] elements
// before axis d (negative: cropped), filled per `mode` (ops/pad_index.h), with the one element
// at `value` in kConstant mode.
void pad(const void* x, const Dims& in, void* y, const Dims& out, size_t elem_size, const int64_t* begin,
         PadMode mode, const void* value);

}  // namespace rankrt::cpu
