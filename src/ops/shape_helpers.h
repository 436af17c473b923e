// Helpers shared by the shape, data-movement, generator and elementwise ops: axis normalisation,
// reading shape-like inputs (constant or symbolic shape_value), symbolic dim arithmetic, elementwise
// symbolic evaluation of small integer values and the element-size-generic copy kernels.
#pragma once
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ops/op_schema.h"

namespace rankrt {

// Largest constant turned into a shape_value (shape vectors are short).
inline constexpr int64_t kMaxShapeValueElements = 64;

// `axis` checked against [-rank, rank) (or [-rank, rank] with `inclusive`) and made non-negative.
int64_t normalize_axis(const InferContext& ctx, int64_t axis, int64_t rank, bool inclusive = false);
// Normalised, duplicate-free axes.
std::vector<int64_t> normalize_axes(const InferContext& ctx, const std::vector<int64_t>& axes, int64_t rank);

// Throws unless input i (when present) has an integer dtype.
void require_integer_input(const InferContext& ctx, size_t i, const char* what);

// The integer elements of input i when fully known: its constant, or a concrete shape_value.
std::optional<std::vector<int64_t>> known_ints(const InferContext& ctx, size_t i);

// The elements of input i as dims, possibly symbolic: its shape_value, or a small 1-D or scalar
// integer constant (negative elements become unknown dims).
std::optional<Shape> dims_value(const InferContext& ctx, size_t i);

// Symbolic arithmetic: exact where the result is a size or a single symbol, unknown otherwise.
Dim product_of(const Shape& dims);
Dim multiply_dims(const Dim& a, const Dim& b);
Dim sum_of(const Shape& dims);
// The size d with product_of(denominator) * d == product_of(numerator); unknown when it cannot be
// determined (the caller checks concrete contradictions).
Dim quotient_of(const Shape& numerator, const Shape& denominator);

// An element of a small integer or bool value in symbolic evaluation: a known integer (of any sign;
// bools are 0 and 1), a dim symbol or unknown. A symbol is a size, so >= 0 (a shape profile's min
// is >= 1, but the reference executor also runs N = 0).
struct SymbolicInt {
  std::optional<int64_t> value;
  std::string symbol;  // without a value: the dim symbol, empty when unknown

  SymbolicInt() = default;
  SymbolicInt(int64_t v) : value(v) {}  // NOLINT: implicit from an integer is intended
  bool is_known() const { return value.has_value(); }
  // Provably equal: the same integer or the same symbol.
  bool same_as(const SymbolicInt& o) const;
};

// Whether a < b (a == b) holds for every value the elements may take: true, false, or nullopt
// when it depends on the values.
std::optional<bool> symbolic_less(const SymbolicInt& a, const SymbolicInt& b);
std::optional<bool> symbolic_equal(const SymbolicInt& a, const SymbolicInt& b);

// Elementwise symbolic evaluation of a node whose output 0 is a scalar or 1-D integer or bool:
// sets its shape_value to rule(element k of each of `inputs`) for every k, when every such input
// is a shape_value or a small integer or bool constant of n or 1 (broadcast) elements. Known
// results wrap to the output dtype as the kernels compute; negative results (not dims) and symbols
// in a type narrower than int32 become unknown dims.
using SymbolicRule = std::function<SymbolicInt(std::span<const SymbolicInt>)>;
void propagate_symbolic(InferContext& ctx, const std::vector<size_t>& inputs, const SymbolicRule& rule);

// Row-major element strides of concrete dims.
std::vector<int64_t> row_major_strides(const std::vector<int64_t>& dims);

// out[i] = in[base + sum_d(index_d(i) * strides[d])] over out's dims (strides in elements, may be
// negative or zero). in and out have the same storage dtype.
void copy_strided(const Tensor& in, Tensor& out, int64_t base, const std::vector<int64_t>& strides);

// Copies `count` blocks of `block` bytes from src (blocks `src_pitch` bytes apart) to dst (blocks
// `dst_pitch` bytes apart).
void copy_blocks(const std::byte* src, int64_t src_pitch, std::byte* dst, int64_t dst_pitch, int64_t count,
                 int64_t block);

}  // namespace rankrt
