// Data-movement ops: Concat, Split, Slice, Gather, Tile. They propagate symbolic shape values
// (Shape -> Slice/Gather/Concat -> ...) so that shape computations resolve.
#include <algorithm>
#include <limits>
#include <numeric>

#include "ops/op_list.h"
#include "ops/shape_helpers.h"

namespace rankrt {

namespace {

// Slice/end values at least this large (in magnitude) mean "to the end of the axis".
constexpr int64_t kUnboundedSlice = std::numeric_limits<int32_t>::max();

int64_t wrap_axis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

int64_t product_range(const std::vector<int64_t>& dims, size_t begin, size_t end) {
  return num_elements(std::vector<int64_t>(dims.begin() + int64_t(begin), dims.begin() + int64_t(end)));
}

// Merges the size of a non-concatenated dim seen in another input.
void merge_dim(const InferContext& ctx, Dim& have, const Dim& other, size_t axis) {
  if (have == other) return;
  if (have.is_known() && other.is_known())
    ctx.error(ErrorCode::kShape, "inputs disagree on dim {}: {} vs {}", axis, have.value, other.value);
  if (other.is_known() || (!have.is_known() && !have.is_symbolic())) have = other;
}

void infer_concat(InferContext& ctx) {
  const ValueState* ranked = nullptr;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const ValueState& in = ctx.input(i);
    if (in.dtype != ctx.input(0).dtype)
      ctx.error(ErrorCode::kShape, "input {} has dtype {} but input 0 has {}", i, dtype_name(in.dtype),
                dtype_name(ctx.input(0).dtype));
    if (in.rank_known && !ranked) ranked = &in;
  }
  ValueState& out = ctx.output(0);
  out.dtype = ctx.input(0).dtype;
  if (!ranked) {
    out.rank_known = false;
    return;
  }
  const size_t rank = ranked->shape.size();
  const size_t axis = size_t(normalize_axis(ctx, ctx.node().attr_int("axis"), int64_t(rank)));
  out.shape = ranked->shape;
  Shape axis_dims;
  bool all_ranked = true;
  std::optional<Shape> value = rank == 1 ? std::optional<Shape>(Shape{}) : std::nullopt;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const ValueState& in = ctx.input(i);
    std::optional<Shape> part = dims_value(ctx, i);
    if (value && part) {
      value->insert(value->end(), part->begin(), part->end());
    } else {
      value.reset();
    }
    if (!in.rank_known) {
      all_ranked = false;
      continue;
    }
    if (in.shape.size() != rank)
      ctx.error(ErrorCode::kShape, "input {} has shape {} but input 0 has rank {}", i,
                shape_to_string(in.shape), rank);
    for (size_t d = 0; d < rank; ++d)
      if (d != axis) merge_dim(ctx, out.shape[d], in.shape[d], d);
    axis_dims.push_back(in.shape[axis]);
  }
  out.shape[axis] = all_ranked ? sum_of(axis_dims) : Dim();
  if (value && out.shape[0] == Dim(int64_t(value->size()))) out.shape_value = std::move(value);
}

void compute_concat(ComputeContext& ctx) {
  Tensor& out = ctx.outputs[0];
  const size_t axis = size_t(wrap_axis(ctx.node.attr_int("axis"), out.rank()));
  const int64_t esize = int64_t(dtype_size(out.dtype()));
  const int64_t outer = product_range(out.dims(), 0, axis);
  const int64_t out_pitch = product_range(out.dims(), axis, out.dims().size()) * esize;
  auto* dst = static_cast<std::byte*>(out.raw());
  for (const Tensor* in : ctx.inputs) {
    const int64_t block = product_range(in->dims(), axis, in->dims().size()) * esize;
    copy_blocks(static_cast<const std::byte*>(in->raw()), block, dst, out_pitch, outer, block);
    dst += block;
  }
}

