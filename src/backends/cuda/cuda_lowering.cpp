// Lowering of IR nodes to CUDA launch steps, weight upload and arena planning.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <map>
#include <set>

#include "backends/cuda/cuda_program.h"
#include "core/memory_planner.h"

namespace rankrt::cuda {

Dims DeviceValue::dims(int64_t rows) const {
  Dims out;
  out.rank = int(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) out.d[i] = shape[i].is_known() ? shape[i].value : rows;
  return out;
}

void* Program::pointer(const RunState& s, size_t value) const {
  const DeviceValue& v = values[value];
  return v.weight ? const_cast<void*>(v.weight) : static_cast<void*>(s.arena + v.arena_offset);
}

namespace {

const std::map<std::string, UnaryOp> kUnaryOps = {
    {"Identity", UnaryOp::kCopy}, {"Reshape", UnaryOp::kCopy},   {"Squeeze", UnaryOp::kCopy},
    {"Unsqueeze", UnaryOp::kCopy}, {"Flatten", UnaryOp::kCopy},  {"Neg", UnaryOp::kNeg},
    {"Abs", UnaryOp::kAbs},        {"Relu", UnaryOp::kRelu},     {"Sigmoid", UnaryOp::kSigmoid},
    {"Tanh", UnaryOp::kTanh},      {"Exp", UnaryOp::kExp},       {"Log", UnaryOp::kLog},
    {"Sqrt", UnaryOp::kSqrt},      {"Reciprocal", UnaryOp::kReciprocal}, {"Erf", UnaryOp::kErf},
    {"LeakyRelu", UnaryOp::kLeakyRelu}, {"Expand", UnaryOp::kCopy}};
const std::map<std::string, BinaryOp> kBinaryOps = {
    {"Add", BinaryOp::kAdd}, {"Sub", BinaryOp::kSub}, {"Mul", BinaryOp::kMul}, {"Div", BinaryOp::kDiv},
    {"Max", BinaryOp::kMax}, {"Min", BinaryOp::kMin}, {"Pow", BinaryOp::kPow}, {"PRelu", BinaryOp::kPrelu}};
const std::map<std::string, Activation> kActivations = {
    {"none", Activation::kNone},       {"relu", Activation::kRelu}, {"prelu", Activation::kPrelu},
    {"sigmoid", Activation::kSigmoid}, {"tanh", Activation::kTanh}, {"dice", Activation::kDice}};
// Ops whose output is their input reinterpreted (same bytes, new shape).
const std::set<std::string> kViewOps = {"Identity", "Reshape", "Squeeze", "Unsqueeze", "Flatten"};

// Inputs that only describe a shape: the CUDA backend takes shapes from inference instead.
bool is_shape_argument(const Node& n, size_t input) {
  if (n.op == "ConstantOfShape") return input == 0;
  if (n.op == "Expand" || n.op == "Reshape" || n.op == "Tile" || n.op == "Squeeze" || n.op == "Unsqueeze")
    return input == 1;
  if (n.op == "Slice") return input >= 1;
  return false;
}

// Nodes that compute only shape arguments (e.g. Shape -> Gather -> Concat -> Expand's shape):
// nothing to run on the device once every shape is inferred.
std::set<const Node*> shape_only_nodes(const Graph& g) {
  std::set<std::string> graph_outputs;
  for (const ValueInfo& v : g.outputs) graph_outputs.insert(v.name);
  std::set<const Node*> skip;
  for (auto it = g.nodes.rbegin(); it != g.nodes.rend(); ++it) {
    bool only_shapes = true;
    for (const std::string& out : it->outputs) {
      if (graph_outputs.count(out)) only_shapes = false;
      for (const Node& consumer : g.nodes)
        for (size_t i = 0; i < consumer.inputs.size(); ++i)
          if (consumer.inputs[i] == out && !is_shape_argument(consumer, i) && !skip.count(&consumer))
            only_shapes = false;
    }
    if (only_shapes) skip.insert(&*it);
  }
  return skip;
}

GemmPrecision parse_precision(const std::string& p) {
  if (p == "fp32") return GemmPrecision::kFp32;
  if (p == "tf32") return GemmPrecision::kTf32;
  if (p == "fp16") return GemmPrecision::kFp16;
  if (p == "bf16") return GemmPrecision::kBf16;
  fail(ErrorCode::kUsage, "precision '{}' is not supported on backend cuda (fp32, tf32, fp16, bf16)", p);
}

// Element strides of `in` broadcast into `out` (right-aligned).
void broadcast_strides(const Dims& in, const Dims& out, int64_t* strides) {
  int64_t s = 1;
  for (int d = out.rank - 1, i = in.rank - 1; d >= 0; --d, --i) {
    if (i < 0) {
      strides[d] = 0;
      continue;
    }
    strides[d] = in.d[i] == 1 ? 0 : s;
    s *= in.d[i];
  }
}

class Lowering {
 public:
  Lowering(const Graph& g, const CudaOptions& o, cublasLtHandle_t lt)
      : graph_(g), options_(o), lt_(lt), precision_(parse_precision(o.precision)), program_(std::make_unique<Program>()) {
    program_->max_rows = o.max_rows;
  }

