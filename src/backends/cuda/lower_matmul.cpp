// Lowering of Dense / MatMul / Gemm: constant 2-D weights through cuBLASLt with the fused
// bias-activation epilogue, activation x activation products through the batched kernel.
#include <cstring>

#include "backends/cuda/kernels/batched_matmul.h"
#include "backends/cuda/kernels/gemm_operands.h"
#include "backends/cuda/lowering.h"
#include "ir/score_head.h"
#include "ops/dense_post_ops.h"

namespace rankrt::cuda {

namespace {

const std::map<std::string, Activation> kActivations = {
    {"none", Activation::kNone},       {"relu", Activation::kRelu}, {"prelu", Activation::kPrelu},
    {"sigmoid", Activation::kSigmoid}, {"tanh", Activation::kTanh}, {"dice", Activation::kDice}};

}  // namespace

void Epilogue::launch(const Program& prog, const RunState& s, float* y, int64_t rows, int64_t m,
                      Accumulator acc) const {
  auto bound = [&](ColumnParam p, size_t v) {
    if (v != SIZE_MAX) p.data = static_cast<const float*>(prog.pointer(s, v));
    return p;
  };
  launch_bias_activation(y, rows, m, acc, bound(bias, bias_value), act, bound(params[0], param_values[0]),
                         bound(params[1], param_values[1]), bound(params[2], param_values[2]), post,
                         s.stream);
}

Epilogue Lowering::epilogue_of(const Node& n, std::optional<size_t> bias, Activation act,
                               const std::vector<size_t>& params, int64_t m) {
  Epilogue e;
  e.act = act;
  if (bias) {
    e.bias = column_param(n, *bias, m);
    e.bias_value = *bias;
  }
  for (size_t i = 0; i < params.size() && i < e.params.size(); ++i) {
    e.params[i] = column_param(n, params[i], m);
    e.param_values[i] = params[i];
  }
  e.post = dense_post_ops(n).as<float>();
  return e;
}

ColumnParam Lowering::column_param(const Node& n, size_t v, int64_t m) {
  require_f32(n, v);
  const DeviceValue& dv = program_->values[v];
  auto dims = concrete_dims(dv.shape);
  int64_t numel = dims ? num_elements(*dims) : -1;
  ColumnParam p;
  if (numel == 1) return p;  // scalar: data filled per request, strides 0
  if (numel == m) {
    p.col_stride = 1;
    return p;
  }
  if (dv.shape.size() == 2 && dv.shape[1] == Dim(m)) {
    p.col_stride = 1;
    p.row_stride = m;
    return p;
  }
  unsupported(
      n, fmt::format("parameter '{}' of shape {} is not per-column", dv.name, shape_to_string(dv.shape)));
}

int64_t Lowering::max_rows_of(size_t x, int64_t k) const {
  return program_->values[x].dims(options_.profile.max).numel() / k;
}

void Lowering::lower_dense(const Node& n) {
  const Tensor* w = constant(n.inputs[1]);
  if (!w || w->rank() != 2) {
    if (n.op == "MatMul") return lower_batched_matmul(n);
    unsupported(n, "the weight must be a constant 2-D tensor");
  }
  // fp32 and tf32x3 (float32-accurate) layers: a score head computes in double.
  auto float32_accurate = [&](const Node& l) {
    const GemmPrecision p = precision_of(l);
    return p == GemmPrecision::kFp32 || p == GemmPrecision::kTf32x3;
  };
  if (float32_accurate(n))
    if (const Node* second = score_head_consumer(graph_, n); second && float32_accurate(*second))
      return lower_dense_head(n, *second);
  const std::string act_name = n.op == "Dense" ? n.attr_string("activation", "none") : "none";
  auto act_it = kActivations.find(act_name);
  if (act_it == kActivations.end()) unsupported(n, "activation '" + act_name + "'");
  const size_t x = value(n.inputs[0], n.name);
  std::optional<size_t> bias;
  std::vector<size_t> params;
  if (n.op == "Dense") {
    if (n.has_input(2)) bias = value(n.inputs[2], n.name);
    for (size_t i = 3; i < n.inputs.size(); ++i) params.push_back(value(n.inputs[i], n.name));
  }
  lower_lt_gemm(n, x, n.inputs[1], *w, bias, act_it->second, params);
}

// A Dense node's operands for the score-head kernel: values[0] the bias, [1..3] the activation
// parameters (SIZE_MAX where absent; bound per request).
HeadLayer Lowering::head_layer(const Node& n, std::array<size_t, 4>& values) {
  const Tensor& w = *constant(n.inputs[1]);
  HeadLayer l;
  l.k = w.dims()[0];
  l.m = w.dims()[1];
  const std::string act = n.attr_string("activation", "none");
  if (!kActivations.count(act)) unsupported(n, "activation '" + act + "'");
  l.act = kActivations.at(act);
  l.post = dense_post_ops(n);
  values.fill(SIZE_MAX);
  ColumnParam* forms[4] = {&l.bias, &l.p0, &l.p1, &l.p2};
  for (size_t i = 2; i < n.inputs.size() && i < 6; ++i)
    if (n.has_input(i)) {
      values[i - 2] = value(n.inputs[i], n.name);
      *forms[i - 2] = column_param(n, values[i - 2], l.m);
    }
  return l;
}

void Lowering::lower_dense_head(const Node& n, const Node& second) {
  const size_t x = value(n.inputs[0], n.name);
  require_f32(n, x);
  const size_t w1 = value(n.inputs[1], n.name), w2 = value(second.inputs[1], second.name);
  std::array<size_t, 4> first_values, second_values;
  const HeadLayer a = head_layer(n, first_values), b = head_layer(second, second_values);
  fused_into_head_.insert(&second);
  const size_t y = output(second);
  const Program* prog = program_.get();
  const std::string layer = n.name;
  add_step(n, [=](const RunState& s) {
    auto bind = [&](HeadLayer l, size_t w, const std::array<size_t, 4>& v) {
      l.weight = static_cast<const float*>(prog->pointer(s, w));
      ColumnParam* forms[4] = {&l.bias, &l.p0, &l.p1, &l.p2};
      for (size_t i = 0; i < 4; ++i)
        if (v[i] != SIZE_MAX) forms[i]->data = static_cast<const float*>(prog->pointer(s, v[i]));
      return l;
    };
    const int64_t rows = prog->values[x].dims(s.rows).numel() / a.k;
    launch_dense_head(static_cast<const float*>(prog->pointer(s, x)), rows, bind(a, w1, first_values),
                      bind(b, w2, second_values), static_cast<float*>(prog->pointer(s, y)), s.stream);
    RANKRT_CUDA_CHECK_LAUNCH(layer);
  });
}

// Gemm(A, B, C) with transA = 0 and a constant B: alpha and transB fold into the uploaded weight,
// beta into the uploaded bias.
void Lowering::lower_gemm(const Node& n) {
  if (n.attr_int("transA", 0) != 0) unsupported(n, "transA = 1");
  const Tensor* b = constant(n.inputs[1]);
  if (!b || b->rank() != 2) unsupported(n, "B must be a constant 2-D tensor");
  const bool trans_b = n.attr_int("transB", 0) != 0;
  const double alpha = n.attr_float("alpha", 1.0), beta = n.attr_float("beta", 1.0);
  const Tensor b64 = b->to(DType::kF64);
  const int64_t k = b->dims()[trans_b ? 1 : 0], m = b->dims()[trans_b ? 0 : 1];
  Tensor w(DType::kF64, {k, m});
  for (int64_t p = 0; p < k; ++p)
    for (int64_t j = 0; j < m; ++j)
      w.data<double>()[p * m + j] = alpha * b64.data<double>()[trans_b ? j * k + p : p * m + j];
  const size_t x = value(n.inputs[0], n.name);
  std::optional<size_t> bias;
  if (n.has_input(2)) {
    const Tensor* c = constant(n.inputs[2]);
    if (!c) unsupported(n, "C must be a constant");
    Tensor scaled = c->to(DType::kF64);
    for (double& v : scaled.span<double>()) v *= beta;
    bias = upload_weight(n.name + "/C", scaled, DType::kF32);
  }
  lower_lt_gemm(n, x, n.name + "/B", w.to(DType::kF32), bias, Activation::kNone, {});
}

void Lowering::lower_lt_gemm(const Node& n, size_t x, const std::string& key, const Tensor& w,
                             std::optional<size_t> bias, Activation act, const std::vector<size_t>& params) {
  const int64_t k = w.dims()[0], m = w.dims()[1];
  require_f32(n, x);
  const GemmPrecision precision = precision_of(n);
  const Epilogue ep = epilogue_of(n, bias, act, params, m);
  if (weight_transposed(precision)) return lower_quantized_gemm(n, x, key, w, ep);
  const DType wtype = precision == GemmPrecision::kFp16   ? DType::kF16
                      : precision == GemmPrecision::kBf16 ? DType::kBF16
                                                          : DType::kF32;
  // tf32x3: one TF32 GEMM over 3K, [x_hi | x_hi | x_lo] · [W_hi; W_lo; W_hi].
  const bool split = precision == GemmPrecision::kTf32x3;
  const size_t wv = split ? value_as(key + "#split", split_tf32_weight(w), wtype) : value_as(key, w, wtype);
  const size_t y = output(n);
  // cuBLASLt's own epilogue when it covers the layer (a per-column bias vector and/or ReLU);
  // otherwise our bias + activation kernel after the product.
  const bool column_bias = bias && ep.bias.col_stride == 1 && ep.bias.row_stride == 0;
  const bool lt_epilogue =
      (!bias || column_bias) && (act == Activation::kNone || act == Activation::kRelu) && ep.post.count == 0;
  const cublasLtEpilogue_t lt_kind = !lt_epilogue ? CUBLASLT_EPILOGUE_DEFAULT
                                     : act == Activation::kRelu
                                         ? (bias ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_RELU)
                                     : bias ? CUBLASLT_EPILOGUE_BIAS
                                            : CUBLASLT_EPILOGUE_DEFAULT;
  program_->gemms.push_back(make_gemm(split ? 3 * k : k, m, max_rows_of(x, k), precision, n.name, lt_kind));
  const LtGemm* gemm = program_->gemms.back().get();
  const bool convert = operand_bytes(precision) == 2;
  if (convert) program_->scratch_bytes = std::max(program_->scratch_bytes, program_->values[x].max_bytes / 2);
  if (split) program_->scratch_bytes = std::max(program_->scratch_bytes, program_->values[x].max_bytes * 3);
  const bool epilogue = !lt_epilogue && (bias || act != Activation::kNone || ep.post.count > 0);
  const std::optional<size_t> lt_bias = lt_epilogue ? bias : std::nullopt;
  const Program* prog = program_.get();
  const CastKind cast_kind =
      precision == GemmPrecision::kFp16 ? CastKind::kFloatToHalf : CastKind::kFloatToBf16;
  const std::string layer = n.name;
  add_step(n, [=](const RunState& s) {
    const int64_t rows = prog->values[x].dims(s.rows).numel() / k;
    const void* xin = prog->pointer(s, x);
    if (convert || split) {
      if (split)
        launch_split_tf32(static_cast<const float*>(xin), static_cast<float*>(s.scratch), rows, k, s.stream);
      else
        launch_cast(cast_kind, xin, s.scratch, rows * k, s.stream);
      RANKRT_CUDA_CHECK_LAUNCH(layer);
      xin = s.scratch;
    }
    float* out = static_cast<float*>(prog->pointer(s, y));
    gemm->run(s.lt, xin, prog->pointer(s, wv), out, rows, s.workspace, s.stream,
              lt_bias ? static_cast<const float*>(prog->pointer(s, *lt_bias)) : nullptr);
    if (!epilogue) return;
    ep.launch(*prog, s, out, rows, m, {});
    RANKRT_CUDA_CHECK_LAUNCH(layer);
  });
}

// MatMul of two rank >= 2 tensors (batch dims broadcast); the contraction over a symbolic dim
// mixes rows.
void Lowering::lower_batched_matmul(const Node& n) {
  const size_t a = value(n.inputs[0], n.name), b = value(n.inputs[1], n.name);
  require_f32(n, a);
  require_f32(n, b);
  const Shape &sa = program_->values[a].shape, &sb = program_->values[b].shape;
  if (sa.size() < 2 || sb.size() < 2) unsupported(n, "1-D operands of an activation x activation MatMul");
  const size_t y = output(n);
  const bool row_independent =
      !symbolic_at(a, int64_t(sa.size()) - 1) && !symbolic_at(b, int64_t(sb.size()) - 2);
  const Program* prog = program_.get();
  const std::string layer = n.name;
  add_step(
      n,
      [=](const RunState& s) {
        const Dims da = prog->values[a].dims(s.rows), db = prog->values[b].dims(s.rows),
                   out = prog->values[y].dims(s.rows);
        const int64_t m = da.d[da.rank - 2], k = da.d[da.rank - 1], cols = db.d[db.rank - 1];
        // Batch dims as [.., 1] Dims in matrix units, then scaled to elements.
        Dims ba, bb, bo;
        ba.rank = da.rank - 2;
        bb.rank = db.rank - 2;
        bo.rank = out.rank - 2;
        for (int d = 0; d < ba.rank; ++d) ba.d[d] = da.d[d];
        for (int d = 0; d < bb.rank; ++d) bb.d[d] = db.d[d];
        for (int d = 0; d < bo.rank; ++d) bo.d[d] = out.d[d];
        BatchIndex ix;
        ix.rank = bo.rank;
        for (int d = 0; d < bo.rank; ++d) ix.dims[d] = bo.d[d];
        broadcast_strides(ba, bo, ix.a);
        broadcast_strides(bb, bo, ix.b);
        for (int d = 0; d < bo.rank; ++d) {
          ix.a[d] *= m * k;
          ix.b[d] *= k * cols;
        }
        launch_batched_matmul(static_cast<const float*>(prog->pointer(s, a)),
                              static_cast<const float*>(prog->pointer(s, b)),
                              static_cast<float*>(prog->pointer(s, y)), bo.numel(), m, k, cols, ix, s.stream);
        RANKRT_CUDA_CHECK_LAUNCH(layer);
      },
      row_independent);
}

// The layer's GEMM: from an engine plan's stored algorithms when given (no heuristic query, so
// a plan loads fast and runs exactly what it was built with), else from cuBLASLt's heuristic.
std::unique_ptr<LtGemm> Lowering::make_gemm(int64_t k, int64_t m, int64_t max_rows, GemmPrecision precision,
                                            const std::string& layer, cublasLtEpilogue_t epilogue) {
  const std::vector<GemmAlgorithms>& planned = options_.gemm_algorithms;
  if (planned.empty())
    return std::make_unique<LtGemm>(lt_, k, m, max_rows, precision, layer, epilogue, options_.tune_gemms);
  const size_t i = program_->gemms.size();
  if (i >= planned.size())
    fail(ErrorCode::kData, "engine plan has GEMM algorithms for {} layers, the graph lowers more",
         planned.size());
  const GemmAlgorithms& p = planned[i];
  if (p.layer != layer || p.precision != precision_name(precision) || p.k != k || p.m != m ||
      int64_t(p.algorithms.size()) != max_rows)
    fail(ErrorCode::kData, "engine plan's GEMM algorithms for layer '{}' do not match the lowered layer '{}'",
         p.layer, layer);
  std::vector<cublasLtMatmulAlgo_t> algos(p.algorithms.size());
  for (size_t r = 0; r < algos.size(); ++r) std::memcpy(&algos[r], p.algorithms[r].data(), sizeof algos[r]);
  return std::make_unique<LtGemm>(k, m, precision, layer, std::move(algos), epilogue);
}

}  // namespace rankrt::cuda