// Split sizes along the axis (unknown entries where they depend on unknown sizes).
Shape split_sizes(const InferContext& ctx, const Dim& dim) {
  const int64_t n = int64_t(ctx.num_outputs());
  if (ctx.has_input(1)) {
    std::optional<std::vector<int64_t>> split = known_ints(ctx, 1);
    if (!split) return Shape(size_t(n));
    if (int64_t(split->size()) != n)
      ctx.error(ErrorCode::kShape, "split {} has {} entries for {} outputs", dims_to_string(*split),
                split->size(), n);
    for (int64_t s : *split)
      if (s < 0) ctx.error(ErrorCode::kShape, "split {} has a negative entry", dims_to_string(*split));
    const int64_t total = std::accumulate(split->begin(), split->end(), int64_t(0));
    if (dim.is_known() && total != dim.value)
      ctx.error(ErrorCode::kShape, "split {} does not add up to the axis size {}", dims_to_string(*split),
                dim.value);
    return shape_from_dims(*split);
  }
  if (ctx.node().has_attr("num_outputs")) {
    const int64_t k = ctx.node().attr_int("num_outputs");
    if (k != n) ctx.error(ErrorCode::kShape, "num_outputs is {} but the node has {} outputs", k, n);
    if (!dim.is_known()) return n == 1 ? Shape{dim} : Shape(size_t(n));
    const int64_t chunk = (dim.value + n - 1) / n, last = dim.value - chunk * (n - 1);
    if (last < 0)
      ctx.error(ErrorCode::kShape, "cannot split an axis of size {} into {} chunks", dim.value, n);
    Shape sizes(static_cast<size_t>(n), Dim(chunk));
    sizes.back() = Dim(last);
    return sizes;
  }
  if (!dim.is_known()) return n == 1 ? Shape{dim} : Shape(size_t(n));
  if (dim.value % n != 0)
    ctx.error(ErrorCode::kShape, "cannot split an axis of size {} equally into {} outputs", dim.value, n);
  return Shape(size_t(n), Dim(dim.value / n));
}

void infer_split(InferContext& ctx) {
  const ValueState& x = ctx.input(0);
  require_integer_input(ctx, 1, "split");
  for (ValueState& out : ctx.outputs()) {
    out.dtype = x.dtype;
    out.rank_known = x.rank_known;
  }
  if (!x.rank_known) return;
  const size_t axis = size_t(normalize_axis(ctx, ctx.node().attr_int("axis", 0), int64_t(x.shape.size())));
  const Shape sizes = split_sizes(ctx, x.shape[axis]);
  const std::optional<Shape> value = x.shape.size() == 1 ? dims_value(ctx, 0) : std::nullopt;
  const std::optional<std::vector<int64_t>> known_sizes = concrete_dims(sizes);
  const bool split_value =
      value && known_sizes &&
      int64_t(value->size()) == std::accumulate(known_sizes->begin(), known_sizes->end(), int64_t(0));
  int64_t offset = 0;
  for (size_t i = 0; i < ctx.num_outputs(); ++i) {
    ValueState& out = ctx.output(i);
    out.shape = x.shape;
    out.shape[axis] = sizes[i];
    if (!split_value) continue;
    out.shape_value = Shape(value->begin() + offset, value->begin() + offset + (*known_sizes)[i]);
    offset += (*known_sizes)[i];
  }
}

void compute_split(ComputeContext& ctx) {
  const Tensor& in = *ctx.inputs[0];
  const size_t axis = size_t(wrap_axis(ctx.node.attr_int("axis", 0), in.rank()));
  const int64_t esize = int64_t(dtype_size(in.dtype()));
  const int64_t outer = product_range(in.dims(), 0, axis);
  const int64_t in_pitch = product_range(in.dims(), axis, in.dims().size()) * esize;
  const auto* src = static_cast<const std::byte*>(in.raw());
  for (Tensor& out : ctx.outputs) {
    const int64_t block = product_range(out.dims(), axis, out.dims().size()) * esize;
    copy_blocks(src, in_pitch, static_cast<std::byte*>(out.raw()), block, outer, block);
    src += block;
  }
}

