// Shape ops: Shape, Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Expand. Shape-like inputs
// may be symbolic (shape_value), so that a batch dim N flows through shape computations.
#include <algorithm>
#include <numeric>

#include "ops/broadcast.h"
#include "ops/op_list.h"
#include "ops/shape_helpers.h"

namespace rankrt {

namespace {

// A value that keeps its elements (only the dims change) also keeps its shape_value.
void forward_shape_value(InferContext& ctx) {
  ValueState& out = ctx.output(0);
  if (out.shape.size() > 1) return;
  std::optional<Shape> value = dims_value(ctx, 0);
  if (value && (out.shape.empty() ? value->size() == 1 : out.shape[0] == Dim(int64_t(value->size()))))
    out.shape_value = std::move(value);
}

void copy_bytes(ComputeContext& ctx) {
  const Tensor& in = *ctx.inputs[0];
  Tensor& out = ctx.outputs[0];
  if (in.nbytes() != out.nbytes())
    fail(ErrorCode::kRuntime, "node '{}' ({}): cannot view {} as {}", ctx.node.name, ctx.node.op,
         dims_to_string(in.dims()), dims_to_string(out.dims()));
  if (in.nbytes()) std::memcpy(out.raw(), in.raw(), in.nbytes());
}

// Shape: [start, end) of the input's dims, clamped as in ONNX.
std::pair<int64_t, int64_t> shape_range(const Node& node, int64_t rank) {
  auto clamp = [rank](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t(0), rank); };
  const int64_t start = clamp(node.attr_int("start", 0)), end = clamp(node.attr_int("end", rank));
  return {start, std::max(start, end)};
}

void infer_shape(InferContext& ctx) {
  const ValueState& x = ctx.input(0);
  ValueState& out = ctx.output(0);
  out.dtype = DType::kI64;
  if (!x.rank_known) {
    out.shape = {Dim()};
    return;
  }
  auto [start, end] = shape_range(ctx.node(), int64_t(x.shape.size()));
  out.shape = {Dim(end - start)};
  out.shape_value = Shape(x.shape.begin() + start, x.shape.begin() + end);
}

void compute_shape(ComputeContext& ctx) {
  const std::vector<int64_t>& dims = ctx.inputs[0]->dims();
  auto [start, end] = shape_range(ctx.node, int64_t(dims.size()));
  std::copy(dims.begin() + start, dims.begin() + end, ctx.outputs[0].data<int64_t>());
}

// Reshape's target dims before the -1 (or unknown) entry is solved.
struct ReshapeTarget {
  Shape dims;
  std::optional<size_t> solve_at;  // the entry to derive from the element count
  bool solvable = true;            // false when several entries are unknown
};

std::optional<ReshapeTarget> reshape_target(const InferContext& ctx) {
  const ValueState& x = ctx.input(0);
  const bool allowzero = ctx.node().attr_int("allowzero", 0) != 0;
  auto copied_dim = [&](size_t i) {
    if (!x.rank_known) return Dim();
    if (i >= x.shape.size())
      ctx.error(ErrorCode::kShape, "shape element {} is 0 but the input {} has no dim {}", i,
                shape_to_string(x.shape), i);
    return x.shape[i];
  };
  ReshapeTarget t;
  if (auto ints = known_ints(ctx, 1)) {
    bool has_zero = false;
    for (size_t i = 0; i < ints->size(); ++i) {
      const int64_t v = (*ints)[i];
      if (v == -1) {
        if (t.solve_at) ctx.error(ErrorCode::kShape, "shape {} has more than one -1", dims_to_string(*ints));
        t.solve_at = i;
        t.dims.push_back(Dim());
      } else if (v < -1) {
        ctx.error(ErrorCode::kShape, "shape {} has an invalid element {}", dims_to_string(*ints), v);
      } else if (v == 0 && !allowzero) {
        t.dims.push_back(copied_dim(i));
      } else {
        has_zero = has_zero || v == 0;
        t.dims.push_back(Dim(v));
      }
    }
    if (has_zero && t.solve_at)
      ctx.error(ErrorCode::kShape, "shape {} holds both 0 and -1 with allowzero=1", dims_to_string(*ints));
    return t;
  }
  std::optional<Shape> value = dims_value(ctx, 1);
  if (!value) return std::nullopt;
  for (size_t i = 0; i < value->size(); ++i) {
    const Dim& d = (*value)[i];
    if (d == Dim(0) && !allowzero) {
      t.dims.push_back(copied_dim(i));
    } else if (!d.is_known() && !d.is_symbolic()) {
      if (t.solve_at) t.solvable = false;
      t.solve_at = t.solve_at.value_or(i);
      t.dims.push_back(Dim());
    } else {
      t.dims.push_back(d);
    }
  }
  return t;
}

void infer_reshape(InferContext& ctx) {
  const ValueState& x = ctx.input(0);
  require_integer_input(ctx, 1, "shape");
  ValueState& out = ctx.output(0);
  out.dtype = x.dtype;
  std::optional<ReshapeTarget> target = reshape_target(ctx);
  if (!target) {
    const ValueState& s = ctx.input(1);
    if (s.rank_known && s.shape.size() == 1 && s.shape[0].is_known()) {
      out.shape = Shape(size_t(s.shape[0].value));
    } else {
      out.rank_known = false;
    }
    return;
  }
  out.shape = target->dims;
  const auto in_dims = x.rank_known ? concrete_dims(x.shape) : std::nullopt;
  if (target->solve_at && target->solvable && x.rank_known) {
    Shape others = out.shape;
    others.erase(others.begin() + int64_t(*target->solve_at));
    out.shape[*target->solve_at] = quotient_of(x.shape, others);
    if (in_dims && concrete_dims(others) && !out.shape[*target->solve_at].is_known())
      ctx.error(ErrorCode::kShape, "cannot reshape {} to {}: the element counts do not divide",
                shape_to_string(x.shape), shape_to_string(target->dims));
  }
  const auto out_dims = concrete_dims(out.shape);
  if (in_dims && out_dims && num_elements(*in_dims) != num_elements(*out_dims))
    ctx.error(ErrorCode::kShape, "cannot reshape {} to {}", shape_to_string(x.shape),
              shape_to_string(out.shape));
  forward_shape_value(ctx);
}

void infer_flatten(InferContext& ctx) {
  const ValueState& x = ctx.input(0);
  ValueState& out = ctx.output(0);
  out.dtype = x.dtype;
  if (!x.rank_known) {
    out.shape = {Dim(), Dim()};
    return;
  }
  const int64_t rank = int64_t(x.shape.size());
  const int64_t axis = normalize_axis(ctx, ctx.node().attr_int("axis", 1), rank, true);
  out.shape = {product_of(Shape(x.shape.begin(), x.shape.begin() + axis)),
               product_of(Shape(x.shape.begin() + axis, x.shape.end()))};
}

void infer_squeeze(InferContext& ctx) {
  const ValueState& x = ctx.input(0);
  require_integer_input(ctx, 1, "axes");
  ValueState& out = ctx.output(0);
  out.dtype = x.dtype;
  const std::optional<std::vector<int64_t>> axes =
      ctx.has_input(1) ? known_ints(ctx, 1) : std::vector<int64_t>{};
  if (!x.rank_known || !axes) {
    out.rank_known = false;
    return;
  }
  std::vector<int64_t> squeezed = normalize_axes(ctx, *axes, int64_t(x.shape.size()));
  if (axes->empty()) {              // no axes: every dim of size 1
    if (!concrete_dims(x.shape)) {  // a symbolic dim may or may not be 1
      out.rank_known = false;
      return;
    }
    for (size_t d = 0; d < x.shape.size(); ++d)
      if (x.shape[d] == Dim(1)) squeezed.push_back(int64_t(d));
  }
  for (int64_t a : squeezed) {
    if (x.shape[size_t(a)].is_known() && x.shape[size_t(a)].value != 1)
      ctx.error(ErrorCode::kShape, "cannot squeeze axis {} of shape {}", a, shape_to_string(x.shape));
  }
  for (size_t d = 0; d < x.shape.size(); ++d)
    if (std::find(squeezed.begin(), squeezed.end(), int64_t(d)) == squeezed.end())
      out.shape.push_back(x.shape[d]);
  forward_shape_value(ctx);
}

void infer_unsqueeze(InferContext& ctx) {
  const ValueState& x = ctx.input(0);
  require_integer_input(ctx, 1, "axes");
  ValueState& out = ctx.output(0);
  out.dtype = x.dtype;
  const std::optional<std::vector<int64_t>> axes = known_ints(ctx, 1);
  if (!x.rank_known || !axes) {
    out.rank_known = false;
    return;
  }
  const int64_t rank = int64_t(x.shape.size() + axes->size());
  const std::vector<int64_t> inserted = normalize_axes(ctx, *axes, rank);
  auto next = x.shape.begin();
  for (int64_t d = 0; d < rank; ++d)
    out.shape.push_back(std::find(inserted.begin(), inserted.end(), d) != inserted.end() ? Dim(1) : *next++);
  forward_shape_value(ctx);
}

std::vector<int64_t> transpose_perm(const Node& node, int64_t rank) {
  if (node.has_attr("perm")) return node.attr_ints("perm");
  std::vector<int64_t> perm(static_cast<size_t>(rank));
  std::iota(perm.rbegin(), perm.rend(), 0);
  return perm;
}

void infer_transpose(InferContext& ctx) {
  const ValueState& x = ctx.input(0);
  ValueState& out = ctx.output(0);
  out.dtype = x.dtype;
  if (!x.rank_known) {
    if (ctx.node().has_attr("perm")) {
      out.shape = Shape(ctx.node().attr_ints("perm").size());
    } else {
      out.rank_known = false;
    }
    return;
  }
  const int64_t rank = int64_t(x.shape.size());
  const std::vector<int64_t> perm = transpose_perm(ctx.node(), rank);
  auto bad_perm = [&] {
    ctx.error(ErrorCode::kShape, "perm {} is not a permutation of the axes of {}", dims_to_string(perm),
              shape_to_string(x.shape));
  };
  if (int64_t(perm.size()) != rank) bad_perm();
  std::vector<bool> seen(size_t(rank), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[size_t(p)]) bad_perm();
    seen[size_t(p)] = true;
    out.shape.push_back(x.shape[size_t(p)]);
  }
}

