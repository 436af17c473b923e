// MatMul (NumPy semantics: 1-D promotion, broadcast batch dims) and Gemm (alpha, beta, transA,
// transB, optional C broadcast to [M, N]). Naive triple loops; float dot products accumulate in double (one
// rounding per output, so float32 mode is the ideal float32 engine).
#include "ops/elementwise.h"
#include "ops/op_list.h"

namespace rankrt {

namespace {

// Accumulator: double for floats; integers wrap around in uint64.
template <typename T>
using Acc = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;

void check_inner(const InferContext& ctx, const Dim& k1, const Dim& k2, const Shape& a, const Shape& b) {
  if (k1.is_known() && k2.is_known() && k1.value != k2.value)
    ctx.error(ErrorCode::kShape, "inner dimensions differ: {} x {}", shape_to_string(a), shape_to_string(b));
}

void infer_matmul(InferContext& ctx) {
  require_numeric(ctx, 0);
  require_same_dtype(ctx, 0, 1);
  const ValueState &a = ctx.input(0), &b = ctx.input(1);
  ValueState& out = ctx.output(0);
  out.dtype = a.dtype;
  if (!a.rank_known || !b.rank_known) {
    out.rank_known = false;
    return;
  }
  if (a.shape.empty() || b.shape.empty())
    ctx.error(ErrorCode::kShape, "inputs must have rank >= 1, got {} and {}", shape_to_string(a.shape),
              shape_to_string(b.shape));
  Shape am = a.shape.size() == 1 ? Shape{Dim(1), a.shape[0]} : a.shape;
  Shape bm = b.shape.size() == 1 ? Shape{b.shape[0], Dim(1)} : b.shape;
  check_inner(ctx, am.back(), bm[bm.size() - 2], a.shape, b.shape);
  out.shape = broadcast_shapes(ctx, Shape(am.begin(), am.end() - 2), Shape(bm.begin(), bm.end() - 2));
  if (a.shape.size() > 1) out.shape.push_back(am[am.size() - 2]);
  if (b.shape.size() > 1) out.shape.push_back(bm.back());
}

void compute_matmul(ComputeContext& ctx) {
  const Tensor &a = *ctx.inputs[0], &b = *ctx.inputs[1];
  Tensor& out = ctx.outputs[0];
  std::vector<int64_t> ad = a.dims(), bd = b.dims();
  if (ad.size() == 1) ad.insert(ad.begin(), 1);
  if (bd.size() == 1) bd.push_back(1);
  const int64_t m = ad[ad.size() - 2], k = ad.back(), n = bd.back();
  const std::vector<int64_t> a_batch(ad.begin(), ad.end() - 2), b_batch(bd.begin(), bd.end() - 2);
  const size_t batch_rank = std::max(a_batch.size(), b_batch.size());
  const std::vector<int64_t> out_batch(out.dims().begin(), out.dims().begin() + int64_t(batch_rank));
  const std::vector<int64_t> strides[2] = {broadcast_strides(a_batch, out_batch),
                                           broadcast_strides(b_batch, out_batch)};
  dispatch_numeric(out.dtype(), [&]<typename T>() {
    const T *pa = a.data<T>(), *pb = b.data<T>();
    T* po = out.data<T>();
    for_each_broadcast(out_batch, strides, [&](int64_t batch, const int64_t* off) {
      const T* ma = pa + off[0] * m * k;
      const T* mb = pb + off[1] * k * n;
      T* mo = po + batch * m * n;
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          Acc<T> acc = 0;
          for (int64_t p = 0; p < k; ++p) acc += Acc<T>(ma[i * k + p]) * Acc<T>(mb[p * n + j]);
          mo[i * n + j] = T(acc);
        }
      }
    });
  });
}

void infer_gemm(InferContext& ctx) {
  require_float(ctx, 0);
  require_same_dtype(ctx, 0, 1);
  if (ctx.has_input(2)) require_same_dtype(ctx, 0, 2);
  const ValueState &a = ctx.input(0), &b = ctx.input(1);
  ValueState& out = ctx.output(0);
  out.dtype = a.dtype;
  if (!a.rank_known || !b.rank_known) {
    out.rank_known = false;
    return;
  }
  if (a.shape.size() != 2 || b.shape.size() != 2)
    ctx.error(ErrorCode::kShape, "A and B must be 2-D, got {} and {}", shape_to_string(a.shape),
              shape_to_string(b.shape));
  const bool ta = ctx.node().attr_int("transA", 0) != 0, tb = ctx.node().attr_int("transB", 0) != 0;
  check_inner(ctx, a.shape[ta ? 0 : 1], b.shape[tb ? 1 : 0], a.shape, b.shape);
  out.shape = {a.shape[ta ? 1 : 0], b.shape[tb ? 0 : 1]};
  if (!ctx.has_input(2) || !ctx.input(2).rank_known) return;
  const Shape& c = ctx.input(2).shape;
  bool ok = c.size() <= 2;
  for (size_t d = 0; ok && d < c.size(); ++d) {
    const Dim &cd = c[d], &od = out.shape[2 - c.size() + d];
    ok = !(cd.is_known() && cd.value != 1 && od.is_known() && od.value != cd.value);
  }
  if (!ok)
    ctx.error(ErrorCode::kShape, "C {} does not broadcast to {}", shape_to_string(c),
              shape_to_string(out.shape));
}

void compute_gemm(ComputeContext& ctx) {
  const Tensor &a = *ctx.inputs[0], &b = *ctx.inputs[1];
  const Tensor* c = ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr;
  Tensor& out = ctx.outputs[0];
  const bool ta = ctx.node.attr_int("transA", 0) != 0, tb = ctx.node.attr_int("transB", 0) != 0;
  const double alpha = ctx.node.attr_float("alpha", 1.0), beta = ctx.node.attr_float("beta", 1.0);
  const int64_t m = out.dims()[0], n = out.dims()[1], k = a.dims()[ta ? 0 : 1];
  // Element (i, p) of op(A) and (p, j) of op(B) in row-major storage.
  const int64_t a_row = ta ? 1 : k, a_col = ta ? m : 1, b_row = tb ? 1 : n, b_col = tb ? k : 1;
  std::vector<int64_t> c_strides = c ? broadcast_strides(c->dims(), out.dims()) : std::vector<int64_t>{0, 0};
  dispatch_float(out.dtype(), [&]<typename T>() {
    const T *pa = a.data<T>(), *pb = b.data<T>();
    const T* pc = c ? c->data<T>() : nullptr;
    T* po = out.data<T>();
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t p = 0; p < k; ++p)
          acc += double(pa[i * a_row + p * a_col]) * double(pb[p * b_row + j * b_col]);
        T y = T(alpha * acc);
        if (pc) y += T(beta) * pc[i * c_strides[0] + j * c_strides[1]];
        po[i * n + j] = y;
      }
    }
  });
}

}  // namespace

void append_matmul_ops(std::vector<OpSchema>& ops) {
  ops.push_back({"MatMul", 2, 2, 1, 1, &infer_matmul, &compute_matmul});
  ops.push_back({"Gemm", 2, 3, 1, 1, &infer_gemm, &compute_gemm});
}

}  // namespace rankrt
