// BatchNormalization (inference mode) and LayerNormalization (with optional Mean/InvStdDev).
#include <cmath>

#include "ops/elementwise.h"
#include "ops/op_list.h"

namespace rankrt {

namespace {

void infer_batch_norm(InferContext& ctx) {
  if (ctx.node().attr_int("training_mode", 0) != 0)
    ctx.error(ErrorCode::kUnsupported, "training_mode=1 is not supported (inference only)");
  for (size_t i = 0; i < 5; ++i) require_float(ctx, i);
  const ValueState& x = ctx.input(0);
  if (x.rank_known && x.shape.size() < 2)
    ctx.error(ErrorCode::kShape, "X must have rank >= 2 (N, C, ...), got {}", shape_to_string(x.shape));
  for (size_t i = 1; i < 5; ++i) {
    const ValueState& p = ctx.input(i);
    if (!p.rank_known) continue;
    if (p.shape.size() != 1)
      ctx.error(ErrorCode::kShape, "input {} must be 1-D [C], got {}", i, shape_to_string(p.shape));
    if (x.rank_known && p.shape[0].is_known() && x.shape[1].is_known() &&
        p.shape[0].value != x.shape[1].value)
      ctx.error(ErrorCode::kShape, "input {} has {} channels, X {} has {}", i, p.shape[0].value,
                shape_to_string(x.shape), x.shape[1].value);
  }
  set_like_input(ctx, 0, 0);
}

void compute_batch_norm(ComputeContext& ctx) {
  const Tensor& x = *ctx.inputs[0];
  const double epsilon = ctx.node.attr_float("epsilon", 1e-5);
  const int64_t batch = x.dims()[0], channels = x.dims()[1];
  const int64_t spatial = num_elements(std::vector<int64_t>(x.dims().begin() + 2, x.dims().end()));
  dispatch_float(x.dtype(), [&]<typename T>() {
    const T *in = x.data<T>(), *scale = ctx.inputs[1]->data<T>(), *bias = ctx.inputs[2]->data<T>();
    const T *mean = ctx.inputs[3]->data<T>(), *var = ctx.inputs[4]->data<T>();
    T* out = ctx.outputs[0].data<T>();
    for (int64_t n = 0; n < batch; ++n) {
      for (int64_t c = 0; c < channels; ++c) {
        const T mul = scale[c] / std::sqrt(var[c] + T(epsilon));
        const int64_t base = (n * channels + c) * spatial;
        for (int64_t s = 0; s < spatial; ++s) out[base + s] = (in[base + s] - mean[c]) * mul + bias[c];
      }
    }
  });
}

// dtype of Mean / InvStdDev from stash_type (an ONNX TensorProto element type).
DType stash_dtype(const InferContext& ctx) {
  switch (ctx.node().attr_int("stash_type", 1)) {
    case 1:
      return DType::kF32;
    case 10:
      return DType::kF16;
    case 11:
      return DType::kF64;
    case 16:
      return DType::kBF16;
    default:
      ctx.error(ErrorCode::kUnsupported, "stash_type {} is not a float type",
                ctx.node().attr_int("stash_type"));
  }
}

void infer_layer_norm(InferContext& ctx) {
  require_float(ctx, 0);
  require_same_dtype(ctx, 0, 1);
  if (ctx.has_input(2)) require_same_dtype(ctx, 0, 2);
  const DType stats = stash_dtype(ctx);
  set_like_input(ctx, 0, 0);
  const ValueState& x = ctx.input(0);
  if (!x.rank_known) {
    for (size_t i = 1; i < ctx.num_outputs(); ++i) ctx.output(i) = ValueState{stats, {}, false, nullptr, {}};
    return;
  }
  const int64_t rank = int64_t(x.shape.size());
  const int64_t axis = normalize_axis(ctx, ctx.node().attr_int("axis", -1), rank);
  for (size_t i = 1; i < 3 && ctx.has_input(i); ++i) {
    const ValueState& p = ctx.input(i);
    if (!p.rank_known) continue;
    const int64_t pad = rank - int64_t(p.shape.size());
    bool ok = pad >= axis;
    for (size_t d = 0; ok && d < p.shape.size(); ++d) {
      const Dim &pd = p.shape[d], &xd = x.shape[size_t(pad) + d];
      ok = !(pd.is_known() && pd.value != 1 && xd.is_known() && xd.value != pd.value);
    }
    if (!ok)
      ctx.error(ErrorCode::kShape, "input {} {} does not broadcast to the normalized dims of X {} (axis {})",
                i, shape_to_string(p.shape), shape_to_string(x.shape), axis);
  }
  Shape reduced(x.shape.begin(), x.shape.begin() + axis);
  reduced.resize(size_t(rank), Dim(1));
  for (size_t i = 1; i < ctx.num_outputs(); ++i)
    ctx.output(i) = ValueState{stats, reduced, true, nullptr, {}};
}

void compute_layer_norm(ComputeContext& ctx) {
  const Tensor& x = *ctx.inputs[0];
  const double epsilon = ctx.node.attr_float("epsilon", 1e-5);
  int64_t axis = ctx.node.attr_int("axis", -1);
  if (axis < 0) axis += x.rank();
  const std::vector<int64_t> norm_dims(x.dims().begin() + axis, x.dims().end());
  const int64_t size = num_elements(norm_dims), rows = size ? x.numel() / size : 0;
  // Scale and bias broadcast over the normalized dims; element k of a row reads offset strides·idx.
  auto offsets = [&](const Tensor* p) {
    std::vector<int64_t> off(size_t(size), 0);
    if (!p) return off;
    const std::vector<int64_t> strides[1] = {broadcast_strides(p->dims(), norm_dims)};
    for_each_broadcast(norm_dims, strides, [&](int64_t k, const int64_t* o) { off[size_t(k)] = o[0]; });
    return off;
  };
  const Tensor* bias_t = ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr;
  const std::vector<int64_t> scale_off = offsets(ctx.inputs[1]), bias_off = offsets(bias_t);
  dispatch_float(x.dtype(), [&]<typename T>() {
    const T *in = x.data<T>(), *scale = ctx.inputs[1]->data<T>();
    const T* bias = bias_t ? bias_t->data<T>() : nullptr;
    T* out = ctx.outputs[0].data<T>();
    T* mean_out = ctx.outputs.size() > 1 ? ctx.outputs[1].data<T>() : nullptr;
    T* inv_out = ctx.outputs.size() > 2 ? ctx.outputs[2].data<T>() : nullptr;
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = in + r * size;
      T mean = 0, var = 0;
      for (int64_t k = 0; k < size; ++k) mean += row[k];
      mean /= T(size);
      for (int64_t k = 0; k < size; ++k) var += (row[k] - mean) * (row[k] - mean);
      var /= T(size);
      const T inv = T(1) / std::sqrt(var + T(epsilon));
      for (int64_t k = 0; k < size; ++k) {
        const T y = (row[k] - mean) * inv * scale[scale_off[size_t(k)]];
        out[r * size + k] = bias ? y + bias[bias_off[size_t(k)]] : y;
      }
      if (mean_out) mean_out[r] = mean;
      if (inv_out) inv_out[r] = inv;
    }
  });
}

}  // namespace

void append_normalization_ops(std::vector<OpSchema>& ops) {
  ops.push_back({"BatchNormalization", 5, 5, 1, 1, &infer_batch_norm, &compute_batch_norm});
  ops.push_back({"LayerNormalization", 2, 3, 1, 3, &infer_layer_norm, &compute_layer_norm});
}

}  // namespace rankrt
