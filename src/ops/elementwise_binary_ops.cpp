// Elementwise arithmetic with multidirectional broadcasting: Add, Sub, Mul, Div, Pow and the
// variadic Max, Min, Sum, Mean. Integer Add/Sub/Mul/Div/Max/Min on dimension vectors also
// propagate shape_value so that computed shapes (e.g. N * 4, Max(N, 1)) resolve.
#include <cmath>
#include <optional>

#include "ops/elementwise.h"
#include "ops/op_list.h"
#include "ops/shape_helpers.h"

namespace rankrt {

namespace {

// Integer arithmetic wraps around (no signed-overflow UB) via the unsigned type.
template <typename T, typename F>
T wrapping(T a, T b, F f) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return T(U(f(U(a), U(b))));
  } else {
    return f(a, b);
  }
}

struct AddFn {
  template <typename T>
  static T apply(T a, T b) {
    return wrapping(a, b, [](auto x, auto y) { return x + y; });
  }
  static SymbolicInt symbolic(const SymbolicInt& a, const SymbolicInt& b) {
    if (a.is_known() && b.is_known()) return apply(*a.value, *b.value);
    if (a.same_as(0)) return b;
    if (b.same_as(0)) return a;
    return {};
  }
};
struct SubFn {
  template <typename T>
  static T apply(T a, T b) {
    return wrapping(a, b, [](auto x, auto y) { return x - y; });
  }
  static SymbolicInt symbolic(const SymbolicInt& a, const SymbolicInt& b) {
    if (a.is_known() && b.is_known()) return apply(*a.value, *b.value);
    if (b.same_as(0)) return a;
    if (a.same_as(b)) return 0;
    return {};
  }
};
struct MulFn {
  template <typename T>
  static T apply(T a, T b) {
    return wrapping(a, b, [](auto x, auto y) { return x * y; });
  }
  static SymbolicInt symbolic(const SymbolicInt& a, const SymbolicInt& b) {
    if (a.is_known() && b.is_known()) return apply(*a.value, *b.value);
    if (a.same_as(0) || b.same_as(0)) return 0;
    if (a.same_as(1)) return b;
    if (b.same_as(1)) return a;
    return {};
  }
};
struct DivFn {
  template <typename T>
  static T apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      if (b == 0) fail(ErrorCode::kRuntime, "integer division by zero");
      if constexpr (std::is_signed_v<T>) {
        if (b == -1) return T(std::make_unsigned_t<T>(0) - std::make_unsigned_t<T>(a));  // avoids MIN / -1
      }
    }
    return T(a / b);  // integer division truncates toward zero
  }
  static SymbolicInt symbolic(const SymbolicInt& a, const SymbolicInt& b) {
    if (a.is_known() && b.is_known() && *b.value != 0) return apply(*a.value, *b.value);
    if (b.same_as(1)) return a;
    return {};
  }
};

template <typename Fn>
void infer_arith(InferContext& ctx) {
  require_numeric(ctx, 0);
  require_same_dtype(ctx, 0, 1);
  set_broadcast_output(ctx, 0, {0, 1}, ctx.input(0).dtype);
  propagate_symbolic(ctx, {0, 1}, [](std::span<const SymbolicInt> a) { return Fn::symbolic(a[0], a[1]); });
}

template <typename Fn>
void compute_arith(ComputeContext& ctx) {
  dispatch_numeric(ctx.outputs[0].dtype(), [&]<typename T>() {
    try {
      broadcast_binary<T, T, T>(*ctx.inputs[0], *ctx.inputs[1], ctx.outputs[0], &Fn::template apply<T>);
    } catch (const Error& e) {
      compute_error(ctx, e.code(), "{}", e.what());
    }
  });
}

void infer_pow(InferContext& ctx) {
  require_numeric(ctx, 0);
  require_numeric(ctx, 1);
  set_broadcast_output(ctx, 0, {0, 1}, ctx.input(0).dtype);
}

void compute_pow(ComputeContext& ctx) {
  const Tensor exponent = ctx.inputs[1]->to(DType::kF64);
  dispatch_numeric(ctx.outputs[0].dtype(), [&]<typename T>() {
    broadcast_binary<T, double, T>(*ctx.inputs[0], exponent, ctx.outputs[0],
                                   [](T a, double e) { return T(std::pow(double(a), e)); });
  });
}

