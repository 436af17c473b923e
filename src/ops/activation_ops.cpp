// Activations: LeakyRelu, PRelu, Clip, Softmax (one axis, opset 13), Gelu (none/tanh),
// HardSigmoid, Selu, Elu.
#include <cmath>
#include <limits>
#include <numbers>

#include "ops/elementwise.h"
#include "ops/op_list.h"

namespace rankrt {

namespace {

void infer_float_unary(InferContext& ctx) {
  require_float(ctx, 0);
  set_like_input(ctx, 0, 0);
}

// y[i] = f(x[i]) for a float input; f is generic over the storage type.
template <typename F>
void map_float(ComputeContext& ctx, F&& f) {
  dispatch_float(ctx.inputs[0]->dtype(), [&]<typename T>() {
    const T* in = ctx.inputs[0]->data<T>();
    T* out = ctx.outputs[0].data<T>();
    for (int64_t i = 0; i < ctx.outputs[0].numel(); ++i) out[i] = f(in[i]);
  });
}

void compute_leaky_relu(ComputeContext& ctx) {
  const double alpha = ctx.node.attr_float("alpha", 0.01);
  map_float(ctx, [&]<typename T>(T x) { return x >= 0 ? x : T(alpha) * x; });
}

void compute_hard_sigmoid(ComputeContext& ctx) {
  const double alpha = ctx.node.attr_float("alpha", 0.2), beta = ctx.node.attr_float("beta", 0.5);
  map_float(ctx, [&]<typename T>(T x) { return std::max(T(0), std::min(T(1), T(alpha) * x + T(beta))); });
}

void compute_elu(ComputeContext& ctx) {
  const double alpha = ctx.node.attr_float("alpha", 1.0);
  map_float(ctx, [&]<typename T>(T x) { return x > 0 ? x : T(alpha) * std::expm1(x); });
}

void compute_selu(ComputeContext& ctx) {
  const double alpha = ctx.node.attr_float("alpha", 1.67326319217681884765625);
  const double gamma = ctx.node.attr_float("gamma", 1.05070102214813232421875);
  map_float(ctx, [&]<typename T>(T x) { return T(gamma) * (x > 0 ? x : T(alpha) * std::expm1(x)); });
}

void infer_gelu(InferContext& ctx) {
  const std::string approximate = ctx.node().attr_string("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    ctx.error(ErrorCode::kUnsupported, "approximate must be 'none' or 'tanh', got '{}'", approximate);
  infer_float_unary(ctx);
}

void compute_gelu(ComputeContext& ctx) {
  if (ctx.node.attr_string("approximate", "none") == "tanh") {
    map_float(ctx, []<typename T>(T x) {
      const T k = T(std::sqrt(2.0 / std::numbers::pi));
      return T(0.5) * x * (T(1) + std::tanh(k * (x + T(0.044715) * x * x * x)));
    });
  } else {
    map_float(ctx,
              []<typename T>(T x) { return T(0.5) * x * (T(1) + std::erf(x / T(std::numbers::sqrt2))); });
  }
}

void infer_prelu(InferContext& ctx) {
  require_float(ctx, 0);
  require_same_dtype(ctx, 0, 1);
  const ValueState &x = ctx.input(0), &slope = ctx.input(1);
  if (x.rank_known && slope.rank_known) {
    if (slope.shape.size() > x.shape.size())
      ctx.error(ErrorCode::kShape, "slope {} does not broadcast to X {}", shape_to_string(slope.shape),
                shape_to_string(x.shape));
    const size_t pad = x.shape.size() - slope.shape.size();
    for (size_t d = 0; d < slope.shape.size(); ++d) {
      const Dim &s = slope.shape[d], &xd = x.shape[d + pad];
      if (s.is_known() && s.value != 1 && xd.is_known() && xd.value != s.value)
        ctx.error(ErrorCode::kShape, "slope {} does not broadcast to X {}", shape_to_string(slope.shape),
                  shape_to_string(x.shape));
    }
  }
  set_like_input(ctx, 0, 0);
}

void compute_prelu(ComputeContext& ctx) {
  dispatch_float(ctx.outputs[0].dtype(), [&]<typename T>() {
    broadcast_binary<T, T, T>(*ctx.inputs[0], *ctx.inputs[1], ctx.outputs[0],
                              [](T x, T s) { return x < 0 ? s * x : x; });
  });
}

void infer_clip(InferContext& ctx) {
  require_numeric(ctx, 0);
  for (size_t i = 1; i < 3; ++i) {
    if (!ctx.has_input(i)) continue;
    require_same_dtype(ctx, 0, i);
    const ValueState& bound = ctx.input(i);
    if (bound.rank_known && concrete_dims(bound.shape) && num_elements(*concrete_dims(bound.shape)) != 1)
      ctx.error(ErrorCode::kShape, "{} must be a scalar, got shape {}", i == 1 ? "min" : "max",
                shape_to_string(bound.shape));
  }
  set_like_input(ctx, 0, 0);
}

void compute_clip(ComputeContext& ctx) {
  dispatch_numeric(ctx.outputs[0].dtype(), [&]<typename T>() {
    const T lo = ctx.inputs.size() > 1 && ctx.inputs[1] ? ctx.inputs[1]->data<T>()[0]
                                                        : std::numeric_limits<T>::lowest();
    const T hi =
        ctx.inputs.size() > 2 && ctx.inputs[2] ? ctx.inputs[2]->data<T>()[0] : std::numeric_limits<T>::max();
    const T* in = ctx.inputs[0]->data<T>();
    T* out = ctx.outputs[0].data<T>();
    for (int64_t i = 0; i < ctx.outputs[0].numel(); ++i) out[i] = std::min(std::max(in[i], lo), hi);
  });
}

void infer_softmax(InferContext& ctx) {
  require_float(ctx, 0);
  const ValueState& x = ctx.input(0);
  if (x.rank_known) normalize_axis(ctx, ctx.node().attr_int("axis", -1), int64_t(x.shape.size()));
  set_like_input(ctx, 0, 0);
}

void compute_softmax(ComputeContext& ctx) {
  const Tensor& x = *ctx.inputs[0];
  const std::vector<int64_t>& dims = x.dims();
  int64_t axis = ctx.node.attr_int("axis", -1);
  if (axis < 0) axis += x.rank();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= dims[size_t(d)];
  for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= dims[size_t(d)];
  const int64_t n = dims[size_t(axis)];
  dispatch_float(x.dtype(), [&]<typename T>() {
    const T* in = x.data<T>();
    T* out = ctx.outputs[0].data<T>();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t base = o * n * inner + i;
        T max = -std::numeric_limits<T>::infinity();
        for (int64_t k = 0; k < n; ++k) max = std::max(max, in[base + k * inner]);
        T sum = 0;
        for (int64_t k = 0; k < n; ++k) sum += out[base + k * inner] = std::exp(in[base + k * inner] - max);
        for (int64_t k = 0; k < n; ++k) out[base + k * inner] /= sum;
      }
    }
  });
}

}  // namespace

void append_activation_ops(std::vector<OpSchema>& ops) {
  ops.push_back({"LeakyRelu", 1, 1, 1, 1, &infer_float_unary, &compute_leaky_relu});
  ops.push_back({"HardSigmoid", 1, 1, 1, 1, &infer_float_unary, &compute_hard_sigmoid});
  ops.push_back({"Elu", 1, 1, 1, 1, &infer_float_unary, &compute_elu});
  ops.push_back({"Selu", 1, 1, 1, 1, &infer_float_unary, &compute_selu});
  ops.push_back({"Gelu", 1, 1, 1, 1, &infer_gelu, &compute_gelu});
  ops.push_back({"PRelu", 2, 2, 1, 1, &infer_prelu, &compute_prelu});
  ops.push_back({"Clip", 1, 3, 1, 1, &infer_clip, &compute_clip});
  ops.push_back({"Softmax", 1, 1, 1, 1, &infer_softmax, &compute_softmax});
}

}  // namespace rankrt