// One sliced axis resolved against its size: first index, step and output length.
struct SliceRange {
  int64_t start = 0, step = 1, length = 0;
};

SliceRange resolve_slice(int64_t dim, int64_t start, int64_t end, int64_t step) {
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  SliceRange r{0, step, 0};
  if (step > 0) {
    r.start = std::clamp(start, int64_t(0), dim);
    end = std::clamp(end, int64_t(0), dim);
    r.length = end > r.start ? (end - r.start - 1) / step + 1 : 0;
  } else if (dim > 0) {
    r.start = std::clamp(start, int64_t(0), dim - 1);
    end = std::clamp(end, int64_t(-1), dim - 1);
    r.length = r.start > end ? (end - r.start + 1) / step + 1 : 0;
  }
  return r;
}

// Slice's parameters, one entry per sliced axis (axes normalised).
struct SliceParams {
  std::vector<int64_t> starts, ends, axes, steps;
};

// The parameters when all are known; axes/steps default as in ONNX. Errors name the node.
std::optional<SliceParams> slice_params(const InferContext& ctx, int64_t rank) {
  SliceParams p;
  auto starts = known_ints(ctx, 1), ends = known_ints(ctx, 2);
  auto axes = ctx.has_input(3) ? known_ints(ctx, 3) : std::nullopt;
  auto steps = ctx.has_input(4) ? known_ints(ctx, 4) : std::nullopt;
  if (!starts || !ends || (ctx.has_input(3) && !axes) || (ctx.has_input(4) && !steps)) return std::nullopt;
  const size_t n = starts->size();
  if (!axes) {
    axes.emplace(n);
    std::iota(axes->begin(), axes->end(), 0);
  }
  if (!steps) steps.emplace(n, 1);
  if (ends->size() != n || axes->size() != n || steps->size() != n)
    ctx.error(ErrorCode::kShape, "starts, ends, axes and steps have different lengths ({}, {}, {}, {})", n,
              ends->size(), axes->size(), steps->size());
  for (int64_t s : *steps)
    if (s == 0) ctx.error(ErrorCode::kShape, "steps {} holds a 0", dims_to_string(*steps));
  p.axes = normalize_axes(ctx, *axes, rank);
  p.starts = std::move(*starts);
  p.ends = std::move(*ends);
  p.steps = std::move(*steps);
  return p;
}

// Output size of a sliced axis whose input size is not known: only whole-axis slices keep it.
Dim slice_unknown_dim(const Dim& dim, int64_t start, int64_t end, int64_t step) {
  if (step == 1 && start == 0 && end >= kUnboundedSlice) return dim;
  if (step == -1 && (start == -1 || start >= kUnboundedSlice) && end <= -kUnboundedSlice) return dim;
  return Dim();
}

void infer_slice(InferContext& ctx) {
  const ValueState& x = ctx.input(0);
  for (size_t i = 1; i < 5; ++i) require_integer_input(ctx, i, "slice parameter");
  ValueState& out = ctx.output(0);
  out.dtype = x.dtype;
  out.rank_known = x.rank_known;
  if (!x.rank_known) return;
  const int64_t rank = int64_t(x.shape.size());
  const std::optional<SliceParams> p = slice_params(ctx, rank);
  out.shape = x.shape;
  if (!p) {
    std::optional<std::vector<int64_t>> axes = ctx.has_input(3) ? known_ints(ctx, 3) : std::nullopt;
    if (axes) {
      for (int64_t a : normalize_axes(ctx, *axes, rank)) out.shape[size_t(a)] = Dim();
    } else {
      out.shape = Shape(size_t(rank));
    }
    return;
  }
  std::vector<SliceRange> ranges(static_cast<size_t>(rank));
  bool all_known = true;
  for (size_t i = 0; i < p->axes.size(); ++i) {
    Dim& d = out.shape[size_t(p->axes[i])];
    if (!d.is_known()) {
      d = slice_unknown_dim(d, p->starts[i], p->ends[i], p->steps[i]);
      all_known = false;
      continue;
    }
    ranges[size_t(p->axes[i])] = resolve_slice(d.value, p->starts[i], p->ends[i], p->steps[i]);
    d = Dim(ranges[size_t(p->axes[i])].length);
  }
  std::optional<Shape> value = rank == 1 && all_known ? dims_value(ctx, 0) : std::nullopt;
  if (!value || Dim(int64_t(value->size())) != x.shape[0]) return;
  const SliceRange r = p->axes.empty() ? SliceRange{0, 1, int64_t(value->size())} : ranges[0];
  out.shape_value.emplace();
  for (int64_t k = 0; k < r.length; ++k) out.shape_value->push_back((*value)[size_t(r.start + k * r.step)]);
}

