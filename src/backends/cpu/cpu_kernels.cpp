// The CPU backend's own loops (see cpu_kernels.h). Hot loops are multiversioned: GCC compiles
// each for AVX-512, AVX2+FMA and baseline x86-64 and an ifunc picks one when the library loads.
// The levels are x86-64-v4 / -v3, which the ifunc checks by CPU feature: clones named by CPU model
// (arch=skylake-avx512, arch=haswell) resolve through __builtin_cpu_is and fall back to the
// baseline clone on models GCC does not know (e.g. the development VM's Sapphire Rapids).
#include "backends/cpu/cpu_kernels.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/half.h"

// Sanitizer runtimes initialize after ifunc resolvers run (a sanitized binary would crash at
// start-up), so sanitized builds keep the default clone only.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define RANKRT_MULTIVERSION
#else
#define RANKRT_MULTIVERSION __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#endif
#define RANKRT_INLINE [[gnu::always_inline]] inline

namespace rankrt::cpu {

namespace {

// exp(x) to ~1 ulp of float on the reduced range (Cephes expf polynomial), branch-free so that
// loops calling it vectorize. Inputs are clamped to the finite range of float.
RANKRT_INLINE float exp_approx(float x) {
  x = x < -87.3f ? -87.3f : x;  // (std::min / max would not inline into the multiversioned loops)
  x = x > 88.7f ? 88.7f : x;
  const float magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  const float n = (x * 1.44269504088896341f + magic) - magic;
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // 2^23 + 127 + n has n + 127 in its low mantissa bits: shifted up, that is the float 2^n.
  // (__builtin_bit_cast: std:: helpers compiled for the baseline would not inline here.)
  const int32_t e = __builtin_bit_cast(int32_t, n + 8388735.0f) << 23;
  return p * __builtin_bit_cast(float, e);
}

RANKRT_INLINE float sigmoid(float x) { return 1.0f / (1.0f + exp_approx(-x)); }
RANKRT_INLINE double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// A Dense activation in float (the vectorized epilogues) or double (score heads).
template <typename T>
RANKRT_INLINE T activate(Activation act, T v, T p0, T p1, T p2) {
  switch (act) {
    case Activation::kNone:
      return v;
    case Activation::kRelu:
      return v > 0 ? v : T(0);
    case Activation::kPrelu:
      return v > 0 ? v : p0 * v;
    case Activation::kSigmoid:
      return sigmoid(v);
    case Activation::kTanh:
      return std::tanh(v);
    case Activation::kGelu:
      return T(0.5) * v * (T(1) + std::erf(v * T(0.70710678118654752)));
    case Activation::kGeluTanh:
      return T(0.5) * v * (T(1) + std::tanh(T(0.79788456080286536) * (v + T(0.044715) * v * v * v)));
    case Activation::kSwish:
      return v * sigmoid(v);
    case Activation::kDice: {
      const T prob = sigmoid(p1 * (v - p2));
      return p0 * (T(1) - prob) * v + prob * v;
    }
  }
  return v;
}

// One row of a Dense epilogue with per-column parameters (the hot case: contiguous columns).
RANKRT_MULTIVERSION void epilogue_row(float* __restrict y, int64_t m, const float* __restrict bias,
                                      Activation act, const float* __restrict p0, const float* __restrict p1,
                                      const float* __restrict p2) {
  if (act == Activation::kPrelu && !bias) {
#pragma omp simd
    for (int64_t c = 0; c < m; ++c) y[c] = y[c] > 0 ? y[c] : p0[c] * y[c];
    return;
  }
  if (act == Activation::kDice && !bias) {
#pragma omp simd
    for (int64_t c = 0; c < m; ++c) {
      const float v = y[c];
      const float prob = sigmoid(p1[c] * (v - p2[c]));
      y[c] = p0[c] * (1.0f - prob) * v + prob * v;
    }
    return;
  }
  for (int64_t c = 0; c < m; ++c)
    y[c] = activate(act, y[c] + (bias ? bias[c] : 0.0f), p0 ? p0[c] : 0.0f, p1 ? p1[c] : 0.0f,
                    p2 ? p2[c] : 0.0f);
}

float unary_value(UnaryOp op, float v, float alpha) {
  switch (op) {
    case UnaryOp::kCopy:
      return v;
    case UnaryOp::kNeg:
      return -v;
    case UnaryOp::kAbs:
      return std::abs(v);
    case UnaryOp::kRelu:
      return v > 0 ? v : 0.0f;
    case UnaryOp::kSigmoid:
      return 1.0f / (1.0f + std::exp(-v));
    case UnaryOp::kTanh:
      return std::tanh(v);
    case UnaryOp::kExp:
      return std::exp(v);
    case UnaryOp::kLog:
      return std::log(v);
    case UnaryOp::kSqrt:
      return std::sqrt(v);
    case UnaryOp::kReciprocal:
      return 1.0f / v;
    case UnaryOp::kErf:
      return std::erf(v);
    case UnaryOp::kLeakyRelu:
      return v >= 0 ? v : alpha * v;
  }
  return v;
}

RANKRT_INLINE float binary_value(BinaryOp op, float a, float b) {
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
      return a != a || b != b ? NAN : (a > b ? a : b);
    case BinaryOp::kMin:
      return a != a || b != b ? NAN : (a < b ? a : b);
    case BinaryOp::kPow:
      return std::pow(a, b);
    case BinaryOp::kPrelu:
      return a < 0 ? a * b : a;
  }
  return a;
}

template <BinaryOp kOp>
RANKRT_INLINE void binary_row_as(const float* __restrict a, int64_t sa, const float* __restrict b, int64_t sb,
                                 float* __restrict y, int64_t n) {
  if (sa == 1 && sb == 1) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) y[i] = binary_value(kOp, a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float bv = b[0];
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) y[i] = binary_value(kOp, a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const float av = a[0];
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) y[i] = binary_value(kOp, av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = binary_value(kOp, a[i * sa], b[i * sb]);
  }
}

