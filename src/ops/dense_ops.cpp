// Dense: rankrt's fused dense layer produced by the optimizer, Y = act(X·W + B), with the
// activation's per-column parameters as inputs. Backends lower it to one GEMM with an epilogue.
//   inputs: 0 X [..., K], 1 W [K, M], 2 B (optional, broadcast to [rows, M]: [M], [1, M] or
//           [rows, M]), 3.. activation parameters, each [M] or [1, M] or scalar:
//             prelu: alpha            y = x > 0 ? x : alpha * x
//             dice:  alpha, scale, mean   p = sigmoid(scale * (x - mean)); y = alpha*(1-p)*x + p*x
//   attr activation: none | relu | prelu | sigmoid | tanh | dice | gelu | gelu_tanh | swish
//     (default none); gelu = 0.5*x*(1+erf(x/sqrt(2))), gelu_tanh = its tanh approximation
//     0.5*x*(1+tanh(sqrt(2/pi)*(x+0.044715*x^3))), swish = x*sigmoid(x)
//   attrs post_ops, post_values (optional): elementwise ops with a constant applied after the
//     activation, in the Dense's arithmetic (ops/dense_post_ops.h)
#include <algorithm>
#include <cmath>

#include "ops/broadcast.h"
#include "ops/dense_post_ops.h"
#include "ops/op_list.h"

