// Axis normalisation, shape-like input reading, symbolic dim arithmetic and copy kernels.
#include "ops/shape_helpers.h"

#include <algorithm>
#include <string>

namespace rankrt {

int64_t normalize_axis(const InferContext& ctx, int64_t axis, int64_t rank, bool inclusive) {
  const int64_t hi = inclusive ? rank : rank - 1;
  if (axis < -rank || axis > hi)
    ctx.error(ErrorCode::kShape, "axis {} is out of range for rank {}", axis, rank);
  return axis < 0 ? axis + rank : axis;
}

std::vector<int64_t> normalize_axes(const InferContext& ctx, const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<int64_t> out;
  for (int64_t a : axes) {
    const int64_t n = normalize_axis(ctx, a, rank);
    if (std::find(out.begin(), out.end(), n) != out.end())
      ctx.error(ErrorCode::kShape, "axis {} is repeated", a);
    out.push_back(n);
  }
  return out;
}

void require_integer_input(const InferContext& ctx, size_t i, const char* what) {
  if (ctx.has_input(i) && !is_integer(ctx.input(i).dtype))
    ctx.error(ErrorCode::kShape, "{} (input {}) must be an integer tensor, got {}", what, i,
              dtype_name(ctx.input(i).dtype));
}

std::optional<std::vector<int64_t>> known_ints(const InferContext& ctx, size_t i) {
  if (const Tensor* t = ctx.constant(i)) return t->to_int64_vector();
  if (!ctx.has_input(i) || !ctx.input(i).shape_value) return std::nullopt;
  return concrete_dims(*ctx.input(i).shape_value);
}

std::optional<Shape> dims_value(const InferContext& ctx, size_t i) {
  if (!ctx.has_input(i)) return std::nullopt;
  if (ctx.input(i).shape_value) return ctx.input(i).shape_value;
  const Tensor* t = ctx.constant(i);
  if (!t || !is_integer(t->dtype()) || t->rank() > 1 || t->numel() > kMaxShapeValueElements)
    return std::nullopt;
  Shape dims;
  for (int64_t v : t->to_int64_vector()) dims.push_back(v >= 0 ? Dim(v) : Dim());
  return dims;
}

Dim product_of(const Shape& dims) {
  int64_t known = 1;
  std::vector<const Dim*> others;
  for (const Dim& d : dims) {
    if (d.is_known()) {
      known *= d.value;
    } else {
      others.push_back(&d);
    }
  }
  if (known == 0 || others.empty()) return Dim(known);
  if (others.size() == 1 && known == 1) return *others[0];
  return Dim();
}

Dim multiply_dims(const Dim& a, const Dim& b) { return product_of({a, b}); }

Dim sum_of(const Shape& dims) {
  int64_t known = 0;
  std::vector<const Dim*> others;
  for (const Dim& d : dims) {
    if (d.is_known()) {
      known += d.value;
    } else {
      others.push_back(&d);
    }
  }
  if (others.empty()) return Dim(known);
  if (others.size() == 1 && known == 0) return *others[0];
  return Dim();
}

Dim quotient_of(const Shape& numerator, const Shape& denominator) {
  int64_t num = 1, den = 1;
  std::vector<std::string> symbols;
  for (const Dim& d : numerator) {
    if (d.is_known()) {
      num *= d.value;
    } else if (d.is_symbolic()) {
      symbols.push_back(d.symbol);
    } else {
      return Dim();
    }
  }
  for (const Dim& d : denominator) {
    if (d.is_known()) {
      den *= d.value;
      continue;
    }
    auto it = d.is_symbolic() ? std::find(symbols.begin(), symbols.end(), d.symbol) : symbols.end();
    if (it == symbols.end()) return Dim();
    symbols.erase(it);
  }
  if (den == 0 || num % den != 0) return Dim();
  if (symbols.empty()) return Dim(num / den);
  if (symbols.size() == 1 && num == den) return Dim::sym(symbols[0]);
  return Dim();
}

std::vector<int64_t> row_major_strides(const std::vector<int64_t>& dims) {
  std::vector<int64_t> strides(dims.size(), 1);
  for (size_t d = dims.size(); d-- > 1;) strides[d - 1] = strides[d] * dims[d];
  return strides;
}

namespace {

template <size_t S>
void copy_strided_elements(const std::byte* in, std::byte* out, const std::vector<int64_t>& dims,
                           int64_t base, const std::vector<int64_t>& strides) {
  const int64_t total = num_elements(dims);
  if (total == 0) return;
  if (dims.empty()) {
    std::memcpy(out, in + base * int64_t(S), S);
    return;
  }
  const size_t outer_rank = dims.size() - 1;
  const int64_t inner = dims.back(), inner_stride = strides.back();
  std::vector<int64_t> idx(outer_rank, 0);
  int64_t offset = base;
  for (int64_t o = 0; o < total; o += inner) {
    for (int64_t j = 0; j < inner; ++j)
      std::memcpy(out + (o + j) * int64_t(S), in + (offset + j * inner_stride) * int64_t(S), S);
    for (size_t d = outer_rank; d-- > 0;) {
      offset += strides[d];
      if (++idx[d] < dims[d]) break;
      offset -= strides[d] * dims[d];
      idx[d] = 0;
    }
  }
}

}  // namespace

void copy_strided(const Tensor& in, Tensor& out, int64_t base, const std::vector<int64_t>& strides) {
  const auto* src = static_cast<const std::byte*>(in.raw());
  auto* dst = static_cast<std::byte*>(out.raw());
  switch (dtype_size(in.dtype())) {
    case 1:
      return copy_strided_elements<1>(src, dst, out.dims(), base, strides);
    case 2:
      return copy_strided_elements<2>(src, dst, out.dims(), base, strides);
    case 4:
      return copy_strided_elements<4>(src, dst, out.dims(), base, strides);
    case 8:
      return copy_strided_elements<8>(src, dst, out.dims(), base, strides);
    default:
      fail(ErrorCode::kUnsupported, "cannot copy elements of dtype {}", dtype_name(in.dtype()));
  }
}

void copy_blocks(const std::byte* src, int64_t src_pitch, std::byte* dst, int64_t dst_pitch, int64_t count,
                 int64_t block) {
  if (block == 0) return;
  for (int64_t i = 0; i < count; ++i) std::memcpy(dst + i * dst_pitch, src + i * src_pitch, size_t(block));
}

}  // namespace rankrt
