// Reductions in the opset-18 form (axes as an optional int64 2nd input, keepdims,
// noop_with_empty_axes): ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd.
#include <cmath>
#include <limits>

#include "ops/elementwise.h"
#include "ops/op_list.h"

namespace rankrt {

namespace {

// Each reduction: initial value, combine, and the final map from (accumulator, count).
struct SumFn {
  template <typename T>
  static T init() {
    return T(0);
  }
  template <typename T>
  static T combine(T acc, T x) {
    return acc + x;
  }
  template <typename T>
  static T finish(T acc, int64_t) {
    return acc;
  }
};
struct MeanFn {
  template <typename T>
  static T init() {
    return T(0);
  }
  template <typename T>
  static T combine(T acc, T x) {
    return acc + x;
  }
  template <typename T>
  static T finish(T acc, int64_t n) {
    if constexpr (std::is_floating_point_v<T>) {
      return acc / T(n);
    } else {
      return n ? T(acc / T(n)) : T(0);
    }
  }
};
struct ProdFn {
  template <typename T>
  static T init() {
    return T(1);
  }
  template <typename T>
  static T combine(T acc, T x) {
    return acc * x;
  }
  template <typename T>
  static T finish(T acc, int64_t) {
    return acc;
  }
};
struct MaxFn {
  template <typename T>
  static T init() {
    if constexpr (std::is_floating_point_v<T>) {
      return -std::numeric_limits<T>::infinity();
    } else {
      return std::numeric_limits<T>::lowest();
    }
  }
  template <typename T>
  static T combine(T acc, T x) {
    return std::isnan(double(x)) || x > acc ? x : acc;
  }
  template <typename T>
  static T finish(T acc, int64_t) {
    return acc;
  }
};
struct MinFn {
  template <typename T>
  static T init() {
    if constexpr (std::is_floating_point_v<T>) {
      return std::numeric_limits<T>::infinity();
    } else {
      return std::numeric_limits<T>::max();
    }
  }
  template <typename T>
  static T combine(T acc, T x) {
    return std::isnan(double(x)) || x < acc ? x : acc;
  }
  template <typename T>
  static T finish(T acc, int64_t) {
    return acc;
  }
};

// Which axes are reduced; nullopt when the axes input's value is not known yet.
std::optional<std::vector<bool>> reduced_axes(const InferContext& ctx, int64_t rank) {
  std::vector<int64_t> axes;
  if (ctx.has_input(1)) {
    const Tensor* c = ctx.constant(1);
    if (!c) return std::nullopt;
    if (c->rank() > 1)
      ctx.error(ErrorCode::kShape, "axes must be 1-D, got shape {}", dims_to_string(c->dims()));
    axes = c->to_int64_vector();
  }
  std::vector<bool> reduced(size_t(rank), false);
  if (axes.empty()) {
    if (ctx.node().attr_int("noop_with_empty_axes", 0) == 0) reduced.assign(size_t(rank), true);
    return reduced;
  }
  for (int64_t a : axes) {
    const int64_t axis = normalize_axis(ctx, a, rank);
    if (reduced[size_t(axis)]) ctx.error(ErrorCode::kShape, "axis {} is repeated", a);
    reduced[size_t(axis)] = true;
  }
  return reduced;
}

void infer_reduce(InferContext& ctx) {
  require_numeric(ctx, 0);
  if (ctx.has_input(1) && is_float(ctx.input(1).dtype))
    ctx.error(ErrorCode::kShape, "axes must be an integer tensor, got {}", dtype_name(ctx.input(1).dtype));
  const ValueState& x = ctx.input(0);
  const bool keepdims = ctx.node().attr_int("keepdims", 1) != 0;
  ValueState& out = ctx.output(0);
  out.dtype = x.dtype;
  if (!x.rank_known) {
    out.rank_known = false;
    return;
  }
  const int64_t rank = int64_t(x.shape.size());
  auto reduced = reduced_axes(ctx, rank);
  if (!reduced) {  // axes unknown: with keepdims the rank stays, otherwise it is unknown
    out.rank_known = keepdims;
    out.shape = keepdims ? Shape(size_t(rank), Dim()) : Shape{};
    return;
  }
  out.shape.clear();
  for (int64_t d = 0; d < rank; ++d) {
    if (!(*reduced)[size_t(d)]) {
      out.shape.push_back(x.shape[size_t(d)]);
    } else if (keepdims) {
      out.shape.push_back(Dim(1));
    }
  }
}

template <typename Fn>
void compute_reduce(ComputeContext& ctx) {
  const Tensor& x = *ctx.inputs[0];
  Tensor& out = ctx.outputs[0];
  std::vector<int64_t> axes =
      ctx.inputs.size() > 1 && ctx.inputs[1] ? ctx.inputs[1]->to_int64_vector() : std::vector<int64_t>{};
  const bool noop = axes.empty() && ctx.node.attr_int("noop_with_empty_axes", 0) != 0;
  // Element strides of the output seen from the input's dims, 0 along reduced axes.
  std::vector<bool> reduced(size_t(x.rank()), axes.empty() && !noop);
  for (int64_t a : axes) reduced[size_t(a < 0 ? a + x.rank() : a)] = true;
  std::vector<int64_t> kept_dims(x.dims());
  for (size_t d = 0; d < kept_dims.size(); ++d)
    if (reduced[d]) kept_dims[d] = 1;
  const std::vector<int64_t> strides[1] = {broadcast_strides(kept_dims, x.dims())};
  const int64_t count = out.numel() ? x.numel() / out.numel() : 0;
  dispatch_numeric(x.dtype(), [&]<typename T>() {
    const T* in = x.data<T>();
    T* po = out.data<T>();
    for (int64_t o = 0; o < out.numel(); ++o) po[o] = Fn::template init<T>();
    for_each_broadcast(x.dims(), strides,
                       [&](int64_t i, const int64_t* off) { po[off[0]] = Fn::combine(po[off[0]], in[i]); });
    for (int64_t o = 0; o < out.numel(); ++o) po[o] = Fn::finish(po[o], count);
  });
}

template <typename Fn>
OpSchema reduce(std::string_view name) {
  return OpSchema{name, 1, 2, 1, 1, &infer_reduce, &compute_reduce<Fn>};
}

}  // namespace

void append_reduce_ops(std::vector<OpSchema>& ops) {
  ops.push_back(reduce<SumFn>("ReduceSum"));
  ops.push_back(reduce<MeanFn>("ReduceMean"));
  ops.push_back(reduce<ProdFn>("ReduceProd"));
  ops.push_back(reduce<MaxFn>("ReduceMax"));
  ops.push_back(reduce<MinFn>("ReduceMin"));
}

}  // namespace rankrt