namespace rankrt {

namespace {

constexpr const char* kPostOpNames[] = {"abs", "neg", "add", "sub", "rsub", "mul", "div", "rdiv"};

}  // namespace

const char* post_op_name(PostOp op) { return kPostOpNames[int(op)]; }

PostOps<double> dense_post_ops(const Node& n) {
  PostOps<double> p;
  auto it = n.attrs.find(kPostOpsAttr);
  if (it == n.attrs.end()) return p;
  const auto* names = std::get_if<std::vector<std::string>>(&it->second);
  auto values_it = n.attrs.find(kPostValuesAttr);
  const auto* values =
      values_it == n.attrs.end() ? nullptr : std::get_if<std::vector<double>>(&values_it->second);
  if (!names || !values || names->size() != values->size() || names->size() > size_t(kMaxPostOps))
    fail(ErrorCode::kInvalidGraph,
         "node '{}' ({}): attributes {} and {} must be a string list and a float list of the same length "
         "(at most {})",
         n.name, n.op, kPostOpsAttr, kPostValuesAttr, kMaxPostOps);
  for (size_t i = 0; i < names->size(); ++i) {
    const auto* name = std::find(std::begin(kPostOpNames), std::end(kPostOpNames), (*names)[i]);
    if (name == std::end(kPostOpNames))
      fail(ErrorCode::kInvalidGraph, "node '{}' ({}): unknown post-op '{}'", n.name, n.op, (*names)[i]);
    p.op[p.count] = PostOp(name - std::begin(kPostOpNames));
    p.value[p.count++] = (*values)[i];
  }
  return p;
}

void append_post_op(Node& n, PostOp op, double value) {
  std::vector<std::string> names;
  std::vector<double> values;
  if (n.has_attr(kPostOpsAttr)) {
    names = std::get<std::vector<std::string>>(n.attrs.at(kPostOpsAttr));
    values = std::get<std::vector<double>>(n.attrs.at(kPostValuesAttr));
  }
  names.push_back(post_op_name(op));
  values.push_back(value);
  n.attrs[kPostOpsAttr] = names;
  n.attrs[kPostValuesAttr] = values;
}

namespace {

int64_t activation_params(const InferContext& ctx, const std::string& act) {
  if (act == "none" || act == "relu" || act == "sigmoid" || act == "tanh" || act == "gelu" ||
      act == "gelu_tanh" || act == "swish")
    return 0;
  if (act == "prelu") return 1;
  if (act == "dice") return 3;
  ctx.error(ErrorCode::kUnsupported, "unknown activation '{}'", act);
}

void infer_dense(InferContext& ctx) {
  const ValueState& x = ctx.input(0);
  const ValueState& w = ctx.input(1);
  const std::string act = ctx.node().attr_string("activation", "none");
  const int64_t params = activation_params(ctx, act);
  const int64_t given = ctx.num_inputs() > 3 ? int64_t(ctx.num_inputs()) - 3 : 0;
  if (given != params)
    ctx.error(ErrorCode::kInvalidGraph, "activation '{}' takes {} parameter inputs, got {}", act, params,
              given);
  dense_post_ops(ctx.node());
  if (!is_float(x.dtype) || w.dtype != x.dtype)
    ctx.error(ErrorCode::kShape, "X and W must have the same float dtype, got {} and {}", dtype_name(x.dtype),
              dtype_name(w.dtype));
  if (w.rank_known && w.shape.size() != 2)
    ctx.error(ErrorCode::kShape, "W must be 2-D, got {}", shape_to_string(w.shape));
  ValueState& y = ctx.output(0);
  y.dtype = x.dtype;
  if (!x.rank_known || !w.rank_known) {
    y.rank_known = false;
    return;
  }
  if (x.shape.size() < 2)
    ctx.error(ErrorCode::kShape, "X must have rank >= 2, got {}", shape_to_string(x.shape));
  const Dim& k = x.shape.back();
  if (k.is_known() && w.shape[0].is_known() && k.value != w.shape[0].value)
    ctx.error(ErrorCode::kShape, "X {} and W {} do not multiply", shape_to_string(x.shape),
              shape_to_string(w.shape));
  y.shape = x.shape;
  y.shape.back() = w.shape[1];
}

double activate(const std::string& act, double v, const double* p) {
  if (act == "relu") return v > 0 ? v : 0;
  if (act == "prelu") return v > 0 ? v : p[0] * v;
  if (act == "sigmoid") return 1 / (1 + std::exp(-v));
  if (act == "tanh") return std::tanh(v);
  if (act == "gelu") return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
  if (act == "gelu_tanh") return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
  if (act == "swish") return v / (1 + std::exp(-v));
  if (act == "dice") {
    double prob = 1 / (1 + std::exp(-p[1] * (v - p[2])));
    return p[0] * (1 - prob) * v + prob * v;
  }
  return v;
}

// Value of a broadcast parameter tensor [M], [1,M], [rows,M] or scalar at (row, col).
template <typename T>
T param_at(const Tensor* t, int64_t row, int64_t col, int64_t m) {
  if (!t) return T(0);
  const int64_t n = t->numel();
  if (n == 1) return t->data<T>()[0];
  if (n == m) return t->data<T>()[col];
  return t->data<T>()[row * m + col];
}

void compute_dense(ComputeContext& ctx) {
  const Tensor& x = *ctx.inputs[0];
  const Tensor& w = *ctx.inputs[1];
  const std::string act = ctx.node.attr_string("activation", "none");
  const int64_t k = w.dims()[0], m = w.dims()[1];
  const int64_t rows = x.numel() / k;
  const Tensor* bias = ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr;
  const PostOps<double> post = dense_post_ops(ctx.node);
  dispatch_float(x.dtype(), [&]<typename T>() {
    const T* xp = x.data<T>();
    const T* wp = w.data<T>();
    T* yp = ctx.outputs[0].data<T>();
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < m; ++c) {
        double acc = double(param_at<T>(bias, r, c, m));
        for (int64_t i = 0; i < k; ++i) acc += double(xp[r * k + i]) * double(wp[i * m + c]);
        double params[3] = {};
        for (size_t p = 3; p < ctx.inputs.size(); ++p)
          params[p - 3] = double(param_at<T>(ctx.inputs[p], r, c, m));
        yp[r * m + c] = T(post.apply(activate(act, double(acc), params)));
      }
    }
  });
}

}  // namespace

void append_dense_ops(std::vector<OpSchema>& ops) {
  ops.push_back({"Dense", 2, 6, 1, 1, infer_dense, compute_dense});
}

}  // namespace rankrt