RANKRT_MULTIVERSION void binary_row(BinaryOp op, const float* a, int64_t sa, const float* b, int64_t sb,
                                    float* y, int64_t n) {
  switch (op) {
    case BinaryOp::kAdd:
      return binary_row_as<BinaryOp::kAdd>(a, sa, b, sb, y, n);
    case BinaryOp::kSub:
      return binary_row_as<BinaryOp::kSub>(a, sa, b, sb, y, n);
    case BinaryOp::kMul:
      return binary_row_as<BinaryOp::kMul>(a, sa, b, sb, y, n);
    case BinaryOp::kDiv:
      return binary_row_as<BinaryOp::kDiv>(a, sa, b, sb, y, n);
    case BinaryOp::kMax:
      return binary_row_as<BinaryOp::kMax>(a, sa, b, sb, y, n);
    case BinaryOp::kMin:
      return binary_row_as<BinaryOp::kMin>(a, sa, b, sb, y, n);
    case BinaryOp::kPow:
      return binary_row_as<BinaryOp::kPow>(a, sa, b, sb, y, n);
    case BinaryOp::kPrelu:
      return binary_row_as<BinaryOp::kPrelu>(a, sa, b, sb, y, n);
  }
}

// float16 <-> float32 with F16C, 8 elements at a time; the scalar conversions finish the tail.
__attribute__((target("avx,f16c"))) int64_t half_to_float_f16c(const uint16_t* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(y + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i))));
  return i;
}

__attribute__((target("avx,f16c"))) int64_t float_to_half_f16c(const float* x, uint16_t* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
  return i;
}

// float32 -> bfloat16 (core/half.h's conversion inlines and vectorizes here).
RANKRT_MULTIVERSION void float_to_bf16_n(const float* __restrict x, uint16_t* __restrict y, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] = float_to_bf16(x[i]);
}

const bool kHaveF16c = __builtin_cpu_supports("avx") && __builtin_cpu_supports("f16c");

void half_to_float_n(const uint16_t* x, float* y, int64_t n) {
  for (int64_t i = kHaveF16c ? half_to_float_f16c(x, y, n) : 0; i < n; ++i) y[i] = half_to_float(x[i]);
}

void float_to_half_n(const float* x, uint16_t* y, int64_t n) {
  for (int64_t i = kHaveF16c ? float_to_half_f16c(x, y, n) : 0; i < n; ++i) y[i] = float_to_half(x[i]);
}