  std::unique_ptr<Program> run() {
    for (const ValueInfo& in : graph_.inputs) {
      if (graph_.find_initializer(in.name)) continue;
      program_->inputs.push_back(add_activation(in.name, in.dtype, in.shape, in.name));
    }
    const std::set<const Node*> skip = shape_only_nodes(graph_);
    for (const Node& n : graph_.nodes)
      if (!skip.count(&n)) lower(n);
    for (const ValueInfo& out : graph_.outputs) program_->outputs.push_back(value(out.name, "graph output"));
    plan_arena();
    return std::move(program_);
  }

 private:
  [[noreturn]] void unsupported(const Node& n, const std::string& why) const {
    fail(ErrorCode::kUnsupported, "{}: node '{}' ({}): not supported on backend cuda: {}", graph_.source, n.name, n.op, why);
  }

  const ValueInfo& info(const std::string& name, const std::string& layer) const {
    auto it = graph_.value_info.find(name);
    if (it == graph_.value_info.end() || !it->second.rank_known)
      fail(ErrorCode::kUnsupported, "{}: layer '{}': value '{}' has no inferred shape", graph_.source, layer, name);
    return it->second;
  }

  void check_shape(const Shape& s, const std::string& name, const std::string& layer) {
    if (s.size() > size_t(kMaxRank))
      fail(ErrorCode::kUnsupported, "layer '{}': value '{}' has rank {} > {}", layer, name, s.size(), kMaxRank);
    for (const Dim& d : s) {
      if (d.is_known()) continue;
      if (!d.is_symbolic())
        fail(ErrorCode::kUnsupported, "{}: layer '{}': value '{}' has unknown dim in {} (cuda needs static dims or the profile symbol)",
             graph_.source, layer, name, shape_to_string(s));
      if (program_->symbol.empty()) program_->symbol = d.symbol;
      if (d.symbol != program_->symbol)
        fail(ErrorCode::kUnsupported, "layer '{}': value '{}' uses symbol {} but the profile is over {}", layer, name,
             d.symbol, program_->symbol);
    }
  }

  size_t add_activation(const std::string& name, DType dtype, const Shape& shape, const std::string& layer) {
    check_shape(shape, name, layer);
    DeviceValue v;
    v.name = name;
    v.dtype = dtype;
    v.shape = shape;
    v.max_bytes = v.dims(options_.max_rows).numel() * int64_t(dtype_size(dtype));
    program_->values.push_back(std::move(v));
    index_[name] = program_->values.size() - 1;
    first_use_.push_back(int(program_->steps.size()));
    last_use_.push_back(int(program_->steps.size()));
    return program_->values.size() - 1;
  }

