// Lowering of IR nodes to CUDA launch steps: values, weight upload, arena planning, bucketing
// eligibility, and the elementwise / cast / concat / fill ops.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <set>

#include "backends/cuda/lowering.h"
#include "core/memory_planner.h"
#include "ir/shape_only_nodes.h"

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

namespace {

const std::map<std::string, UnaryOp> kUnaryOps = {
    {"Identity", UnaryOp::kCopy},   {"Reshape", UnaryOp::kCopy},
    {"Squeeze", UnaryOp::kCopy},    {"Unsqueeze", UnaryOp::kCopy},
    {"Flatten", UnaryOp::kCopy},    {"Neg", UnaryOp::kNeg},
    {"Abs", UnaryOp::kAbs},         {"Relu", UnaryOp::kRelu},
    {"Sigmoid", UnaryOp::kSigmoid}, {"Tanh", UnaryOp::kTanh},
    {"Exp", UnaryOp::kExp},         {"Log", UnaryOp::kLog},
    {"Sqrt", UnaryOp::kSqrt},       {"Reciprocal", UnaryOp::kReciprocal},
    {"Erf", UnaryOp::kErf},         {"LeakyRelu", UnaryOp::kLeakyRelu},
    {"Expand", UnaryOp::kCopy}};
const std::map<std::string, BinaryOp> kBinaryOps = {
    {"Add", BinaryOp::kAdd}, {"Sub", BinaryOp::kSub}, {"Mul", BinaryOp::kMul}, {"Div", BinaryOp::kDiv},
    {"Max", BinaryOp::kMax}, {"Min", BinaryOp::kMin}, {"Pow", BinaryOp::kPow}, {"PRelu", BinaryOp::kPrelu}};
// Ops whose output is their input reinterpreted (same bytes, new shape).
const std::set<std::string> kViewOps = {"Identity", "Reshape", "Squeeze", "Unsqueeze", "Flatten"};
const std::set<std::string> kReduceOps = {"ReduceSum", "ReduceMean", "ReduceMax"};

// Inputs that only describe a shape or a constant parameter: the CUDA backend takes shapes from
// inference and parameters from constants instead.
bool is_shape_argument(const Node& n, size_t input) {
  if (n.op == "ConstantOfShape") return input == 0;
  if (n.op == "Expand" || n.op == "Reshape" || n.op == "Tile" || n.op == "Squeeze" || n.op == "Unsqueeze" ||
      n.op == "Split" || kReduceOps.count(n.op))
    return input == 1;
  if (n.op == "Slice" || n.op == "Clip" || n.op == "Pad") return input >= 1;
  return false;
}

GemmPrecision parse_precision(const std::string& p) {
  if (p == "fp32") return GemmPrecision::kFp32;
  if (p == "tf32") return GemmPrecision::kTf32;
  if (p == "fp16") return GemmPrecision::kFp16;
  if (p == "bf16") return GemmPrecision::kBf16;
  if (p == "int8") return GemmPrecision::kInt8;
  if (p == "fp8") return GemmPrecision::kFp8;
  if (p == "tf32x3") return GemmPrecision::kTf32x3;
  fail(ErrorCode::kUsage,
       "precision '{}' is not supported on backend cuda (fp32, tf32, fp16, bf16, int8, fp8, tf32x3)", p);
}

}  // namespace

Lowering::Lowering(const Graph& g, const CudaOptions& o, cublasLtHandle_t lt)
    : graph_(g),
      options_(o),
      lt_(lt),
      precision_(parse_precision(o.precision)),
      program_(std::make_unique<Program>()) {
  program_->profile = o.profile;
  for (const Node& n : graph_.nodes)
    for (const std::string& out : n.outputs) producers_[out] = &n;
}

