// Lowering of reductions, normalisations and the remaining pointwise ops: ReduceSum / Mean / Max,
// Softmax, LayerNormalization, BatchNormalization, Clip, Gelu and Where.
#include <algorithm>
#include <cmath>

#include "backends/cuda/kernels/pointwise.h"
#include "backends/cuda/kernels/reduce.h"
#include "backends/cuda/lowering.h"

namespace rankrt::cuda {

namespace {

// Products of the dims before `first`, in [first, last] and after `last`.
struct Lines {
  int64_t outer = 1, axis = 1, inner = 1;
};

Lines lines_of(const Dims& d, int first, int last) {
  Lines l;
  for (int i = 0; i < d.rank; ++i) (i < first ? l.outer : i > last ? l.inner : l.axis) *= d.d[i];
  return l;
}

}  // namespace

void Lowering::lower_reduce(const Node& n) {
  const size_t x = value(n.inputs[0], n.name);
  require_f32(n, x);
  const int rank = int(program_->values[x].shape.size());
  std::vector<int64_t> axes;
  if (n.has_input(1)) {
    for (int64_t a : constant_ints(n, 1)) axes.push_back(axis_of(n, x, a));
  }
  if (axes.empty()) {
    if (n.attr_int("noop_with_empty_axes", 0) != 0) return lower_copy(n, x, output(n));
    for (int a = 0; a < rank; ++a) axes.push_back(a);
  }
  std::sort(axes.begin(), axes.end());
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  if (axes.back() - axes.front() + 1 != int64_t(axes.size()))
    unsupported(n, fmt::format("reduced axes {} are not contiguous", dims_to_string(axes)));
  bool row_independent = true;
  for (int64_t a : axes) row_independent = row_independent && !symbolic_at(x, a);
  const ReduceOp op = n.op == "ReduceSum"    ? ReduceOp::kSum
                      : n.op == "ReduceMean" ? ReduceOp::kMean
                                             : ReduceOp::kMax;
  const int first = rank == 0 ? 0 : int(axes.front()), last = rank == 0 ? -1 : int(axes.back());
  const size_t y = output(n);
  const Program* prog = program_.get();
  const std::string layer = n.name;
  add_step(
      n,
      [=](const RunState& s) {
        const Lines l = lines_of(prog->values[x].dims(s.rows), first, last);
        launch_reduce(op, static_cast<const float*>(prog->pointer(s, x)),
                      static_cast<float*>(prog->pointer(s, y)), l.outer, l.axis, l.inner, s.stream);
        RANKRT_CUDA_CHECK_LAUNCH(layer);
      },
      row_independent);
}

void Lowering::lower_softmax(const Node& n) {
  const size_t x = value(n.inputs[0], n.name);
  require_f32(n, x);
  const int axis = int(axis_of(n, x, n.attr_int("axis", -1)));
  const size_t y = output(n);
  const Program* prog = program_.get();
  const std::string layer = n.name;
  add_step(
      n,
      [=](const RunState& s) {
        const Lines l = lines_of(prog->values[x].dims(s.rows), axis, axis);
        launch_softmax(static_cast<const float*>(prog->pointer(s, x)),
                       static_cast<float*>(prog->pointer(s, y)), l.outer, l.axis, l.inner, s.stream);
        RANKRT_CUDA_CHECK_LAUNCH(layer);
      },
      !symbolic_at(x, axis));
}

void Lowering::lower_layer_norm(const Node& n) {
  for (size_t i = 1; i < n.outputs.size(); ++i)
    if (!n.outputs[i].empty()) unsupported(n, "only output 0 (Y); Mean and InvStdDev are not computed");
  const size_t x = value(n.inputs[0], n.name), scale = value(n.inputs[1], n.name);
  require_f32(n, x);
  require_f32(n, scale);
  std::optional<size_t> bias;
  if (n.has_input(2)) {
    bias = value(n.inputs[2], n.name);
    require_f32(n, *bias);
  }
  const int rank = int(program_->values[x].shape.size());
  const int axis = int(axis_of(n, x, n.attr_int("axis", -1)));
  bool row_independent = true;
  for (int a = axis; a < rank; ++a) row_independent = row_independent && !symbolic_at(x, a);
  const Shape normalized(program_->values[x].shape.begin() + axis, program_->values[x].shape.end());
  auto same_size = [&](size_t v) {
    const auto a = concrete_dims(program_->values[v].shape), b = concrete_dims(normalized);
    return a && b && num_elements(*a) == num_elements(*b);
  };
  if (!same_size(scale) || (bias && !same_size(*bias)))
    unsupported(n,
                fmt::format("scale / bias must have the normalized shape {}", shape_to_string(normalized)));
  const float epsilon = float(n.attr_float("epsilon", 1e-5));
  const size_t y = output(n);
  const Program* prog = program_.get();
  const std::string layer = n.name;
  add_step(
      n,
      [=](const RunState& s) {
        const Lines l = lines_of(prog->values[x].dims(s.rows), axis, rank - 1);
        launch_layer_norm(static_cast<const float*>(prog->pointer(s, x)),
                          static_cast<const float*>(prog->pointer(s, scale)),
                          bias ? static_cast<const float*>(prog->pointer(s, *bias)) : nullptr,
                          static_cast<float*>(prog->pointer(s, y)), l.outer, l.axis, epsilon, s.stream);
        RANKRT_CUDA_CHECK_LAUNCH(layer);
      },
      row_independent);
}

// Inference BatchNormalization with constant statistics folds into y = x * mul[c] + add[c].
void Lowering::lower_batch_norm(const Node& n) {
  if (n.attr_int("training_mode", 0) != 0) unsupported(n, "training_mode = 1");
  const size_t x = value(n.inputs[0], n.name);
  require_f32(n, x);
  if (program_->values[x].shape.size() < 2) unsupported(n, "X must have rank >= 2");
  std::vector<Tensor> p;
  for (size_t i = 1; i <= 4; ++i) {
    const Tensor* t = constant(n.inputs[i]);
    if (!t) unsupported(n, fmt::format("input {} (scale, B, mean, var) must be a constant", i));
    p.push_back(t->to(DType::kF64));
  }
  const int64_t channels = p[0].numel();
  for (const Tensor& t : p)
    if (t.numel() != channels) unsupported(n, "scale, B, mean and var differ in length");
  const double epsilon = n.attr_float("epsilon", 1e-5);
  Tensor mul(DType::kF64, {channels}), add(DType::kF64, {channels});
  for (int64_t c = 0; c < channels; ++c) {
    const double m = p[0].data<double>()[c] / std::sqrt(p[3].data<double>()[c] + epsilon);
    mul.data<double>()[c] = m;
    add.data<double>()[c] = p[1].data<double>()[c] - p[2].data<double>()[c] * m;
  }
  const size_t mv = upload_weight(n.name + "/mul", mul, DType::kF32);
  const size_t av = upload_weight(n.name + "/add", add, DType::kF32);
  const size_t y = output(n);
  const Program* prog = program_.get();
  const std::string layer = n.name;
  add_step(n, [=](const RunState& s) {
    const Dims d = prog->values[x].dims(s.rows);
    const Lines l = lines_of(d, 1, 1);
    launch_channel_affine(static_cast<const float*>(prog->pointer(s, x)),
                          static_cast<const float*>(prog->pointer(s, mv)),
                          static_cast<const float*>(prog->pointer(s, av)),
                          static_cast<float*>(prog->pointer(s, y)), d.numel(), channels, l.inner, s.stream);
    RANKRT_CUDA_CHECK_LAUNCH(layer);
  });
}

void Lowering::lower_pointwise(const Node& n) {
  const size_t x = value(n.inputs[0], n.name);
  require_f32(n, x);
  PointwiseOp op = PointwiseOp::kClip;
  float a = -INFINITY, b = INFINITY;
  if (n.op == "Clip") {
    auto bound = [&](size_t i, float fallback) {
      if (!n.has_input(i)) return fallback;
      const Tensor* t = constant(n.inputs[i]);
      if (!t || t->numel() != 1) unsupported(n, fmt::format("input {} must be a one-element constant", i));
      return float(t->as_double(0));
    };
    a = bound(1, -INFINITY);
    b = bound(2, INFINITY);
  } else {
    const std::string approximate = n.attr_string("approximate", "none");
    if (approximate != "none" && approximate != "tanh") unsupported(n, "approximate = '" + approximate + "'");
    op = approximate == "tanh" ? PointwiseOp::kGeluTanh : PointwiseOp::kGeluErf;
  }
  const size_t y = output(n);
  const Program* prog = program_.get();
  const std::string layer = n.name;
  add_step(n, [=](const RunState& s) {
    launch_pointwise(op, static_cast<const float*>(prog->pointer(s, x)),
                     static_cast<float*>(prog->pointer(s, y)), prog->values[y].dims(s.rows).numel(), a, b,
                     s.stream);
    RANKRT_CUDA_CHECK_LAUNCH(layer);
  });
}

void Lowering::lower_where(const Node& n) {
  const size_t c = value(n.inputs[0], n.name), a = value(n.inputs[1], n.name), b = value(n.inputs[2], n.name);
  if (program_->values[c].dtype != DType::kBool) unsupported(n, "the condition must be bool");
  require_f32(n, a);
  require_f32(n, b);
  const size_t y = output(n);
  const Program* prog = program_.get();
  const std::string layer = n.name;
  add_step(n, [=](const RunState& s) {
    const Dims out = prog->values[y].dims(s.rows);
    WhereIndex ix;
    ix.rank = out.rank;
    for (int d = 0; d < out.rank; ++d) ix.dims[d] = out.d[d];
    broadcast_strides(prog->values[c].dims(s.rows), out, ix.cond);
    broadcast_strides(prog->values[a].dims(s.rows), out, ix.x);
    broadcast_strides(prog->values[b].dims(s.rows), out, ix.y);
    launch_where(static_cast<const bool*>(prog->pointer(s, c)),
                 static_cast<const float*>(prog->pointer(s, a)),
                 static_cast<const float*>(prog->pointer(s, b)), static_cast<float*>(prog->pointer(s, y)),
                 out.numel(), ix, s.stream);
    RANKRT_CUDA_CHECK_LAUNCH(layer);
  });
}

}  // namespace rankrt::cuda