  size_t upload_weight(const std::string& name, const Tensor& t, DType device_dtype) {
    Tensor converted = t.to(device_dtype == DType::kF16 || device_dtype == DType::kBF16 ? DType::kF32 : device_dtype);
    std::vector<uint16_t> halves;
    const void* src = converted.raw();
    size_t bytes = converted.nbytes();
    if (device_dtype == DType::kF16 || device_dtype == DType::kBF16) {
      halves.resize(size_t(converted.numel()));
      for (int64_t i = 0; i < converted.numel(); ++i) {
        float f = converted.data<float>()[i];
        halves[size_t(i)] = device_dtype == DType::kF16 ? __half_as_ushort(__float2half_rn(f))
                                                        : __bfloat16_as_ushort(__float2bfloat16_rn(f));
      }
      src = halves.data();
      bytes = halves.size() * 2;
    }
    DeviceBuffer buf(bytes, name);
    if (bytes) RANKRT_CUDA_CHECK(cudaMemcpy(buf.get(), src, bytes, cudaMemcpyHostToDevice), name);
    DeviceValue v;
    v.name = name;
    v.dtype = device_dtype;
    v.shape = shape_from_dims(t.dims());
    v.weight = buf.get();
    v.max_bytes = int64_t(bytes);
    program_->weights.push_back(std::move(buf));
    program_->values.push_back(std::move(v));
    first_use_.push_back(-1);
    last_use_.push_back(-1);
    return program_->values.size() - 1;
  }

  // Index of a value read by the current step; uploads initializers (floats as float32).
  size_t value(const std::string& name, const std::string& layer) {
    auto it = index_.find(name);
    size_t idx;
    if (it != index_.end()) {
      idx = it->second;
    } else if (const Tensor* t = graph_.find_initializer(name)) {
      idx = upload_weight(name, *t, is_float(t->dtype()) ? DType::kF32 : t->dtype());
      index_[name] = idx;
    } else {
      fail(ErrorCode::kInvalidGraph, "layer '{}' reads unknown value '{}'", layer, name);
    }
    last_use_[idx] = std::max(last_use_[idx], int(program_->steps.size()));
    return idx;
  }

  size_t output(const Node& n, size_t i = 0) {
    const ValueInfo& vi = info(n.outputs[i], n.name);
    return add_activation(n.outputs[i], vi.dtype, vi.shape, n.name);
  }

  void require_f32(const Node& n, size_t v) const {
    if (program_->values[v].dtype != DType::kF32)
      unsupported(n, fmt::format("value '{}' is {}, kernels take float32", program_->values[v].name,
                                 dtype_name(program_->values[v].dtype)));
  }

  ColumnParam column_param(const Node& n, size_t v, int64_t m) {
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
    unsupported(n, fmt::format("parameter '{}' of shape {} is not per-column", dv.name, shape_to_string(dv.shape)));
  }

  void add_step(const Node& n, std::function<void(const RunState&)> fn) {
    program_->steps.push_back({n.name, n.op, std::move(fn)});
  }

  void lower(const Node& n) {
    if (n.op == "Dense" || n.op == "MatMul") return lower_dense(n);
    if (n.op == "Cast") return lower_cast(n);
    if (n.op == "Concat") return lower_concat(n);
    if (n.op == "ConstantOfShape") return lower_fill(n);
    if (n.op == "Tile") return lower_tile(n);
    if (kBinaryOps.count(n.op)) return lower_binary(n);
    if (kUnaryOps.count(n.op)) return lower_unary(n);
    unsupported(n, "no CUDA kernel for this op (run the optimizer, or use --backend cpu)");
  }