// Output dims with size-1 dims dropped, and both inputs' strides over the kept dims: [N,1] ops
// become one row of N elements.
struct Loop {
  int rank = 0;
  int64_t d[kMaxRank] = {}, sa[kMaxRank] = {}, sb[kMaxRank] = {};
};

Loop make_loop(const Dims& out, const Dims& a, const Dims* b) {
  int64_t sa[kMaxRank], sb[kMaxRank] = {};
  broadcast_strides(a, out, sa);
  if (b) broadcast_strides(*b, out, sb);
  Loop l;
  for (int i = 0; i < out.rank; ++i) {
    if (out.d[i] == 1) continue;
    l.d[l.rank] = out.d[i];
    l.sa[l.rank] = sa[i];
    l.sb[l.rank] = sb[i];
    ++l.rank;
  }
  return l;
}

// Calls row(offset_a, offset_b, offset_y, inner stride a, inner stride b, length) per innermost row.
template <typename Row>
void for_each_row(const Loop& l, Row row) {
  if (l.rank == 0) return row(0, 0, 0, 0, 0, 1);
  const int last = l.rank - 1;
  int64_t idx[kMaxRank] = {}, oa = 0, ob = 0, oy = 0;
  while (true) {
    row(oa, ob, oy, l.sa[last], l.sb[last], l.d[last]);
    oy += l.d[last];
    int dim = last - 1;
    for (; dim >= 0; --dim) {
      oa += l.sa[dim];
      ob += l.sb[dim];
      if (++idx[dim] < l.d[dim]) break;
      oa -= l.sa[dim] * l.d[dim];
      ob -= l.sb[dim] * l.d[dim];
      idx[dim] = 0;
    }
    if (dim < 0) return;
  }
}

}  // namespace

void broadcast_strides(const Dims& in, const Dims& out, int64_t* strides) {
  int64_t s = 1;
  for (int d = out.rank - 1, i = in.rank - 1; d >= 0; --d, --i) {
    if (i < 0) {
      strides[d] = 0;
      continue;
    }
    strides[d] = in.d[i] == 1 ? 0 : s;
    s *= in.d[i];
  }
}

void cast(DType from, DType to, const void* x, void* y, int64_t n) {
  if (from == to) {
    std::memcpy(y, x, size_t(n) * dtype_size(from));
  } else if (from == DType::kF16 && to == DType::kF32) {
    half_to_float_n(static_cast<const uint16_t*>(x), static_cast<float*>(y), n);
  } else if (from == DType::kF32 && to == DType::kF16) {
    float_to_half_n(static_cast<const float*>(x), static_cast<uint16_t*>(y), n);
  } else if (from == DType::kBF16 && to == DType::kF32) {
    for (int64_t i = 0; i < n; ++i)
      static_cast<float*>(y)[i] = bf16_to_float(static_cast<const uint16_t*>(x)[i]);
  } else if (from == DType::kF32 && to == DType::kBF16) {
    float_to_bf16_n(static_cast<const float*>(x), static_cast<uint16_t*>(y), n);
  }
}

void unary(UnaryOp op, const float* x, const Dims& in, float* y, const Dims& out, float alpha) {
  for_each_row(make_loop(out, in, nullptr),
               [&](int64_t oa, int64_t, int64_t oy, int64_t sa, int64_t, int64_t n) {
                 for (int64_t i = 0; i < n; ++i) y[oy + i] = unary_value(op, x[oa + i * sa], alpha);
               });
}

void binary(BinaryOp op, const float* a, const Dims& a_dims, const float* b, const Dims& b_dims, float* y,
            const Dims& out) {
  for_each_row(make_loop(out, a_dims, &b_dims),
               [&](int64_t oa, int64_t ob, int64_t oy, int64_t sa, int64_t sb, int64_t n) {
                 binary_row(op, a + oa, sa, b + ob, sb, y + oy, n);
               });
}