std::unique_ptr<Program> Lowering::run() {
  for (const ValueInfo& in : graph_.inputs) {
    if (graph_.find_initializer(in.name)) continue;
    program_->inputs.push_back(add_activation(in.name, in.dtype, in.shape, in.name));
  }
  const std::set<const Node*> skip = shape_only_nodes(graph_, is_shape_argument);
  const std::map<const Node*, const Node*> root_of = plan_elementwise_fusion(graph_, skip);
  std::map<const Node*, std::vector<const Node*>> chains;
  for (const Node& n : graph_.nodes)
    if (root_of.count(&n)) chains[root_of.at(&n)].push_back(&n);
  for (const Node& n : graph_.nodes) {
    if (skip.count(&n) || fused_into_head_.count(&n)) continue;
    auto chain = chains.find(&n);
    if (chain != chains.end() && chain->second.size() > 1) {
      lower_fused(chain->second);
    } else if (!root_of.count(&n) || root_of.at(&n) == &n) {
      lower(n);
    }
  }
  for (const ValueInfo& out : graph_.outputs) program_->outputs.push_back(value(out.name, "graph output"));
  plan_arena();
  check_bucketable();
  return std::move(program_);
}

const std::map<std::string, UnaryOp>& unary_ops() { return kUnaryOps; }
const std::map<std::string, BinaryOp>& binary_ops() { return kBinaryOps; }

void Lowering::unsupported(const Node& n, const std::string& why) const {
  fail(ErrorCode::kUnsupported, "{}: node '{}' ({}): not supported on backend cuda: {}", graph_.source,
       n.name, n.op, why);
}

const ValueInfo& Lowering::info(const std::string& name, const std::string& layer) const {
  auto it = graph_.value_info.find(name);
  if (it == graph_.value_info.end() || !it->second.rank_known)
    fail(ErrorCode::kUnsupported, "{}: layer '{}': value '{}' has no inferred shape", graph_.source, layer,
         name);
  return it->second;
}

void Lowering::check_shape(const Shape& s, const std::string& name, const std::string& layer) {
  if (s.size() > size_t(kMaxRank))
    fail(ErrorCode::kUnsupported, "layer '{}': value '{}' has rank {} > {}", layer, name, s.size(), kMaxRank);
  for (const Dim& d : s) {
    if (d.is_known()) continue;
    if (!d.is_symbolic())
      fail(ErrorCode::kUnsupported,
           "{}: layer '{}': value '{}' has unknown dim in {} (cuda needs static dims or the profile symbol)",
           graph_.source, layer, name, shape_to_string(s));
    if (program_->symbol.empty()) program_->symbol = d.symbol;
    if (d.symbol != program_->symbol)
      fail(ErrorCode::kUnsupported, "layer '{}': value '{}' uses symbol {} but the profile is over {}", layer,
           name, d.symbol, program_->symbol);
  }
}

size_t Lowering::add_activation(const std::string& name, DType dtype, const Shape& shape,
                                const std::string& layer) {
  check_shape(shape, name, layer);
  DeviceValue v;
  v.name = name;
  v.dtype = dtype;
  v.shape = shape;
  v.max_bytes = v.dims(options_.profile.max).numel() * int64_t(dtype_size(dtype));
  program_->values.push_back(std::move(v));
  index_[name] = program_->values.size() - 1;
  first_use_.push_back(int(program_->steps.size()));
  last_use_.push_back(int(program_->steps.size()));
  return program_->values.size() - 1;
}

