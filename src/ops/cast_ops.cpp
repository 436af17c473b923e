// Cast (attr `to` = int64 of a rankrt DType) and Identity. Float -> integer truncates toward zero
// (NaN -> 0, out-of-range values saturate); casts to float16/bfloat16 round through that type and
// are then held in the float storage type.
#include <cmath>
#include <limits>

#include "core/half.h"
#include "ops/elementwise.h"
#include "ops/op_list.h"
#include "ops/shape_helpers.h"

namespace rankrt {

namespace {

DType cast_target(const InferContext& ctx) {
  const int64_t to = ctx.node().attr_int("to");
  if (to < int64_t(DType::kF32) || to > int64_t(DType::kBool))
    ctx.error(ErrorCode::kUnsupported, "attribute 'to' = {} is not a rankrt dtype", to);
  return DType(to);
}

void infer_cast(InferContext& ctx) {
  const DType to = cast_target(ctx);
  const ValueState& x = ctx.input(0);
  ValueState& out = ctx.output(0);
  set_like_input(ctx, 0, 0);
  out.dtype = to;
  if (to == x.dtype) out.constant = x.constant;
  if (!is_float(to) && !is_float(x.dtype))  // integer / bool values convert (wrapping) as the kernel does
    propagate_symbolic(ctx, {0}, [](std::span<const SymbolicInt> a) { return a[0]; });
}

// A float value converted to integer type T: truncation toward zero, NaN -> 0, saturating.
template <typename T>
T float_to_int(double v) {
  if (std::isnan(v)) return T(0);
  if (v <= double(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
  if (v >= double(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return T(v);
}

// A value rounded to the declared float dtype, as held in the float storage type.
double round_to(DType declared, double v) {
  switch (declared) {
    case DType::kF16:
      return half_to_float(float_to_half(float(v)));
    case DType::kBF16:
      return bf16_to_float(float_to_bf16(float(v)));
    default:
      return v;
  }
}

void compute_cast(ComputeContext& ctx) {
  const Tensor& x = *ctx.inputs[0];
  Tensor& out = ctx.outputs[0];
  const DType declared = ctx.declared_output_dtypes[0];
  const bool from_float = is_float(x.dtype());
  dispatch_storage(out.dtype(), [&]<typename T>() {
    T* po = out.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      if constexpr (std::is_same_v<T, bool>) {
        po[i] = from_float ? x.as_double(i) != 0.0 : x.as_int64(i) != 0;
      } else if constexpr (std::is_floating_point_v<T>) {
        po[i] = T(round_to(declared, from_float ? x.as_double(i) : double(x.as_int64(i))));
      } else if (from_float) {
        po[i] = float_to_int<T>(x.as_double(i));
      } else {
        po[i] = T(x.as_int64(i));  // integer narrowing wraps around
      }
    }
  });
}

void infer_identity(InferContext& ctx) { ctx.output(0) = ctx.input(0); }

void compute_identity(ComputeContext& ctx) {
  if (ctx.outputs[0].nbytes())
    std::memcpy(ctx.outputs[0].raw(), ctx.inputs[0]->raw(), ctx.outputs[0].nbytes());
}

}  // namespace

void append_cast_ops(std::vector<OpSchema>& ops) {
  ops.push_back({"Cast", 1, 1, 1, 1, &infer_cast, &compute_cast});
  ops.push_back({"Identity", 1, 1, 1, 1, &infer_identity, &compute_identity});
}

}  // namespace rankrt