  void lower_dense(const Node& n) {
    const Tensor* w = graph_.find_initializer(n.inputs[1]);
    if (!w || w->rank() != 2) unsupported(n, "the weight must be a constant 2-D tensor");
    const int64_t k = w->dims()[0], m = w->dims()[1];
    const size_t x = value(n.inputs[0], n.name);
    require_f32(n, x);
    const DType wtype = precision_ == GemmPrecision::kFp16   ? DType::kF16
                        : precision_ == GemmPrecision::kBf16 ? DType::kBF16
                                                             : DType::kF32;
    const size_t wv = value_as(n.inputs[1], *w, wtype);
    const std::string act_name = n.op == "Dense" ? n.attr_string("activation", "none") : "none";
    auto act_it = kActivations.find(act_name);
    if (act_it == kActivations.end()) unsupported(n, "activation '" + act_name + "'");
    const Activation act = act_it->second;
    std::optional<size_t> bias;
    std::vector<size_t> params;
    if (n.op == "Dense") {
      if (n.has_input(2)) bias = value(n.inputs[2], n.name);
      for (size_t i = 3; i < n.inputs.size(); ++i) params.push_back(value(n.inputs[i], n.name));
    }
    ColumnParam bias_p = bias ? column_param(n, *bias, m) : ColumnParam{};
    std::vector<ColumnParam> param_p;
    for (size_t p : params) param_p.push_back(column_param(n, p, m));
    param_p.resize(3);
    params.resize(3, SIZE_MAX);
    const size_t y = output(n);
    program_->gemms.push_back(std::make_unique<LtGemm>(lt_, k, m, max_rows_of(x, k), precision_, n.name));
    const LtGemm* gemm = program_->gemms.back().get();
    const bool convert = operand_bytes(precision_) == 2;
    if (convert) program_->scratch_bytes = std::max(program_->scratch_bytes, program_->values[x].max_bytes / 2);
    const bool epilogue = bias || act != Activation::kNone;
    const Program* prog = program_.get();
    const CastKind cast_kind = precision_ == GemmPrecision::kFp16 ? CastKind::kFloatToHalf : CastKind::kFloatToBf16;
    const std::string layer = n.name;
    add_step(n, [=](const RunState& s) {
      const int64_t rows = prog->values[x].dims(s.rows).numel() / k;
      const void* xin = prog->pointer(s, x);
      if (convert) {
        launch_cast(cast_kind, xin, s.scratch, rows * k, s.stream);
        RANKRT_CUDA_CHECK_LAUNCH(layer);
        xin = s.scratch;
      }
      float* out = static_cast<float*>(prog->pointer(s, y));
      gemm->run(s.lt, xin, prog->pointer(s, wv), out, rows, s.workspace, s.stream);
      if (!epilogue) return;
      auto bind = [&](ColumnParam p, size_t v) {
        if (v != SIZE_MAX) p.data = static_cast<const float*>(prog->pointer(s, v));
        return p;
      };
      launch_bias_activation(out, rows, m, bind(bias_p, bias ? *bias : SIZE_MAX), act, bind(param_p[0], params[0]),
                             bind(param_p[1], params[1]), bind(param_p[2], params[2]), s.stream);
      RANKRT_CUDA_CHECK_LAUNCH(layer);
    });
  }

  // Uploads a GEMM weight in the operand dtype of the precision (a separate copy per dtype).
  size_t value_as(const std::string& name, const Tensor& t, DType dtype) {
    const std::string key = name + "#" + std::string(dtype_name(dtype));
    auto it = index_.find(key);
    if (it != index_.end()) return it->second;
    const size_t idx = upload_weight(name, t, dtype);
    index_[key] = idx;
    return idx;
  }

  int64_t max_rows_of(size_t x, int64_t k) const { return program_->values[x].dims(options_.max_rows).numel() / k; }

  void lower_cast(const Node& n) {
    const size_t x = value(n.inputs[0], n.name);
    const size_t y = output(n);
    const DType from = program_->values[x].dtype, to = program_->values[y].dtype;
    CastKind kind;
    if (from == DType::kF16 && to == DType::kF32) {
      kind = CastKind::kHalfToFloat;
    } else if (from == DType::kBF16 && to == DType::kF32) {
      kind = CastKind::kBf16ToFloat;
    } else if (from == to) {
      return lower_copy(n, x, y);
    } else {
      unsupported(n, fmt::format("cast {} -> {}", dtype_name(from), dtype_name(to)));
    }
    const Program* prog = program_.get();
    const std::string layer = n.name;
    add_step(n, [=](const RunState& s) {
      launch_cast(kind, prog->pointer(s, x), prog->pointer(s, y), prog->values[y].dims(s.rows).numel(), s.stream);
      RANKRT_CUDA_CHECK_LAUNCH(layer);
    });
  }

