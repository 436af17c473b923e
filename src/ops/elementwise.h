// Private helpers of the numeric op kernels: dtype checks, broadcast inference, broadcasting
// loops, axis normalisation and kernel errors that name the node.
#pragma once
#include <type_traits>

#include "ops/broadcast.h"

namespace rankrt {

// Throws from a kernel, prefixing the node name and op like InferContext::error.
template <typename... Args>
[[noreturn]] void compute_error(const ComputeContext& ctx, ErrorCode code, fmt::format_string<Args...> format,
                                Args&&... args) {
  fail(code, "node '{}' ({}): {}", ctx.node.name, ctx.node.op,
       fmt::format(format, std::forward<Args>(args)...));
}

// Like dispatch_storage, without bool: for arithmetic kernels.
template <typename F>
decltype(auto) dispatch_numeric(DType t, F&& f) {
  if (t == DType::kBool) fail(ErrorCode::kUnsupported, "expected a numeric tensor, got bool");
  return dispatch_storage(t, [&]<typename T>() -> decltype(auto) {
    if constexpr (std::is_same_v<T, bool>) {
      return f.template operator()<int8_t>();  // unreachable: bool was rejected above
    } else {
      return f.template operator()<T>();
    }
  });
}

inline void require_float(const InferContext& ctx, size_t i) {
  const DType t = ctx.input(i).dtype;
  if (!is_float(t)) ctx.error(ErrorCode::kShape, "input {} must be a float tensor, got {}", i, dtype_name(t));
}

inline void require_numeric(const InferContext& ctx, size_t i) {
  const DType t = ctx.input(i).dtype;
  if (t == DType::kBool) ctx.error(ErrorCode::kShape, "input {} must be numeric, got bool", i);
}

inline void require_bool(const InferContext& ctx, size_t i) {
  const DType t = ctx.input(i).dtype;
  if (t != DType::kBool) ctx.error(ErrorCode::kShape, "input {} must be bool, got {}", i, dtype_name(t));
}

inline void require_same_dtype(const InferContext& ctx, size_t i, size_t j) {
  const DType a = ctx.input(i).dtype, b = ctx.input(j).dtype;
  if (a != b)
    ctx.error(ErrorCode::kShape, "inputs {} and {} must have the same dtype, got {} and {}", i, j,
              dtype_name(a), dtype_name(b));
}

// Output `out` gets input `in`'s dtype and shape.
inline void set_like_input(InferContext& ctx, size_t out, size_t in) {
  const ValueState& s = ctx.input(in);
  ValueState& o = ctx.output(out);
  o.dtype = s.dtype;
  o.shape = s.shape;
  o.rank_known = s.rank_known;
}

// Multidirectional broadcast of the given inputs' shapes into output `out` with `dtype`.
inline void set_broadcast_output(InferContext& ctx, size_t out, const std::vector<size_t>& inputs,
                                 DType dtype) {
  ValueState& o = ctx.output(out);
  o.dtype = dtype;
  o.shape.clear();
  o.rank_known = true;
  for (size_t i : inputs) {
    const ValueState& s = ctx.input(i);
    if (!s.rank_known) o.rank_known = false;
    if (o.rank_known) o.shape = broadcast_shapes(ctx, o.shape, s.shape);
  }
  if (!o.rank_known) o.shape.clear();
}

// An axis in [-rank, rank) as a non-negative index.
inline int64_t normalize_axis(const InferContext& ctx, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    ctx.error(ErrorCode::kShape, "axis {} is out of range for rank {}", axis, rank);
  return axis < 0 ? axis + rank : axis;
}

// out[o] = f(a[...], b[...]) with a and b broadcast to out's dims.
template <typename A, typename B, typename O, typename F>
void broadcast_binary(const Tensor& a, const Tensor& b, Tensor& out, F&& f) {
  const std::vector<int64_t> strides[2] = {broadcast_strides(a.dims(), out.dims()),
                                           broadcast_strides(b.dims(), out.dims())};
  const A* pa = a.data<A>();
  const B* pb = b.data<B>();
  O* po = out.data<O>();
  for_each_broadcast(out.dims(), strides,
                     [&](int64_t o, const int64_t* off) { po[o] = f(pa[off[0]], pb[off[1]]); });
}

// out[o] = f(out[o], a[...]) with a broadcast to out's dims.
template <typename T, typename F>
void broadcast_accumulate(const Tensor& a, Tensor& out, F&& f) {
  const std::vector<int64_t> strides[1] = {broadcast_strides(a.dims(), out.dims())};
  const T* pa = a.data<T>();
  T* po = out.data<T>();
  for_each_broadcast(out.dims(), strides,
                     [&](int64_t o, const int64_t* off) { po[o] = f(po[o], pa[off[0]]); });
}

}  // namespace rankrt