void compute_transpose(ComputeContext& ctx) {
  const Tensor& in = *ctx.inputs[0];
  const std::vector<int64_t> perm = transpose_perm(ctx.node, in.rank());
  const std::vector<int64_t> in_strides = row_major_strides(in.dims());
  std::vector<int64_t> strides;
  for (int64_t p : perm) strides.push_back(in_strides[size_t(p)]);
  copy_strided(in, ctx.outputs[0], 0, strides);
}

void infer_expand(InferContext& ctx) {
  const ValueState& x = ctx.input(0);
  require_integer_input(ctx, 1, "shape");
  ValueState& out = ctx.output(0);
  out.dtype = x.dtype;
  std::optional<Shape> target;
  if (auto ints = known_ints(ctx, 1)) {
    for (int64_t v : *ints)
      if (v < 0) ctx.error(ErrorCode::kShape, "shape {} has a negative element", dims_to_string(*ints));
    target = shape_from_dims(*ints);
  } else {
    target = dims_value(ctx, 1);
  }
  if (!x.rank_known) {
    out.rank_known = false;
    return;
  }
  if (!target) {
    const ValueState& s = ctx.input(1);
    if (s.rank_known && s.shape.size() == 1 && s.shape[0].is_known()) {
      out.shape = Shape(size_t(std::max<int64_t>(s.shape[0].value, int64_t(x.shape.size()))));
    } else {
      out.rank_known = false;
    }
    return;
  }
  out.shape = broadcast_shapes(ctx, x.shape, *target);
}

void compute_expand(ComputeContext& ctx) {
  const Tensor& in = *ctx.inputs[0];
  Tensor& out = ctx.outputs[0];
  copy_strided(in, out, 0, broadcast_strides(in.dims(), out.dims()));
}

}  // namespace

void append_shape_ops(std::vector<OpSchema>& ops) {
  ops.push_back({"Shape", 1, 1, 1, 1, infer_shape, compute_shape});
  ops.push_back({"Reshape", 2, 2, 1, 1, infer_reshape, copy_bytes});
  ops.push_back({"Flatten", 1, 1, 1, 1, infer_flatten, copy_bytes});
  ops.push_back({"Squeeze", 1, 2, 1, 1, infer_squeeze, copy_bytes});
  ops.push_back({"Unsqueeze", 2, 2, 1, 1, infer_unsqueeze, copy_bytes});
  ops.push_back({"Transpose", 1, 1, 1, 1, infer_transpose, compute_transpose});
  ops.push_back({"Expand", 2, 2, 1, 1, infer_expand, compute_expand});
}

}  // namespace rankrt