  void lower_copy(const Node& n, size_t x, size_t y) {
    const Program* prog = program_.get();
    const std::string layer = n.name;
    add_step(n, [=](const RunState& s) {
      const size_t bytes = size_t(prog->values[y].dims(s.rows).numel()) * dtype_size(prog->values[y].dtype);
      RANKRT_CUDA_CHECK(cudaMemcpyAsync(prog->pointer(s, y), prog->pointer(s, x), bytes, cudaMemcpyDeviceToDevice, s.stream),
                        layer);
    });
  }

  void lower_unary(const Node& n) {
    const size_t x = value(n.inputs[0], n.name);
    const size_t y = output(n);
    if (kViewOps.count(n.op) && program_->values[x].dtype == program_->values[y].dtype) return lower_copy(n, x, y);
    lower_unary_op(n, x, y, kUnaryOps.at(n.op), float(n.attr_float("alpha", 0.01)));
  }

  void lower_broadcast_copy(const Node& n, size_t x, size_t y) { lower_unary_op(n, x, y, UnaryOp::kCopy, 0.0f); }

  // y = op(x broadcast to y's shape).
  void lower_unary_op(const Node& n, size_t x, size_t y, UnaryOp op, float alpha) {
    require_f32(n, x);
    const Program* prog = program_.get();
    const std::string layer = n.name;
    add_step(n, [=](const RunState& s) {
      const Dims out = prog->values[y].dims(s.rows), in = prog->values[x].dims(s.rows);
      BroadcastIndex ix;
      ix.rank = out.rank;
      for (int d = 0; d < out.rank; ++d) ix.dims[d] = out.d[d];
      broadcast_strides(in, out, ix.a);
      launch_unary(op, static_cast<const float*>(prog->pointer(s, x)), static_cast<float*>(prog->pointer(s, y)),
                   out.numel(), ix, alpha, s.stream);
      RANKRT_CUDA_CHECK_LAUNCH(layer);
    });
  }

  // Tile whose tiled dims all have size 1 in the input (e.g. Tile(comm[1,176], [N,1])) is a
  // broadcast copy; other tilings are not lowered.
  void lower_tile(const Node& n) {
    const size_t x = value(n.inputs[0], n.name);
    const ValueInfo& out = info(n.outputs[0], n.name);
    const Shape& in = program_->values[x].shape;
    for (size_t d = 0; d < in.size() && d < out.shape.size(); ++d)
      if (!(in[d] == out.shape[d]) && !(in[d] == Dim(1)))
        unsupported(n, fmt::format("tiling {} to {} repeats a dim larger than 1", shape_to_string(in),
                                   shape_to_string(out.shape)));
    lower_broadcast_copy(n, x, output(n));
  }

  // ConstantOfShape: broadcast its one-element value to the inferred output shape.
  void lower_fill(const Node& n) {
    Tensor value = n.has_attr("value") ? n.attr_tensor("value") : Tensor::scalar<float>(0.0f);
    const size_t x = upload_weight(n.name + "/value", value.reshaped({}), DType::kF32);
    const size_t y = output(n);
    require_f32(n, y);
    const Program* prog = program_.get();
    const std::string layer = n.name;
    add_step(n, [=](const RunState& s) {
      const Dims out = prog->values[y].dims(s.rows);
      BroadcastIndex ix;  // all input strides 0
      ix.rank = out.rank;
      for (int d = 0; d < out.rank; ++d) ix.dims[d] = out.d[d];
      launch_unary(UnaryOp::kCopy, static_cast<const float*>(prog->pointer(s, x)),
                   static_cast<float*>(prog->pointer(s, y)), out.numel(), ix, 0.0f, s.stream);
      RANKRT_CUDA_CHECK_LAUNCH(layer);
    });
  }