void dense_epilogue(float* y, int64_t rows, int64_t m, ColumnParam bias, Activation act,
                    const ColumnParam* params, const PostOps<float>& post) {
  const bool columns = bias.col_stride == 1 || !bias.data;
  bool per_column = columns;
  for (int p = 0; p < 3; ++p) per_column = per_column && (!params[p].data || params[p].col_stride == 1);
  for (int64_t r = 0; r < rows; ++r) {
    float* row = y + r * m;
    if (per_column) {
      auto ptr = [&](const ColumnParam& p) { return p.data ? p.data + r * p.row_stride : nullptr; };
      epilogue_row(row, m, ptr(bias), act, ptr(params[0]), ptr(params[1]), ptr(params[2]));
      continue;
    }
    for (int64_t c = 0; c < m; ++c)
      row[c] =
          activate(act, row[c] + bias.at(r, c), params[0].at(r, c), params[1].at(r, c), params[2].at(r, c));
  }
  if (post.count == 0) return;
  for (int64_t i = 0; i < rows * m; ++i) y[i] = post.apply(y[i]);
}

namespace {

// Score heads run on eight rows at a time, one double lane per row: a GCC vector, one AVX-512
// register (two AVX2 or four SSE2 ones in the other multiversioned clones).
typedef double Lanes __attribute__((vector_size(64)));
typedef int64_t LaneBits __attribute__((vector_size(64)));
constexpr int kLanes = 8;
// The helpers taking or returning Lanes are always inlined into a clone of head_layer_lanes: no
// call passes a Lanes value between code of different ISAs, which GCC warns about (at the end of
// the file: the warning stays off from here).
#pragma GCC diagnostic ignored "-Wpsabi"

RANKRT_INLINE Lanes lanes(double v) { return Lanes{} + v; }

// exp on each lane (Cephes exp: a Padé approximant after reduction by ln 2, ~1 ulp of double),
// branch-free; inputs clamped to [-708, 709] (finite results), NaN stays NaN.
RANKRT_INLINE Lanes exp_lanes(Lanes x) {
  x = x < -708.0 ? lanes(-708.0) : x;
  x = x > 709.0 ? lanes(709.0) : x;
  const Lanes magic = lanes(6755399441055744.0);  // 1.5 * 2^52: adding it rounds to an integer
  const Lanes t = x * 1.4426950408889634 + magic;
  const Lanes n = t - magic;
  const Lanes r = x - n * 6.93145751953125e-1 - n * 1.42860682030941723212e-6;
  const Lanes rr = r * r;
  const Lanes p = r * ((1.26177193074810590878e-4 * rr + 3.02994407707441961300e-2) * rr + 1.0);
  const Lanes q =
      ((3.00198505138664455042e-6 * rr + 2.52448340349684104192e-3) * rr + 2.27265548208155028766e-1) * rr +
      2.0;
  // t's low mantissa bits hold n: (n + 1023) << 52 is the double 2^n.
  const LaneBits e = ((LaneBits)t - (LaneBits)magic + 1023) << 52;
  return (1.0 + 2.0 * p / (q - p)) * (Lanes)e;
}

RANKRT_INLINE Lanes sigmoid_lanes(Lanes x) { return 1.0 / (1.0 + exp_lanes(-x)); }

// Parameter p of column c for rows r0..r0+n-1 (a broadcast unless it varies by row; lanes past n
// repeat row r0).
RANKRT_INLINE Lanes param_lanes(const ColumnParam& p, int64_t r0, int n, int64_t c) {
  if (!p.data) return Lanes{};
  if (p.row_stride == 0) return lanes(p.data[c * p.col_stride]);
  Lanes v;
  for (int l = 0; l < kLanes; ++l) v[l] = p.at(r0 + (l < n ? l : 0), c);
  return v;
}

// One score head layer on rows r0..r0+n-1 (n <= 8): out[c] = post(act(x · weight[:, c] + bias[c])),
// x[k] and out[m] holding one row per lane; columns in blocks of 16 accumulators.
RANKRT_MULTIVERSION void head_layer_lanes(const DenseHeadLayer& l, int64_t r0, int n,
                                          const Lanes* __restrict x, Lanes* __restrict out) {
  constexpr int64_t kBlock = 16;
  int64_t c0 = 0;
  for (; c0 + kBlock <= l.m; c0 += kBlock) {
    Lanes acc[kBlock] = {};
    for (int64_t i = 0; i < l.k; ++i)
      for (int64_t j = 0; j < kBlock; ++j) acc[j] += x[i] * l.weight[i * l.m + c0 + j];
    for (int64_t j = 0; j < kBlock; ++j) out[c0 + j] = acc[j];
  }
  for (; c0 < l.m; ++c0) {
    Lanes acc{};
    for (int64_t i = 0; i < l.k; ++i) acc += x[i] * l.weight[i * l.m + c0];
    out[c0] = acc;
  }
  for (int64_t c = 0; c < l.m; ++c) {
    const Lanes v = out[c] + param_lanes(l.bias, r0, n, c);
    const Lanes p0 = param_lanes(l.params[0], r0, n, c);
    Lanes y;
    switch (l.act) {
      case Activation::kNone:
        y = v;
        break;
      case Activation::kRelu:
        y = v > 0.0 ? v : Lanes{};
        break;
      case Activation::kPrelu:
        y = v > 0.0 ? v : p0 * v;
        break;
      case Activation::kSigmoid:
        y = sigmoid_lanes(v);
        break;
      case Activation::kSwish:
        y = v * sigmoid_lanes(v);
        break;
      case Activation::kDice: {
        const Lanes prob =
            sigmoid_lanes(param_lanes(l.params[1], r0, n, c) * (v - param_lanes(l.params[2], r0, n, c)));
        y = p0 * (1.0 - prob) * v + prob * v;
        break;
      }
      default: {  // tanh and gelu: std:: per lane
        const Lanes p1 = param_lanes(l.params[1], r0, n, c), p2 = param_lanes(l.params[2], r0, n, c);
        for (int j = 0; j < kLanes; ++j) y[j] = activate(l.act, v[j], p0[j], p1[j], p2[j]);
      }
    }
    if (l.post.count > 0)
      for (int j = 0; j < kLanes; ++j) y[j] = l.post.apply(y[j]);
    out[c] = y;
  }
}

}  // namespace