size_t Lowering::upload_weight(const std::string& name, const Tensor& t, DType device_dtype) {
  Tensor converted =
      t.to(device_dtype == DType::kF16 || device_dtype == DType::kBF16 ? DType::kF32 : device_dtype);
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
size_t Lowering::value(const std::string& name, const std::string& layer) {
  auto it = index_.find(name);
  size_t idx;
  if (it != index_.end()) {
    idx = it->second;
  } else if (const Tensor* t = constant(name)) {
    idx = upload_weight(name, *t, is_float(t->dtype()) ? DType::kF32 : t->dtype());
    index_[name] = idx;
  } else {
    fail(ErrorCode::kInvalidGraph, "layer '{}' reads unknown value '{}'", layer, name);
  }
  last_use_[idx] = std::max(last_use_[idx], int(program_->steps.size()));
  return idx;
}

// Uploads a constant in a given device dtype once per (name, dtype).
size_t Lowering::value_as(const std::string& name, const Tensor& t, DType dtype) {
  const std::string key = name + "#" + std::string(dtype_name(dtype));
  auto it = index_.find(key);
  if (it != index_.end()) return it->second;
  const size_t idx = upload_weight(name, t, dtype);
  index_[key] = idx;
  return idx;
}

size_t Lowering::output(const Node& n, size_t i) {
  const ValueInfo& vi = info(n.outputs[i], n.name);
  return add_activation(n.outputs[i], vi.dtype, vi.shape, n.name);
}

void Lowering::require_f32(const Node& n, size_t v) const {
  if (program_->values[v].dtype != DType::kF32)
    unsupported(n, fmt::format("value '{}' is {}, kernels take float32", program_->values[v].name,
                               dtype_name(program_->values[v].dtype)));
}

GemmPrecision Lowering::precision_of(const Node& n) const {
  if (options_.layer_precision.empty()) return precision_;
  auto it = options_.layer_precision.find(n.name);
  if (it == options_.layer_precision.end())
    fail(ErrorCode::kInvalidGraph, "{}: GEMM layer '{}' has no entry in the per-layer precision",
         graph_.source, n.name);
  return parse_precision(it->second);
}

const Tensor* Lowering::constant(const std::string& name) const {
  if (const Tensor* t = graph_.find_initializer(name)) return t;
  auto it = producers_.find(name);
  if (it != producers_.end() && it->second->op == "Constant" && it->second->has_attr("value"))
    return &it->second->attr_tensor("value");
  return nullptr;
}

std::vector<int64_t> Lowering::constant_ints(const Node& n, size_t i) const {
  const Tensor* t = n.has_input(i) ? constant(n.inputs[i]) : nullptr;
  if (!t) unsupported(n, fmt::format("input {} must be a constant", i));
  return t->to_int64_vector();
}

bool Lowering::symbolic_at(size_t v, int64_t axis) const {
  const Shape& s = program_->values[v].shape;
  for (size_t d = 0; d < s.size(); ++d)
    if (!s[d].is_known() && (axis < 0 || int64_t(d) == axis)) return true;
  return false;
}

int64_t Lowering::axis_of(const Node& n, size_t v, int64_t axis) const {
  const int64_t rank = int64_t(program_->values[v].shape.size());
  if (axis < -rank || axis >= rank)
    unsupported(n, fmt::format("axis {} is out of range for rank {}", axis, rank));
  return axis < 0 ? axis + rank : axis;
}

void Lowering::add_step(const Node& n, std::function<void(const RunState&)> fn, bool row_independent) {
  program_->steps.push_back({n.name, n.op, std::move(fn), row_independent});
}

void Lowering::lower(const Node& n) {
  if (n.op == "Constant") return;  // uploaded by value() where a step reads it
  if (n.op == "Dense" || n.op == "MatMul") return lower_dense(n);
  if (n.op == "Gemm") return lower_gemm(n);
  if (n.op == "Cast") return lower_cast(n);
  if (n.op == "Concat") return lower_concat(n);
  if (n.op == "ConstantOfShape") return lower_fill(n);
  if (n.op == "Tile") return lower_tile(n);
  if (n.op == "Transpose") return lower_transpose(n);
  if (n.op == "Slice") return lower_slice(n);
  if (n.op == "Pad") return lower_pad(n);
  if (n.op == "Split") return lower_split(n);
  if (n.op == "Gather") return lower_gather(n);
  if (kReduceOps.count(n.op)) return lower_reduce(n);
  if (n.op == "Softmax") return lower_softmax(n);
  if (n.op == "LayerNormalization") return lower_layer_norm(n);
  if (n.op == "BatchNormalization") return lower_batch_norm(n);
  if (n.op == "Clip" || n.op == "Gelu") return lower_pointwise(n);
  if (n.op == "Where") return lower_where(n);
  if (kBinaryOps.count(n.op)) return lower_binary(n);
  if (kUnaryOps.count(n.op)) return lower_unary(n);
  unsupported(n, "no CUDA kernel for this op (run the optimizer, or use --backend cpu)");
}

void Lowering::lower_cast(const Node& n) {
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
    launch_cast(kind, prog->pointer(s, x), prog->pointer(s, y), prog->values[y].dims(s.rows).numel(),
                s.stream);
    RANKRT_CUDA_CHECK_LAUNCH(layer);
  });
}

