// Comparisons (Equal, Greater, Less, GreaterOrEqual, LessOrEqual -> bool), boolean And, Or, Xor,
// Not, and Where (three-way broadcast select).
#include "ops/elementwise.h"
#include "ops/op_list.h"

namespace rankrt {

namespace {

struct EqualFn {
  static constexpr bool kBools = true;
  template <typename T>
  static bool apply(T a, T b) {
    return a == b;
  }
};
struct GreaterFn {
  static constexpr bool kBools = false;
  template <typename T>
  static bool apply(T a, T b) {
    return a > b;
  }
};
struct LessFn {
  static constexpr bool kBools = false;
  template <typename T>
  static bool apply(T a, T b) {
    return a < b;
  }
};
struct GreaterOrEqualFn {
  static constexpr bool kBools = false;
  template <typename T>
  static bool apply(T a, T b) {
    return a >= b;
  }
};
struct LessOrEqualFn {
  static constexpr bool kBools = false;
  template <typename T>
  static bool apply(T a, T b) {
    return a <= b;
  }
};

template <typename Fn>
void infer_compare(InferContext& ctx) {
  if (!Fn::kBools) require_numeric(ctx, 0);
  require_same_dtype(ctx, 0, 1);
  set_broadcast_output(ctx, 0, {0, 1}, DType::kBool);
}

template <typename Fn>
void compute_compare(ComputeContext& ctx) {
  dispatch_storage(ctx.inputs[0]->dtype(), [&]<typename T>() {
    broadcast_binary<T, T, bool>(*ctx.inputs[0], *ctx.inputs[1], ctx.outputs[0], &Fn::template apply<T>);
  });
}

struct AndFn {
  static bool apply(bool a, bool b) { return a && b; }
};
struct OrFn {
  static bool apply(bool a, bool b) { return a || b; }
};
struct XorFn {
  static bool apply(bool a, bool b) { return a != b; }
};

template <typename Fn>
void infer_boolean(InferContext& ctx) {
  require_bool(ctx, 0);
  require_bool(ctx, 1);
  set_broadcast_output(ctx, 0, {0, 1}, DType::kBool);
}

template <typename Fn>
void compute_boolean(ComputeContext& ctx) {
  broadcast_binary<bool, bool, bool>(*ctx.inputs[0], *ctx.inputs[1], ctx.outputs[0], &Fn::apply);
}

void infer_not(InferContext& ctx) {
  require_bool(ctx, 0);
  set_like_input(ctx, 0, 0);
}

void compute_not(ComputeContext& ctx) {
  const bool* in = ctx.inputs[0]->data<bool>();
  bool* out = ctx.outputs[0].data<bool>();
  for (int64_t i = 0; i < ctx.outputs[0].numel(); ++i) out[i] = !in[i];
}

void infer_where(InferContext& ctx) {
  require_bool(ctx, 0);
  require_same_dtype(ctx, 1, 2);
  set_broadcast_output(ctx, 0, {0, 1, 2}, ctx.input(1).dtype);
}

void compute_where(ComputeContext& ctx) {
  Tensor& out = ctx.outputs[0];
  const std::vector<int64_t> strides[3] = {broadcast_strides(ctx.inputs[0]->dims(), out.dims()),
                                           broadcast_strides(ctx.inputs[1]->dims(), out.dims()),
                                           broadcast_strides(ctx.inputs[2]->dims(), out.dims())};
  dispatch_storage(out.dtype(), [&]<typename T>() {
    const bool* cond = ctx.inputs[0]->data<bool>();
    const T* x = ctx.inputs[1]->data<T>();
    const T* y = ctx.inputs[2]->data<T>();
    T* po = out.data<T>();
    for_each_broadcast(out.dims(), strides,
                       [&](int64_t o, const int64_t* off) { po[o] = cond[off[0]] ? x[off[1]] : y[off[2]]; });
  });
}

}  // namespace

void append_logic_ops(std::vector<OpSchema>& ops) {
  ops.push_back({"Equal", 2, 2, 1, 1, &infer_compare<EqualFn>, &compute_compare<EqualFn>});
  ops.push_back({"Greater", 2, 2, 1, 1, &infer_compare<GreaterFn>, &compute_compare<GreaterFn>});
  ops.push_back({"Less", 2, 2, 1, 1, &infer_compare<LessFn>, &compute_compare<LessFn>});
  ops.push_back(
      {"GreaterOrEqual", 2, 2, 1, 1, &infer_compare<GreaterOrEqualFn>, &compute_compare<GreaterOrEqualFn>});
  ops.push_back({"LessOrEqual", 2, 2, 1, 1, &infer_compare<LessOrEqualFn>, &compute_compare<LessOrEqualFn>});
  ops.push_back({"And", 2, 2, 1, 1, &infer_boolean<AndFn>, &compute_boolean<AndFn>});
  ops.push_back({"Or", 2, 2, 1, 1, &infer_boolean<OrFn>, &compute_boolean<OrFn>});
  ops.push_back({"Xor", 2, 2, 1, 1, &infer_boolean<XorFn>, &compute_boolean<XorFn>});
  ops.push_back({"Not", 1, 1, 1, 1, &infer_not, &compute_not});
  ops.push_back({"Where", 3, 3, 1, 1, &infer_where, &compute_where});
}

}  // namespace rankrt