void dense_head(const float* x, int64_t rows, const DenseHeadLayer& first, const DenseHeadLayer& second,
                float* y) {
  Lanes in[kHeadMaxInputs], hidden[kHeadMaxHidden], scores[kHeadMaxScores];
  for (int64_t r0 = 0; r0 < rows; r0 += kLanes) {
    const int n = int(std::min<int64_t>(kLanes, rows - r0));
    for (int64_t i = 0; i < first.k; ++i)
      for (int l = 0; l < kLanes; ++l) in[i][l] = l < n ? x[(r0 + l) * first.k + i] : 0.0;
    head_layer_lanes(first, r0, n, in, hidden);
    head_layer_lanes(second, r0, n, hidden, scores);
    for (int l = 0; l < n; ++l)
      for (int64_t c = 0; c < second.m; ++c) y[(r0 + l) * second.m + c] = float(scores[c][l]);
  }
}

RANKRT_MULTIVERSION float max_abs(const float* x, int64_t n) {
  float largest = 0;
  int non_finite = 0;
#pragma omp simd reduction(max : largest) reduction(| : non_finite)
  for (int64_t i = 0; i < n; ++i) {
    const float a = x[i] < 0 ? -x[i] : x[i];
    largest = a > largest ? a : largest;
    non_finite |= !(a <= 3.40282347e38f);
  }
  return non_finite ? NAN : largest;
}

RANKRT_MULTIVERSION void quantize_s8(const float* __restrict x, int64_t n, float inv_scale,
                                     int8_t* __restrict y) {
  const float magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer (|v| <= 127 here)
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) {
    float v = x[i] * inv_scale;
    v = v < 127.0f ? v : 127.0f;  // NaN fails the test: 127
    v = v > -127.0f ? v : -127.0f;
    y[i] = int8_t(int32_t((v + magic) - magic));
  }
}

void copy_rows(const void* x, size_t width, void* y, size_t y_pitch, int64_t outer) {
  for (int64_t r = 0; r < outer; ++r)
    std::memcpy(static_cast<std::byte*>(y) + size_t(r) * y_pitch,
                static_cast<const std::byte*>(x) + size_t(r) * width, width);
}