void compute_slice(ComputeContext& ctx) {
  const Tensor& in = *ctx.inputs[0];
  const int64_t rank = in.rank();
  const std::vector<int64_t> starts = ctx.inputs[1]->to_int64_vector(),
                             ends = ctx.inputs[2]->to_int64_vector();
  std::vector<int64_t> axes(starts.size()), steps(starts.size(), 1);
  std::iota(axes.begin(), axes.end(), 0);
  if (ctx.inputs.size() > 3 && ctx.inputs[3]) axes = ctx.inputs[3]->to_int64_vector();
  if (ctx.inputs.size() > 4 && ctx.inputs[4]) steps = ctx.inputs[4]->to_int64_vector();
  std::vector<int64_t> strides = row_major_strides(in.dims());
  int64_t base = 0;
  for (size_t i = 0; i < axes.size(); ++i) {
    const size_t a = size_t(wrap_axis(axes[i], rank));
    const SliceRange r = resolve_slice(in.dims()[a], starts[i], ends[i], steps[i]);
    base += r.start * strides[a];
    strides[a] *= r.step;
  }
  copy_strided(in, ctx.outputs[0], base, strides);
}

void infer_gather(InferContext& ctx) {
  const ValueState& x = ctx.input(0);
  const ValueState& indices = ctx.input(1);
  require_integer_input(ctx, 1, "indices");
  ValueState& out = ctx.output(0);
  out.dtype = x.dtype;
  if (!x.rank_known || !indices.rank_known) {
    out.rank_known = false;
    return;
  }
  const size_t axis = size_t(normalize_axis(ctx, ctx.node().attr_int("axis", 0), int64_t(x.shape.size())));
  out.shape.assign(x.shape.begin(), x.shape.begin() + int64_t(axis));
  out.shape.insert(out.shape.end(), indices.shape.begin(), indices.shape.end());
  out.shape.insert(out.shape.end(), x.shape.begin() + int64_t(axis) + 1, x.shape.end());
  if (x.shape.size() != 1 || indices.shape.size() > 1) return;
  std::optional<Shape> value = dims_value(ctx, 0);
  std::optional<std::vector<int64_t>> picks = known_ints(ctx, 1);
  if (!value || !picks) return;
  const int64_t n = int64_t(value->size());
  out.shape_value.emplace();
  for (int64_t k : *picks) {
    if (k < -n || k >= n) ctx.error(ErrorCode::kShape, "index {} is out of range for size {}", k, n);
    out.shape_value->push_back((*value)[size_t(k < 0 ? k + n : k)]);
  }
}