  void lower_binary(const Node& n) {
    if (n.inputs.size() != 2) unsupported(n, "only the two-input form");
    const size_t a = value(n.inputs[0], n.name), b = value(n.inputs[1], n.name);
    require_f32(n, a);
    require_f32(n, b);
    const size_t y = output(n);
    const BinaryOp op = kBinaryOps.at(n.op);
    const Program* prog = program_.get();
    const std::string layer = n.name;
    add_step(n, [=](const RunState& s) {
      const Dims out = prog->values[y].dims(s.rows);
      BroadcastIndex ix;
      ix.rank = out.rank;
      for (int d = 0; d < out.rank; ++d) ix.dims[d] = out.d[d];
      broadcast_strides(prog->values[a].dims(s.rows), out, ix.a);
      broadcast_strides(prog->values[b].dims(s.rows), out, ix.b);
      launch_binary(op, static_cast<const float*>(prog->pointer(s, a)), static_cast<const float*>(prog->pointer(s, b)),
                    static_cast<float*>(prog->pointer(s, y)), out.numel(), ix, s.stream);
      RANKRT_CUDA_CHECK_LAUNCH(layer);
    });
  }

  void lower_concat(const Node& n) {
    std::vector<size_t> ins;
    for (const std::string& in : n.inputs) ins.push_back(value(in, n.name));
    const size_t y = output(n);
    const int64_t rank = int64_t(program_->values[y].shape.size());
    int64_t axis = n.attr_int("axis");
    if (axis < 0) axis += rank;
    const Program* prog = program_.get();
    const std::string layer = n.name;
    // Concat = one strided 2-D copy per input: rows = product of dims before the axis.
    add_step(n, [=](const RunState& s) {
      const Dims out = prog->values[y].dims(s.rows);
      const size_t elem = dtype_size(prog->values[y].dtype);
      int64_t outer = 1, inner = 1;
      for (int64_t d = 0; d < axis; ++d) outer *= out.d[d];
      for (int64_t d = axis + 1; d < out.rank; ++d) inner *= out.d[d];
      const size_t out_pitch = size_t(out.d[axis] * inner) * elem;
      size_t offset = 0;
      for (size_t in : ins) {
        const size_t width = size_t(prog->values[in].dims(s.rows).d[axis] * inner) * elem;
        if (outer > 0 && width > 0)
          RANKRT_CUDA_CHECK(cudaMemcpy2DAsync(static_cast<std::byte*>(prog->pointer(s, y)) + offset, out_pitch,
                                              prog->pointer(s, in), width, width, size_t(outer),
                                              cudaMemcpyDeviceToDevice, s.stream),
                            layer);
        offset += width;
      }
    });
  }

  void plan_arena() {
    std::vector<BufferRequest> requests;
    std::vector<size_t> owners;
    const int end = int(program_->steps.size());
    for (size_t i = 0; i < program_->values.size(); ++i) {
      if (program_->values[i].weight) continue;
      int first = first_use_[i], last = last_use_[i];
      for (size_t in : program_->inputs)
        if (in == i) first = -1;
      for (size_t out : program_->outputs)
        if (out == i) last = end;
      requests.push_back({program_->values[i].max_bytes, first + 1, last + 1});
      owners.push_back(i);
    }
    MemoryPlan plan = plan_memory(requests);
    for (size_t r = 0; r < owners.size(); ++r) program_->values[owners[r]].arena_offset = plan.offsets[r];
    program_->arena_bytes = plan.arena_bytes;
  }

  const Graph& graph_;
  const CudaOptions& options_;
  cublasLtHandle_t lt_;
  GemmPrecision precision_;
  std::unique_ptr<Program> program_;
  std::map<std::string, size_t> index_;
  std::vector<int> first_use_, last_use_;
};

}  // namespace

std::unique_ptr<Program> lower_graph(const Graph& graph, const CudaOptions& options, cublasLtHandle_t lt) {
  return Lowering(graph, options, lt).run();
}

}  // namespace rankrt::cuda
