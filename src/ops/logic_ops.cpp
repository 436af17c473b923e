// Comparisons (Equal, Greater, Less, GreaterOrEqual, LessOrEqual -> bool), boolean And, Or, Xor,
// Not, and Where (three-way broadcast select). On dimension vectors they also propagate
// shape_value (bools as 0 / 1), so that shape subgraphs such as PyTorch's expand(N, -1), written
// Where(Equal(shape, -1), 1, shape), resolve.
#include "ops/elementwise.h"
#include "ops/op_list.h"
#include "ops/shape_helpers.h"

namespace rankrt {

namespace {

std::optional<bool> negated(std::optional<bool> b) {
  if (b) return !*b;
  return std::nullopt;
}

// A decided truth value as a bool element (1 or 0), or unknown.
SymbolicInt truth(std::optional<bool> b) { return b ? SymbolicInt(*b ? 1 : 0) : SymbolicInt(); }

struct EqualFn {
  static constexpr bool kBools = true;
  template <typename T>
  static bool apply(T a, T b) {
    return a == b;
  }
  static std::optional<bool> symbolic(const SymbolicInt& a, const SymbolicInt& b) {
    return symbolic_equal(a, b);
  }
};
struct GreaterFn {
  static constexpr bool kBools = false;
  template <typename T>
  static bool apply(T a, T b) {
    return a > b;
  }
  static std::optional<bool> symbolic(const SymbolicInt& a, const SymbolicInt& b) {
    return symbolic_less(b, a);
  }
};
struct LessFn {
  static constexpr bool kBools = false;
  template <typename T>
  static bool apply(T a, T b) {
    return a < b;
  }
  static std::optional<bool> symbolic(const SymbolicInt& a, const SymbolicInt& b) {
    return symbolic_less(a, b);
  }
};
struct GreaterOrEqualFn {
  static constexpr bool kBools = false;
  template <typename T>
  static bool apply(T a, T b) {
    return a >= b;
  }
  static std::optional<bool> symbolic(const SymbolicInt& a, const SymbolicInt& b) {
    return negated(symbolic_less(a, b));
  }
};
struct LessOrEqualFn {
  static constexpr bool kBools = false;
  template <typename T>
  static bool apply(T a, T b) {
    return a <= b;
  }
  static std::optional<bool> symbolic(const SymbolicInt& a, const SymbolicInt& b) {
    return negated(symbolic_less(b, a));
  }
};

template <typename Fn>
void infer_compare(InferContext& ctx) {
  if (!Fn::kBools) require_numeric(ctx, 0);
  require_same_dtype(ctx, 0, 1);
  set_broadcast_output(ctx, 0, {0, 1}, DType::kBool);
  propagate_symbolic(ctx, {0, 1},
                     [](std::span<const SymbolicInt> a) { return truth(Fn::symbolic(a[0], a[1])); });
}

template <typename Fn>
void compute_compare(ComputeContext& ctx) {
  dispatch_storage(ctx.inputs[0]->dtype(), [&]<typename T>() {
    broadcast_binary<T, T, bool>(*ctx.inputs[0], *ctx.inputs[1], ctx.outputs[0], &Fn::template apply<T>);
  });
}

// The symbolic rules see bools as 0 / 1; one known operand may decide And / Or.
struct AndFn {
  static bool apply(bool a, bool b) { return a && b; }
  static SymbolicInt symbolic(const SymbolicInt& a, const SymbolicInt& b) {
    if (a.same_as(0) || b.same_as(0)) return 0;
    return a.is_known() && b.is_known() ? SymbolicInt(1) : SymbolicInt();
  }
};
struct OrFn {
  static bool apply(bool a, bool b) { return a || b; }
  static SymbolicInt symbolic(const SymbolicInt& a, const SymbolicInt& b) {
    if (a.same_as(1) || b.same_as(1)) return 1;
    return a.is_known() && b.is_known() ? SymbolicInt(0) : SymbolicInt();
  }
};
struct XorFn {
  static bool apply(bool a, bool b) { return a != b; }
  static SymbolicInt symbolic(const SymbolicInt& a, const SymbolicInt& b) {
    return a.is_known() && b.is_known() ? SymbolicInt(*a.value != *b.value) : SymbolicInt();
  }
};

template <typename Fn>
void infer_boolean(InferContext& ctx) {
  require_bool(ctx, 0);
  require_bool(ctx, 1);
  set_broadcast_output(ctx, 0, {0, 1}, DType::kBool);
  propagate_symbolic(ctx, {0, 1}, [](std::span<const SymbolicInt> a) { return Fn::symbolic(a[0], a[1]); });
}

template <typename Fn>
void compute_boolean(ComputeContext& ctx) {
  broadcast_binary<bool, bool, bool>(*ctx.inputs[0], *ctx.inputs[1], ctx.outputs[0], &Fn::apply);
}

void infer_not(InferContext& ctx) {
  require_bool(ctx, 0);
  set_like_input(ctx, 0, 0);
  propagate_symbolic(ctx, {0}, [](std::span<const SymbolicInt> a) {
    return a[0].is_known() ? SymbolicInt(*a[0].value == 0) : SymbolicInt();
  });
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
  // A known condition picks its side; an unknown one still gives the value both sides share.
  propagate_symbolic(ctx, {0, 1, 2}, [](std::span<const SymbolicInt> a) {
    if (a[0].is_known()) return *a[0].value ? a[1] : a[2];
    return a[1].same_as(a[2]) ? a[1] : SymbolicInt();
  });
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
