// Elementwise unary ops: Neg, Abs, Relu, Sigmoid, Tanh, Exp, Log, Sqrt, Reciprocal, Erf, Floor,
// Ceil, Sign (float; Neg, Abs, Relu and Sign also integer).
#include <cmath>

#include "ops/elementwise.h"
#include "ops/op_list.h"

namespace rankrt {

namespace {

// Each functor maps one element; kInts says whether integer tensors are accepted.
struct NegFn {
  static constexpr bool kInts = true;
  template <typename T>
  static T apply(T x) {
    return T(-x);
  }
};
struct AbsFn {
  static constexpr bool kInts = true;
  template <typename T>
  static T apply(T x) {
    if constexpr (std::is_unsigned_v<T>) {
      return x;
    } else {
      return x < 0 ? T(-x) : x;
    }
  }
};
struct ReluFn {
  static constexpr bool kInts = true;
  template <typename T>
  static T apply(T x) {
    return x > 0 ? x : T(0);
  }
};
struct SignFn {
  static constexpr bool kInts = true;
  template <typename T>
  static T apply(T x) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(x)) return x;
    }
    return x > 0 ? T(1) : x < 0 ? T(-1) : T(0);
  }
};
struct SigmoidFn {
  static constexpr bool kInts = false;
  template <typename T>
  static T apply(T x) {
    // Written so that neither branch overflows exp().
    if (x >= 0) return T(1) / (T(1) + std::exp(-x));
    const T e = std::exp(x);
    return e / (T(1) + e);
  }
};
struct TanhFn {
  static constexpr bool kInts = false;
  template <typename T>
  static T apply(T x) {
    return std::tanh(x);
  }
};
struct ExpFn {
  static constexpr bool kInts = false;
  template <typename T>
  static T apply(T x) {
    return std::exp(x);
  }
};
struct LogFn {
  static constexpr bool kInts = false;
  template <typename T>
  static T apply(T x) {
    return std::log(x);
  }
};
struct SqrtFn {
  static constexpr bool kInts = false;
  template <typename T>
  static T apply(T x) {
    return std::sqrt(x);
  }
};
struct ReciprocalFn {
  static constexpr bool kInts = false;
  template <typename T>
  static T apply(T x) {
    return T(1) / x;
  }
};
struct ErfFn {
  static constexpr bool kInts = false;
  template <typename T>
  static T apply(T x) {
    return std::erf(x);
  }
};
struct FloorFn {
  static constexpr bool kInts = false;
  template <typename T>
  static T apply(T x) {
    return std::floor(x);
  }
};
struct CeilFn {
  static constexpr bool kInts = false;
  template <typename T>
  static T apply(T x) {
    return std::ceil(x);
  }
};

template <typename Fn>
void infer_unary(InferContext& ctx) {
  if constexpr (Fn::kInts) {
    require_numeric(ctx, 0);
  } else {
    require_float(ctx, 0);
  }
  set_like_input(ctx, 0, 0);
}

template <typename Fn>
void compute_unary(ComputeContext& ctx) {
  const Tensor& x = *ctx.inputs[0];
  Tensor& y = ctx.outputs[0];
  dispatch_numeric(x.dtype(), [&]<typename T>() {
    if constexpr (Fn::kInts || std::is_floating_point_v<T>) {
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) out[i] = Fn::apply(in[i]);
    } else {
      compute_error(ctx, ErrorCode::kUnsupported, "integer input is not supported");
    }
  });
}

template <typename Fn>
OpSchema unary(std::string_view name) {
  return OpSchema{name, 1, 1, 1, 1, &infer_unary<Fn>, &compute_unary<Fn>};
}

}  // namespace

void append_elementwise_unary_ops(std::vector<OpSchema>& ops) {
  ops.push_back(unary<NegFn>("Neg"));
  ops.push_back(unary<AbsFn>("Abs"));
  ops.push_back(unary<ReluFn>("Relu"));
  ops.push_back(unary<SignFn>("Sign"));
  ops.push_back(unary<SigmoidFn>("Sigmoid"));
  ops.push_back(unary<TanhFn>("Tanh"));
  ops.push_back(unary<ExpFn>("Exp"));
  ops.push_back(unary<LogFn>("Log"));
  ops.push_back(unary<SqrtFn>("Sqrt"));
  ops.push_back(unary<ReciprocalFn>("Reciprocal"));
  ops.push_back(unary<ErfFn>("Erf"));
  ops.push_back(unary<FloorFn>("Floor"));
  ops.push_back(unary<CeilFn>("Ceil"));
}

}  // namespace rankrt