namespace {

// broadcast_copy with T an integer type of the element size: contiguous rows are one memcpy.
template <typename T>
void broadcast_copy_as(const T* x, const Dims& in, T* y, const Dims& out) {
  for_each_row(make_loop(out, in, nullptr),
               [&](int64_t oa, int64_t, int64_t oy, int64_t sa, int64_t, int64_t n) {
                 if (sa == 1) {
                   std::memcpy(y + oy, x + oa, size_t(n) * sizeof(T));
                 } else {
                   for (int64_t i = 0; i < n; ++i) y[oy + i] = x[oa + i * sa];
                 }
               });
}

}  // namespace

void broadcast_copy(const void* x, const Dims& in, void* y, const Dims& out, size_t elem_size) {
  switch (elem_size) {
    case 1:
      return broadcast_copy_as(static_cast<const uint8_t*>(x), in, static_cast<uint8_t*>(y), out);
    case 2:
      return broadcast_copy_as(static_cast<const uint16_t*>(x), in, static_cast<uint16_t*>(y), out);
    case 4:
      return broadcast_copy_as(static_cast<const uint32_t*>(x), in, static_cast<uint32_t*>(y), out);
    default:
      return broadcast_copy_as(static_cast<const uint64_t*>(x), in, static_cast<uint64_t*>(y), out);
  }
}

namespace {

// pad() with T an integer type of the element size, row by row over the last axis: a row whose
// outer coordinates read the constant is filled; otherwise constant mode copies the row's inner
// part as one block, the other modes map each column.
template <typename T>
void pad_as(const T* x, const Dims& in, T* y, const Dims& out, const int64_t* begin, PadMode mode, T value) {
  if (out.rank == 0) {
    y[0] = x[0];
    return;
  }
  int64_t in_strides[kMaxRank];
  for (int64_t d = in.rank - 1, s = 1; d >= 0; --d) {
    in_strides[d] = s;
    s *= in.d[d];
  }
  const int last = out.rank - 1;
  const int64_t width = out.d[last], size = in.d[last], b = begin[last];
  if (width == 0) return;
  // Output columns [lo, hi) read input columns [lo - b, hi - b).
  const int64_t lo = std::clamp<int64_t>(b, 0, width), hi = std::clamp<int64_t>(b + size, lo, width);
  int64_t idx[kMaxRank] = {};
  const int64_t rows = out.numel() / width;
  for (int64_t r = 0; r < rows; ++r, y += width) {
    int64_t offset = 0;
    bool inside = true;
    for (int d = 0; d < last && inside; ++d) {
      const int64_t s = pad_source(mode, idx[d], begin[d], in.d[d]);
      inside = s >= 0;
      offset += s * in_strides[d];
    }
    if (!inside) {
      std::fill(y, y + width, value);
    } else if (mode == PadMode::kConstant) {
      std::fill(y, y + lo, value);
      std::memcpy(y + lo, x + offset + (lo - b), size_t(hi - lo) * sizeof(T));
      std::fill(y + hi, y + width, value);
    } else {
      for (int64_t c = 0; c < width; ++c) {
        const int64_t s = pad_source(mode, c, b, size);
        y[c] = s < 0 ? value : x[offset + s];
      }
    }
    for (int d = last - 1; d >= 0; --d) {
      if (++idx[d] < out.d[d]) break;
      idx[d] = 0;
    }
  }
}

template <typename T>
void pad_typed(const void* x, const Dims& in, void* y, const Dims& out, const int64_t* begin, PadMode mode,
               const void* value) {
  T v;
  std::memcpy(&v, value, sizeof v);
  pad_as(static_cast<const T*>(x), in, static_cast<T*>(y), out, begin, mode, v);
}

}  // namespace

void pad(const void* x, const Dims& in, void* y, const Dims& out, size_t elem_size, const int64_t* begin,
         PadMode mode, const void* value) {
  switch (elem_size) {
    case 1:
      return pad_typed<uint8_t>(x, in, y, out, begin, mode, value);
    case 2:
      return pad_typed<uint16_t>(x, in, y, out, begin, mode, value);
    case 4:
      return pad_typed<uint32_t>(x, in, y, out, begin, mode, value);
    default:
      return pad_typed<uint64_t>(x, in, y, out, begin, mode, value);
  }
}

}  // namespace rankrt::cpu