// Variadic ops fold every input into the output; Fn::kFloatOnly limits them to floats.
struct MaxFn {
  static constexpr bool kFloatOnly = false;
  template <typename T>
  static T apply(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
    }
    return a < b ? b : a;
  }
  static SymbolicInt symbolic(const SymbolicInt& a, const SymbolicInt& b) {
    if (const auto less = symbolic_less(a, b)) return *less ? b : a;
    if (const auto greater = symbolic_less(b, a)) return *greater ? a : b;
    return {};
  }
};
struct MinFn {
  static constexpr bool kFloatOnly = false;
  template <typename T>
  static T apply(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
    }
    return b < a ? b : a;
  }
  static SymbolicInt symbolic(const SymbolicInt& a, const SymbolicInt& b) {
    if (const auto less = symbolic_less(a, b)) return *less ? a : b;
    if (const auto greater = symbolic_less(b, a)) return *greater ? b : a;
    return {};
  }
};
struct SumFn {
  static constexpr bool kFloatOnly = true;
  template <typename T>
  static T apply(T a, T b) {
    return a + b;
  }
};

// Fn::symbolic folded over every input.
template <typename Fn>
SymbolicInt fold_symbolic(std::span<const SymbolicInt> args) {
  SymbolicInt acc = args[0];
  for (size_t i = 1; i < args.size(); ++i) acc = Fn::symbolic(acc, args[i]);
  return acc;
}

template <typename Fn>
void infer_variadic(InferContext& ctx) {
  std::vector<size_t> all;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (Fn::kFloatOnly) {
      require_float(ctx, i);
    } else {
      require_numeric(ctx, i);
    }
    require_same_dtype(ctx, 0, i);
    all.push_back(i);
  }
  set_broadcast_output(ctx, 0, all, ctx.input(0).dtype);
  if constexpr (!Fn::kFloatOnly) propagate_symbolic(ctx, all, &fold_symbolic<Fn>);
}

template <typename Fn>
void fold_inputs(ComputeContext& ctx) {
  dispatch_numeric(ctx.outputs[0].dtype(), [&]<typename T>() {
    broadcast_accumulate<T>(*ctx.inputs[0], ctx.outputs[0], [](T, T a) { return a; });
    for (size_t i = 1; i < ctx.inputs.size(); ++i)
      broadcast_accumulate<T>(*ctx.inputs[i], ctx.outputs[0], &Fn::template apply<T>);
  });
}

void compute_mean(ComputeContext& ctx) {
  fold_inputs<SumFn>(ctx);
  dispatch_float(ctx.outputs[0].dtype(), [&]<typename T>() {
    const T n = T(ctx.inputs.size());
    for (T& v : ctx.outputs[0].span<T>()) v /= n;
  });
}

constexpr int kMaxVariadic = 1 << 20;

}  // namespace

void append_elementwise_binary_ops(std::vector<OpSchema>& ops) {
  ops.push_back({"Add", 2, 2, 1, 1, &infer_arith<AddFn>, &compute_arith<AddFn>});
  ops.push_back({"Sub", 2, 2, 1, 1, &infer_arith<SubFn>, &compute_arith<SubFn>});
  ops.push_back({"Mul", 2, 2, 1, 1, &infer_arith<MulFn>, &compute_arith<MulFn>});
  ops.push_back({"Div", 2, 2, 1, 1, &infer_arith<DivFn>, &compute_arith<DivFn>});
  ops.push_back({"Pow", 2, 2, 1, 1, &infer_pow, &compute_pow});
  ops.push_back({"Max", 1, kMaxVariadic, 1, 1, &infer_variadic<MaxFn>, &fold_inputs<MaxFn>});
  ops.push_back({"Min", 1, kMaxVariadic, 1, 1, &infer_variadic<MinFn>, &fold_inputs<MinFn>});
  ops.push_back({"Sum", 1, kMaxVariadic, 1, 1, &infer_variadic<SumFn>, &fold_inputs<SumFn>});
  ops.push_back({"Mean", 1, kMaxVariadic, 1, 1, &infer_variadic<SumFn>, &compute_mean});
}

}  // namespace rankrt