void compute_gather(ComputeContext& ctx) {
  const Tensor& in = *ctx.inputs[0];
  const size_t axis = size_t(wrap_axis(ctx.node.attr_int("axis", 0), in.rank()));
  const int64_t n = in.dims()[axis];
  std::vector<int64_t> picks = ctx.inputs[1]->to_int64_vector();
  for (int64_t& k : picks) {
    if (k < -n || k >= n)
      fail(ErrorCode::kRuntime, "node '{}' (Gather): index {} is out of range for axis {} of size {}",
           ctx.node.name, k, axis, n);
    if (k < 0) k += n;
  }
  const int64_t block =
      product_range(in.dims(), axis + 1, in.dims().size()) * int64_t(dtype_size(in.dtype()));
  const int64_t outer = product_range(in.dims(), 0, axis), count = int64_t(picks.size());
  const auto* src = static_cast<const std::byte*>(in.raw());
  auto* dst = static_cast<std::byte*>(ctx.outputs[0].raw());
  if (block == 0) return;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < count; ++j)
      std::memcpy(dst + (o * count + j) * block, src + (o * n + picks[size_t(j)]) * block, size_t(block));
}

void infer_tile(InferContext& ctx) {
  const ValueState& x = ctx.input(0);
  require_integer_input(ctx, 1, "repeats");
  ValueState& out = ctx.output(0);
  out.dtype = x.dtype;
  std::optional<Shape> repeats;
  if (auto ints = known_ints(ctx, 1)) {
    for (int64_t r : *ints)
      if (r < 0) ctx.error(ErrorCode::kShape, "repeats {} has a negative entry", dims_to_string(*ints));
    repeats = shape_from_dims(*ints);
  } else {
    repeats = dims_value(ctx, 1);
  }
  if (!x.rank_known) {
    if (repeats) {
      out.shape = Shape(repeats->size());
    } else {
      out.rank_known = false;
    }
    return;
  }
  if (!repeats) {
    out.shape = Shape(x.shape.size());
    return;
  }
  if (repeats->size() != x.shape.size())
    ctx.error(ErrorCode::kShape, "repeats {} has {} entries for input {}", shape_to_string(*repeats),
              repeats->size(), shape_to_string(x.shape));
  for (size_t d = 0; d < x.shape.size(); ++d) out.shape.push_back(multiply_dims(x.shape[d], (*repeats)[d]));
}

void compute_tile(ComputeContext& ctx) {
  const Tensor& in = *ctx.inputs[0];
  Tensor& out = ctx.outputs[0];
  const int64_t esize = int64_t(dtype_size(in.dtype()));
  const auto* src = static_cast<const std::byte*>(in.raw());
  auto* dst = static_cast<std::byte*>(out.raw());
  if (out.numel() == 0) return;
  if (in.rank() == 0) {
    std::memcpy(dst, src, size_t(esize));
    return;
  }
  const size_t last = size_t(in.rank() - 1);
  const int64_t row = in.dims()[last], copies = out.dims()[last] / row;
  const std::vector<int64_t> in_strides = row_major_strides(in.dims());
  std::vector<int64_t> idx(last, 0);
  for (int64_t o = 0; o < out.numel(); o += row * copies) {
    int64_t offset = 0;
    for (size_t d = 0; d < last; ++d) offset += idx[d] % in.dims()[d] * in_strides[d];
    for (int64_t c = 0; c < copies; ++c)
      std::memcpy(dst + (o + c * row) * esize, src + offset * esize, size_t(row * esize));
    for (size_t d = last; d-- > 0;) {
      if (++idx[d] < out.dims()[d]) break;
      idx[d] = 0;
    }
  }
}

}  // namespace

void append_data_movement_ops(std::vector<OpSchema>& ops) {
  constexpr int kMany = std::numeric_limits<int>::max();
  ops.push_back({"Concat", 1, kMany, 1, 1, infer_concat, compute_concat});
  ops.push_back({"Split", 1, 2, 1, kMany, infer_split, compute_split});
  ops.push_back({"Slice", 3, 5, 1, 1, infer_slice, compute_slice});
  ops.push_back({"Gather", 2, 2, 1, 1, infer_gather, compute_gather});
  ops.push_back({"Tile", 2, 2, 1, 1, infer_tile, compute_tile});
}

}  // namespace rankrt
