// Axis normalisation, shape-like input reading, symbolic dim arithmetic, elementwise symbolic
// evaluation of small integer values and copy kernels.
#include "ops/shape_helpers.h"

#include <algorithm>
#include <limits>
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

bool SymbolicInt::same_as(const SymbolicInt& o) const {
  if (value) return o.value == value;
  return !symbol.empty() && !o.value && o.symbol == symbol;
}

namespace {

// The range of values an element may take.
std::pair<int64_t, int64_t> bounds(const SymbolicInt& x) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min(), kMax = std::numeric_limits<int64_t>::max();
  if (x.value) return {*x.value, *x.value};
  return {x.symbol.empty() ? kMin : 0, kMax};
}

// The elements of input i for symbolic evaluation: its shape_value, or a small integer or bool
// constant's values.
std::optional<std::vector<SymbolicInt>> symbolic_elements(const InferContext& ctx, size_t i) {
  if (!ctx.has_input(i)) return std::nullopt;
  std::vector<SymbolicInt> out;
  if (const std::optional<Shape>& dims = ctx.input(i).shape_value) {
    for (const Dim& d : *dims) {
      out.emplace_back();
      if (d.is_known()) out.back().value = d.value;
      if (d.is_symbolic()) out.back().symbol = d.symbol;
    }
    return out;
  }
  const Tensor* t = ctx.constant(i);
  if (!t || is_float(t->dtype()) || t->rank() > 1 || t->numel() > kMaxShapeValueElements) return std::nullopt;
  for (int64_t v : t->to_int64_vector()) out.emplace_back(v);
  return out;
}

// A result element stored as a dim of a `dtype` shape_value.
Dim stored_dim(const SymbolicInt& x, DType dtype) {
  if (x.value) {
    const int64_t v = Tensor::scalar<int64_t>(*x.value).to(dtype).as_int64(0);  // wraps like the kernels
    return v >= 0 ? Dim(v) : Dim();
  }
  if (!x.symbol.empty() && dtype_size(dtype) >= 4) return Dim::sym(x.symbol);
  return Dim();
}

}  // namespace

std::optional<bool> symbolic_less(const SymbolicInt& a, const SymbolicInt& b) {
  if (a.same_as(b)) return false;
  const auto [a_lo, a_hi] = bounds(a);
  const auto [b_lo, b_hi] = bounds(b);
  if (a_hi < b_lo) return true;
  if (a_lo >= b_hi) return false;
  return std::nullopt;
}

std::optional<bool> symbolic_equal(const SymbolicInt& a, const SymbolicInt& b) {
  if (a.same_as(b)) return true;
  const auto [a_lo, a_hi] = bounds(a);
  const auto [b_lo, b_hi] = bounds(b);
  if (a_hi < b_lo || b_hi < a_lo) return false;
  return std::nullopt;
}

void propagate_symbolic(InferContext& ctx, const std::vector<size_t>& inputs, const SymbolicRule& rule) {
  ValueState& out = ctx.output(0);
  if (is_float(out.dtype) || !out.rank_known || out.shape.size() > 1) return;
  std::vector<std::vector<SymbolicInt>> args;
  size_t n = 1;
  for (size_t i : inputs) {
    std::optional<std::vector<SymbolicInt>> elements = symbolic_elements(ctx, i);
    if (!elements) return;
    if (elements->size() != 1) {
      if (n != 1 && n != elements->size()) return;
      n = elements->size();
    }
    args.push_back(std::move(*elements));
  }
  if (out.shape.empty() ? n != 1 : out.shape[0] != Dim(int64_t(n))) return;
  Shape value;
  std::vector<SymbolicInt> at(args.size());
  for (size_t k = 0; k < n; ++k) {
    for (size_t j = 0; j < args.size(); ++j) at[j] = args[j][args[j].size() == 1 ? 0 : k];
    value.push_back(stored_dim(rule(at), out.dtype));
  }
  out.shape_value = std::move(value);
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