void Lowering::lower_copy(const Node& n, size_t x, size_t y) {
  const Program* prog = program_.get();
  const std::string layer = n.name;
  add_step(n, [=](const RunState& s) {
    const size_t bytes = size_t(prog->values[y].dims(s.rows).numel()) * dtype_size(prog->values[y].dtype);
    RANKRT_CUDA_CHECK(
        cudaMemcpyAsync(prog->pointer(s, y), prog->pointer(s, x), bytes, cudaMemcpyDeviceToDevice, s.stream),
        layer);
  });
}

void Lowering::lower_unary(const Node& n) {
  const size_t x = value(n.inputs[0], n.name);
  const size_t y = output(n);
  if (kViewOps.count(n.op) && program_->values[x].dtype == program_->values[y].dtype)
    return lower_copy(n, x, y);
  lower_unary_op(n, x, y, kUnaryOps.at(n.op), float(n.attr_float("alpha", 0.01)));
}

// y = op(x broadcast to y's shape).
void Lowering::lower_unary_op(const Node& n, size_t x, size_t y, UnaryOp op, float alpha) {
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

// ConstantOfShape: broadcast its one-element value to the inferred output shape.
void Lowering::lower_fill(const Node& n) {
  Tensor value = n.has_attr("value") ? n.attr_tensor("value") : Tensor::scalar<float>(0.0f);
  const size_t x = upload_weight(n.name + "/value", value.reshaped({}), DType::kF32);
  const size_t y = output(n);
  require_f32(n, y);
  lower_unary_op(n, x, y, UnaryOp::kCopy, 0.0f);
}

void Lowering::lower_binary(const Node& n) {
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
    launch_binary(op, static_cast<const float*>(prog->pointer(s, a)),
                  static_cast<const float*>(prog->pointer(s, b)), static_cast<float*>(prog->pointer(s, y)),
                  out.numel(), ix, s.stream);
    RANKRT_CUDA_CHECK_LAUNCH(layer);
  });
}

void Lowering::lower_concat(const Node& n) {
  std::vector<size_t> ins;
  for (const std::string& in : n.inputs) ins.push_back(value(in, n.name));
  const size_t y = output(n);
  const int64_t axis = axis_of(n, y, n.attr_int("axis"));
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

void Lowering::plan_arena() {
  std::vector<ProgramValue> values;
  for (size_t i = 0; i < program_->values.size(); ++i)
    values.push_back(
        {program_->values[i].max_bytes, first_use_[i], last_use_[i], !program_->values[i].weight});
  const MemoryPlan plan =
      plan_program_arena(values, program_->inputs, program_->outputs, int(program_->steps.size()));
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i].in_arena) program_->values[i].arena_offset = plan.offsets[i];
  program_->arena_bytes = plan.arena_bytes;
}

// Bucketed row counts need row-independent steps, and graph inputs / outputs whose real rows are
// a prefix of their bucketed layout (the symbol appears once, after dims of size 1 only).
void Lowering::check_bucketable() {
  for (const Step& step : program_->steps) {
    if (step.row_independent) continue;
    program_->bucket_blocker = fmt::format("step '{}' ({}) mixes rows", step.layer, step.op);
    return;
  }
  std::vector<size_t> io = program_->inputs;
  io.insert(io.end(), program_->outputs.begin(), program_->outputs.end());
  for (size_t v : io) {
    const Shape& s = program_->values[v].shape;
    bool seen = false, prefix = true;
    for (const Dim& d : s) {
      if (!d.is_known()) {
        prefix = prefix && !seen;
        seen = true;
      } else if (seen == false && d.value != 1) {
        prefix = false;
      }
    }
    if (seen && !prefix) {
      program_->bucket_blocker = fmt::format("graph value '{}' {} does not lead with {}",
                                             program_->values[v].name, shape_to_string(s), program_->symbol);
      return;
    }
  }
}

std::unique_ptr<Program> lower_graph(const Graph& graph, const CudaOptions& options, cublasLtHandle_t lt) {
  return Lowering(graph, options, lt).run();
}

}  // namespace rankrt::cuda
