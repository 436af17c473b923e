// Helpers shared by the shape, data-movement and generator ops: axis normalisation, reading
// shape-like inputs (constant or symbolic shape_value), symbolic dim arithmetic and the
// element-size-generic copy kernels.
#pragma once
#include <optional>
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
