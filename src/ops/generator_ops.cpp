// Generator ops: Constant, ConstantOfShape, Range. Small integer results also carry a
// shape_value so that shape computations built from them stay resolvable.
#include <cmath>
#include <type_traits>

#include "ops/op_list.h"
#include "ops/shape_helpers.h"

namespace rankrt {

namespace {

// Copies a tensor's value, converted to the output's storage dtype, into the output.
void store_value(const Tensor& value, Tensor& out) {
  const Tensor converted = value.to(out.dtype());
  if (converted.nbytes()) std::memcpy(out.raw(), converted.raw(), converted.nbytes());
}

void infer_constant(InferContext& ctx) {
  const Tensor& value = ctx.node().attr_tensor("value");
  ValueState& out = ctx.output(0);
  out.dtype = value.dtype();
  out.shape = shape_from_dims(value.dims());
  out.constant = &value;
}

void compute_constant(ComputeContext& ctx) { store_value(ctx.node.attr_tensor("value"), ctx.outputs[0]); }

// ConstantOfShape's fill value: attribute `value` (one element) or float32 zero.
Tensor fill_value(const Node& node) {
  if (!node.has_attr("value")) return Tensor::scalar<float>(0.0f);
  return node.attr_tensor("value");
}

// A 1-D integer result of known elements as a shape_value (negative elements are unknown dims).
void set_int_shape_value(ValueState& out, const std::vector<int64_t>& elements) {
  if (!is_integer(out.dtype) || out.shape.size() != 1 || int64_t(elements.size()) > kMaxShapeValueElements)
    return;
  out.shape_value.emplace();
  for (int64_t v : elements) out.shape_value->push_back(v >= 0 ? Dim(v) : Dim());
}

void infer_constant_of_shape(InferContext& ctx) {
  require_integer_input(ctx, 0, "shape");
  const Tensor value = fill_value(ctx.node());
  if (value.numel() != 1)
    ctx.error(ErrorCode::kShape, "attribute 'value' must hold one element, not {}",
              dims_to_string(value.dims()));
  ValueState& out = ctx.output(0);
  out.dtype = value.dtype();
  if (auto ints = known_ints(ctx, 0)) {
    for (int64_t d : *ints)
      if (d < 0) ctx.error(ErrorCode::kShape, "shape {} has a negative element", dims_to_string(*ints));
    out.shape = shape_from_dims(*ints);
    if (ints->size() == 1 && (*ints)[0] <= kMaxShapeValueElements)
      set_int_shape_value(out, std::vector<int64_t>(size_t((*ints)[0]), value.as_int64(0)));
  } else if (auto dims = dims_value(ctx, 0)) {
    out.shape = *dims;
  } else if (const ValueState& s = ctx.input(0);
             s.rank_known && s.shape.size() == 1 && s.shape[0].is_known()) {
    out.shape = Shape(size_t(s.shape[0].value));
  } else {
    out.rank_known = false;
  }
}

void compute_constant_of_shape(ComputeContext& ctx) {
  Tensor& out = ctx.outputs[0];
  const Tensor value = fill_value(ctx.node).to(out.dtype());
  const size_t esize = dtype_size(out.dtype());
  auto* dst = static_cast<std::byte*>(out.raw());
  for (int64_t i = 0; i < out.numel(); ++i) std::memcpy(dst + size_t(i) * esize, value.raw(), esize);
}

// Number of elements of Range(start, limit, delta): max(ceil((limit - start) / delta), 0),
// computed in the arithmetic of the declared dtype.
int64_t range_length(const InferContext& ctx, DType dtype, const Tensor& start, const Tensor& limit,
                     const Tensor& delta) {
  if (delta.as_double(0) == 0.0) ctx.error(ErrorCode::kShape, "delta is 0");
  if (is_integer(dtype)) {
    const int64_t s = start.as_int64(0), l = limit.as_int64(0), d = delta.as_int64(0);
    if (d > 0) return l > s ? (l - s - 1) / d + 1 : 0;
    return s > l ? (l - s + 1) / d + 1 : 0;
  }
  const double n =
      dtype == DType::kF64
          ? std::ceil((limit.as_double(0) - start.as_double(0)) / delta.as_double(0))
          : std::ceil((float(limit.as_double(0)) - float(start.as_double(0))) / float(delta.as_double(0)));
  if (!std::isfinite(n)) ctx.error(ErrorCode::kShape, "the number of elements is not finite");
  return n > 0 ? int64_t(n) : 0;
}

void infer_range(InferContext& ctx) {
  const DType dtype = ctx.input(0).dtype;
  if (dtype == DType::kBool) ctx.error(ErrorCode::kShape, "dtype {} is not supported", dtype_name(dtype));
  for (size_t i = 0; i < 3; ++i) {
    const ValueState& in = ctx.input(i);
    if (in.dtype != dtype)
      ctx.error(ErrorCode::kShape, "input {} has dtype {} but start has {}", i, dtype_name(in.dtype),
                dtype_name(dtype));
    if (in.rank_known && concrete_dims(in.shape) && num_elements(*concrete_dims(in.shape)) != 1)
      ctx.error(ErrorCode::kShape, "input {} must be a scalar, got {}", i, shape_to_string(in.shape));
  }
  ValueState& out = ctx.output(0);
  out.dtype = dtype;
  const Tensor *start = ctx.constant(0), *limit = ctx.constant(1), *delta = ctx.constant(2);
  if (!start || !limit || !delta) {
    out.shape = {Dim()};
    return;
  }
  const int64_t n = range_length(ctx, dtype, *start, *limit, *delta);
  out.shape = {Dim(n)};
  if (!is_integer(dtype) || n > kMaxShapeValueElements) return;
  std::vector<int64_t> elements;
  for (int64_t i = 0; i < n; ++i) elements.push_back(start->as_int64(0) + i * delta->as_int64(0));
  set_int_shape_value(out, elements);
}

void compute_range(ComputeContext& ctx) {
  Tensor& out = ctx.outputs[0];
  const Tensor &start = *ctx.inputs[0], &delta = *ctx.inputs[2];
  dispatch_storage(out.dtype(), [&]<typename T>() {
    T* dst = out.data<T>();
    for (int64_t i = 0; i < out.numel(); ++i) {
      if constexpr (std::is_floating_point_v<T>) {
        dst[i] = T(start.as_double(0)) + T(i) * T(delta.as_double(0));
      } else {
        dst[i] = T(start.as_int64(0) + i * delta.as_int64(0));
      }
    }
  });
}

}  // namespace

void append_generator_ops(std::vector<OpSchema>& ops) {
  ops.push_back({"Constant", 0, 0, 1, 1, infer_constant, compute_constant});
  ops.push_back({"ConstantOfShape", 1, 1, 1, 1, infer_constant_of_shape, compute_constant_of_shape});
  ops.push_back({"Range", 3, 3, 1, 1, infer_range, compute_range});
}

}  // namespace rankrt
