// Lowering of the data-movement ops: Transpose, Slice, Split, Gather, Tile and Pad.
#include <array>
#include <cstring>
#include <numeric>

#include "backends/cuda/lowering.h"
#include "ops/pad.h"

namespace rankrt::cuda {

namespace {

// Row-major element strides of dims.
void row_major(const Dims& d, int64_t* strides) {
  int64_t s = 1;
  for (int i = d.rank - 1; i >= 0; --i) {
    strides[i] = s;
    s *= d.d[i];
  }
}

// First index and step of a sliced axis of size `dim` (ONNX clamping rules).
struct SliceStart {
  int64_t start, step;
};

SliceStart resolve_slice(int64_t dim, int64_t start, int64_t step) {
  if (start < 0) start += dim;
  const int64_t last = step > 0 ? dim : dim - 1;
  start = start < 0 ? 0 : (start > last ? last : start);
  return {start, step};
}

}  // namespace

// y[i] = x[strided / modular index filled per request from the concrete in / out dims].
void Lowering::lower_strided(const Node& n, size_t x, size_t y,
                             std::function<void(const Dims&, const Dims&, StridedIndex&)> fill,
                             bool row_independent) {
  const Program* prog = program_.get();
  const std::string layer = n.name;
  const int elem = int(dtype_size(program_->values[x].dtype));
  add_step(
      n,
      [=](const RunState& s) {
        const Dims in = prog->values[x].dims(s.rows), out = prog->values[y].dims(s.rows);
        StridedIndex ix;
        ix.rank = out.rank;
        for (int d = 0; d < out.rank; ++d) ix.dims[d] = ix.modulus[d] = out.d[d] > 0 ? out.d[d] : 1;
        fill(in, out, ix);
        launch_strided_copy(prog->pointer(s, x), prog->pointer(s, y), out.numel(), elem, ix, s.stream);
        RANKRT_CUDA_CHECK_LAUNCH(layer);
      },
      row_independent);
}

void Lowering::lower_transpose(const Node& n) {
  const size_t x = value(n.inputs[0], n.name);
  const size_t y = output(n);
  const int rank = int(program_->values[x].shape.size());
  std::vector<int64_t> perm(size_t(rank), 0);
  std::iota(perm.rbegin(), perm.rend(), 0);
  perm = n.attr_ints("perm", perm);
  if (int(perm.size()) != rank)
    unsupported(n, fmt::format("perm has {} entries for rank {}", perm.size(), rank));
  std::array<int, kMaxRank> p{};
  for (int d = 0; d < rank; ++d) p[size_t(d)] = int(axis_of(n, x, perm[size_t(d)]));
  lower_strided(
      n, x, y,
      [p](const Dims& in, const Dims& out, StridedIndex& ix) {
        int64_t strides[kMaxRank];
        row_major(in, strides);
        for (int d = 0; d < out.rank; ++d) ix.stride[d] = strides[p[size_t(d)]];
      },
      true);
}

void Lowering::lower_slice(const Node& n) {
  const size_t x = value(n.inputs[0], n.name);
  const size_t y = output(n);
  const std::vector<int64_t> starts = constant_ints(n, 1);
  std::vector<int64_t> axes(starts.size()), steps(starts.size(), 1);
  std::iota(axes.begin(), axes.end(), 0);
  if (n.has_input(3)) axes = constant_ints(n, 3);
  if (n.has_input(4)) steps = constant_ints(n, 4);
  if (axes.size() != starts.size() || steps.size() != starts.size() || starts.size() > size_t(kMaxRank))
    unsupported(n, "starts, axes and steps differ in length");
  struct Axis {
    int axis;
    int64_t start, step;
  };
  std::array<Axis, kMaxRank> sliced{};
  bool row_independent = true;
  for (size_t i = 0; i < starts.size(); ++i) {
    if (steps[i] == 0) unsupported(n, "a step of 0");
    sliced[i] = {int(axis_of(n, x, axes[i])), starts[i], steps[i]};
    if (symbolic_at(x, sliced[i].axis)) row_independent = false;
  }
  const size_t count = starts.size();
  lower_strided(
      n, x, y,
      [sliced, count](const Dims& in, const Dims& out, StridedIndex& ix) {
        row_major(in, ix.stride);
        for (size_t i = 0; i < count; ++i) {
          const SliceStart r = resolve_slice(in.d[sliced[i].axis], sliced[i].start, sliced[i].step);
          ix.base += r.start * ix.stride[sliced[i].axis];
          ix.stride[sliced[i].axis] *= r.step;
        }
      },
      row_independent);
}

// Split = one strided 2-D copy per output (output sizes from inference).
void Lowering::lower_split(const Node& n) {
  const size_t x = value(n.inputs[0], n.name);
  std::vector<size_t> outs;
  for (size_t i = 0; i < n.outputs.size(); ++i) outs.push_back(output(n, i));
  const int64_t axis = axis_of(n, x, n.attr_int("axis", 0));
  const Program* prog = program_.get();
  const std::string layer = n.name;
  add_step(
      n,
      [=](const RunState& s) {
        const Dims in = prog->values[x].dims(s.rows);
        const size_t elem = dtype_size(prog->values[x].dtype);
        int64_t outer = 1, inner = 1;
        for (int64_t d = 0; d < axis; ++d) outer *= in.d[d];
        for (int64_t d = axis + 1; d < in.rank; ++d) inner *= in.d[d];
        const size_t in_pitch = size_t(in.d[axis] * inner) * elem;
        size_t offset = 0;
        for (size_t out : outs) {
          const size_t width = size_t(prog->values[out].dims(s.rows).d[axis] * inner) * elem;
          if (outer > 0 && width > 0)
            RANKRT_CUDA_CHECK(
                cudaMemcpy2DAsync(prog->pointer(s, out), width,
                                  static_cast<const std::byte*>(prog->pointer(s, x)) + offset, in_pitch,
                                  width, size_t(outer), cudaMemcpyDeviceToDevice, s.stream),
                layer);
          offset += width;
        }
      },
      !symbolic_at(x, axis));
}

void Lowering::lower_gather(const Node& n) {
  const size_t x = value(n.inputs[0], n.name), idx = value(n.inputs[1], n.name);
  const DType itype = program_->values[idx].dtype;
  if (itype != DType::kI64 && itype != DType::kI32)
    unsupported(n, fmt::format("indices are {}, not int32 / int64", dtype_name(itype)));
  const size_t y = output(n);
  const int64_t axis = axis_of(n, x, n.attr_int("axis", 0));
  const Program* prog = program_.get();
  const std::string layer = n.name;
  const bool i64 = itype == DType::kI64;
  add_step(
      n,
      [=](const RunState& s) {
        const Dims in = prog->values[x].dims(s.rows);
        int64_t outer = 1, inner = 1;
        for (int64_t d = 0; d < axis; ++d) outer *= in.d[d];
        for (int64_t d = axis + 1; d < in.rank; ++d) inner *= in.d[d];
        launch_gather(prog->pointer(s, x), prog->pointer(s, idx), i64, prog->pointer(s, y),
                      int(dtype_size(prog->values[x].dtype)), outer, in.d[axis],
                      prog->values[idx].dims(s.rows).numel(), inner, s.stream);
        RANKRT_CUDA_CHECK_LAUNCH(layer);
      },
      !symbolic_at(x, axis));
}

// Tile whose tiled dims all have size 1 in the input (e.g. Tile(comm[1,176], [N,1])) is a float
// broadcast copy; other tilings index the input modulo its dims.
void Lowering::lower_tile(const Node& n) {
  const size_t x = value(n.inputs[0], n.name);
  const ValueInfo& out = info(n.outputs[0], n.name);
  const Shape& in = program_->values[x].shape;
  bool broadcast = program_->values[x].dtype == DType::kF32 && in.size() == out.shape.size();
  for (size_t d = 0; d < in.size() && d < out.shape.size(); ++d)
    if (!(in[d] == out.shape[d]) && !(in[d] == Dim(1))) broadcast = false;
  const size_t y = output(n);
  if (broadcast) return lower_unary_op(n, x, y, UnaryOp::kCopy, 0.0f);
  lower_strided(
      n, x, y,
      [](const Dims& in, const Dims&, StridedIndex& ix) {
        row_major(in, ix.stride);
        for (int d = 0; d < in.rank; ++d) ix.modulus[d] = in.d[d] > 0 ? in.d[d] : 1;
      },
      true);
}

// Pad with constant pads / axes / constant_value inputs, any mode and dtype: one kernel over the
// output.
void Lowering::lower_pad(const Node& n) {
  const size_t x = value(n.inputs[0], n.name);
  auto constant_input = [&](size_t i) -> const Tensor* {
    if (!n.has_input(i)) return nullptr;
    const Tensor* t = constant(n.inputs[i]);
    if (!t) unsupported(n, fmt::format("input {} ('{}') must be a constant", i, n.inputs[i]));
    return t;
  };
  const Tensor* axes = constant_input(3);
  const int rank = int(program_->values[x].shape.size());
  const PadAmounts amounts = pad_amounts(n, constant_input(1)->to_int64_vector(),
                                         axes ? std::optional(axes->to_int64_vector()) : std::nullopt, rank);
  const size_t y = output(n);
  const DType dtype = program_->values[y].dtype;
  PadIndex base;
  base.rank = rank;
  base.mode = pad_mode(n);
  bool row_independent = true;
  for (int d = 0; d < rank; ++d) {
    base.begin[d] = amounts.begin[size_t(d)];
    if ((amounts.begin[size_t(d)] != 0 || amounts.end[size_t(d)] != 0) && symbolic_at(x, d))
      row_independent = false;
  }
  if (const Tensor* c = constant_input(2); c && c->numel() > 0)
    std::memcpy(&base.value, c->to(dtype).raw(), dtype_size(dtype));
  const Program* prog = program_.get();
  const std::string layer = n.name;
  const int elem = int(dtype_size(dtype));
  add_step(
      n,
      [=](const RunState& s) {
        const Dims in = prog->values[x].dims(s.rows), out = prog->values[y].dims(s.rows);
        PadIndex ix = base;
        for (int d = 0; d < ix.rank; ++d) {
          ix.out_dims[d] = out.d[d];
          ix.in_dims[d] = in.d[d];
        }
        launch_pad(prog->pointer(s, x), prog->pointer(s, y), out.numel(), elem, ix, s.stream);
        RANKRT_CUDA_CHECK_LAUNCH(layer);
      },
      row_independent);
}

}  // namespace rankrt::cuda
