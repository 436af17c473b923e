// Lowering of IR nodes to CPU steps: Dense / MatMul to oneDNN layers with fused or own epilogues,
// the rest to the loops of cpu_kernels.h; arena planning by liveness; whether requests may run as
// row slices (row_split_blocker).
#include <array>
#include <cstring>
#include <map>
#include <set>

#include "backends/cpu/cpu_program.h"
#include "core/memory_planner.h"
#include "ir/score_head.h"
#include "ir/shape_only_nodes.h"
#include "ops/dense_post_ops.h"
#include "ops/pad.h"

namespace rankrt::cpu {

Dims CpuValue::dims(int64_t rows) const {
  Dims out;
  out.rank = int(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) out.d[i] = shape[i].is_known() ? shape[i].value : rows;
  return out;
}

namespace {

const std::map<std::string, UnaryOp> kUnaryOps = {
    {"Identity", UnaryOp::kCopy},   {"Reshape", UnaryOp::kCopy},
    {"Squeeze", UnaryOp::kCopy},    {"Unsqueeze", UnaryOp::kCopy},
    {"Flatten", UnaryOp::kCopy},    {"Expand", UnaryOp::kCopy},
    {"Tile", UnaryOp::kCopy},       {"Neg", UnaryOp::kNeg},
    {"Abs", UnaryOp::kAbs},         {"Relu", UnaryOp::kRelu},
    {"Sigmoid", UnaryOp::kSigmoid}, {"Tanh", UnaryOp::kTanh},
    {"Exp", UnaryOp::kExp},         {"Log", UnaryOp::kLog},
    {"Sqrt", UnaryOp::kSqrt},       {"Reciprocal", UnaryOp::kReciprocal},
    {"Erf", UnaryOp::kErf},         {"LeakyRelu", UnaryOp::kLeakyRelu}};
const std::map<std::string, BinaryOp> kBinaryOps = {
    {"Add", BinaryOp::kAdd}, {"Sub", BinaryOp::kSub}, {"Mul", BinaryOp::kMul}, {"Div", BinaryOp::kDiv},
    {"Max", BinaryOp::kMax}, {"Min", BinaryOp::kMin}, {"Pow", BinaryOp::kPow}, {"PRelu", BinaryOp::kPrelu}};
const std::map<std::string, Activation> kActivations = {
    {"none", Activation::kNone},       {"relu", Activation::kRelu},          {"prelu", Activation::kPrelu},
    {"sigmoid", Activation::kSigmoid}, {"tanh", Activation::kTanh},          {"dice", Activation::kDice},
    {"gelu", Activation::kGelu},       {"gelu_tanh", Activation::kGeluTanh}, {"swish", Activation::kSwish}};
// Activations oneDNN fuses as an eltwise post-op (algorithm, alpha).
const std::map<Activation, std::pair<dnnl::algorithm, float>> kEltwise = {
    {Activation::kRelu, {dnnl::algorithm::eltwise_relu, 0.0f}},
    {Activation::kSigmoid, {dnnl::algorithm::eltwise_logistic, 0.0f}},
    {Activation::kTanh, {dnnl::algorithm::eltwise_tanh, 0.0f}},
    {Activation::kGelu, {dnnl::algorithm::eltwise_gelu_erf, 0.0f}},
    {Activation::kGeluTanh, {dnnl::algorithm::eltwise_gelu_tanh, 0.0f}},
    {Activation::kSwish, {dnnl::algorithm::eltwise_swish, 1.0f}}};
const std::set<std::string> kViewOps = {"Identity", "Reshape", "Squeeze", "Unsqueeze", "Flatten"};

// Inputs that only describe a shape: the CPU backend takes shapes from inference instead.
bool is_shape_argument(const Node& n, size_t input) {
  if (n.op == "ConstantOfShape") return input == 0;
  if (n.op == "Expand" || n.op == "Reshape" || n.op == "Tile" || n.op == "Squeeze" || n.op == "Unsqueeze")
    return input == 1;
  if (n.op == "Slice" || n.op == "Pad") return input >= 1;
  return false;
}

class Lowering {
 public:
  Lowering(const Graph& g, const ShapeProfile& profile, DensePrecision precision,
           const std::map<std::string, float>& activation_amax)
      : graph_(g),
        program_(std::make_unique<Program>()),
        precision_(precision),
        activation_amax_(activation_amax) {
    check_profile(profile, "backend cpu");
    program_->profile = profile;
  }

  std::unique_ptr<Program> run() {
    for (const ValueInfo& in : graph_.inputs) {
      if (graph_.find_initializer(in.name)) continue;
      program_->inputs.push_back(add_activation(in.name, in.dtype, in.shape, in.name));
    }
    const std::set<const Node*> skip = shape_only_nodes(graph_, is_shape_argument);
    for (const Node& n : graph_.nodes)
      if (!skip.count(&n) && !fused_into_head_.count(&n)) lower(n);
    for (const ValueInfo& out : graph_.outputs) program_->outputs.push_back(value(out.name, "graph output"));
    plan_arena();
    program_->row_split_blocker = row_split_blocker();
    return std::move(program_);
  }

 private:
  [[noreturn]] void unsupported(const Node& n, const std::string& why) const {
    fail(ErrorCode::kUnsupported, "{}: node '{}' ({}): not supported on backend cpu: {}", graph_.source,
         n.name, n.op, why);
  }

  const ValueInfo& info(const std::string& name, const std::string& layer) const {
    auto it = graph_.value_info.find(name);
    if (it == graph_.value_info.end() || !it->second.rank_known)
      fail(ErrorCode::kUnsupported, "{}: layer '{}': value '{}' has no inferred shape", graph_.source, layer,
           name);
    return it->second;
  }

  void check_shape(const Shape& s, const std::string& name, const std::string& layer) {
    if (s.size() > size_t(kMaxRank))
      fail(ErrorCode::kUnsupported, "{}: layer '{}': value '{}' has rank {} > {}", graph_.source, layer, name,
           s.size(), kMaxRank);
    for (const Dim& d : s) {
      if (d.is_known()) continue;
      if (!d.is_symbolic())
        fail(ErrorCode::kUnsupported,
             "{}: layer '{}': value '{}' has an unknown dim in {} (needs static dims or one symbol)",
             graph_.source, layer, name, shape_to_string(s));
      if (program_->symbol.empty()) program_->symbol = d.symbol;
      if (d.symbol != program_->symbol)
        fail(ErrorCode::kUnsupported, "{}: layer '{}': value '{}' uses symbol {} but the profile is over {}",
             graph_.source, layer, name, d.symbol, program_->symbol);
    }
  }

  size_t add_value(CpuValue v) {
    program_->values.push_back(std::move(v));
    first_use_.push_back(int(program_->steps.size()));
    last_use_.push_back(int(program_->steps.size()));
    return program_->values.size() - 1;
  }

  size_t add_activation(const std::string& name, DType dtype, const Shape& shape, const std::string& layer) {
    check_shape(shape, name, layer);
    CpuValue v{name, dtype, shape};
    v.max_bytes = v.dims(program_->profile.max).numel() * int64_t(dtype_size(dtype));
    const size_t idx = add_value(std::move(v));
    index_[name] = idx;
    return idx;
  }

  // A constant, floats stored as float32.
  size_t add_constant(const std::string& name, const Tensor& t) {
    program_->constants.push_back(is_float(t.dtype()) ? t.to(DType::kF32) : t.clone());
    const Tensor& stored = program_->constants.back();
    CpuValue v{name, stored.dtype(), shape_from_dims(stored.dims())};
    v.weight = stored.raw();
    const size_t idx = add_value(std::move(v));
    first_use_[idx] = last_use_[idx] = -1;
    return idx;
  }

  // Index of a value read by the current step.
  size_t value(const std::string& name, const std::string& layer) {
    auto it = index_.find(name);
    size_t idx;
    if (it != index_.end()) {
      idx = it->second;
    } else if (const Tensor* t = graph_.find_initializer(name)) {
      idx = index_[name] = add_constant(name, *t);
    } else {
      fail(ErrorCode::kInvalidGraph, "{}: layer '{}' reads unknown value '{}'", graph_.source, layer, name);
    }
    if (!program_->values[idx].weight) last_use_[idx] = std::max(last_use_[idx], int(program_->steps.size()));
    return idx;
  }

  size_t output(const Node& n, size_t i = 0) {
    const ValueInfo& vi = info(n.outputs[i], n.name);
    return add_activation(n.outputs[i], vi.dtype, vi.shape, n.name);
  }

  const CpuValue& at(size_t v) const { return program_->values[v]; }

  void require_f32(const Node& n, size_t v) const {
    if (at(v).dtype != DType::kF32)
      unsupported(n, fmt::format("value '{}' is {}, the CPU kernels take float32", at(v).name,
                                 dtype_name(at(v).dtype)));
  }

  void add_step(const Node& n, std::function<void(const RunState&)> fn) {
    program_->steps.push_back({n.name, n.op, std::move(fn), !mixes_rows(n)});
  }

  // Whether node n's step makes an output row depend on other rows: an int8 Dense layer without a
  // calibrated scale over rows (one input scale per request, the max |x| over all its rows), a
  // Concat along the symbolic dim, a broadcast that aligns an input's symbol with a known output
  // dim (e.g. [N] into [N,3], valid where N is 3).
  bool mixes_rows(const Node& n) const {
    const Shape& out = info(n.outputs[0], n.name).shape;
    if (n.op == "Dense" || n.op == "MatMul")
      return !concrete_dims(out) && precision_ == DensePrecision::kInt8 && !activation_amax_.count(n.name);
    if (n.op == "Concat") {
      const int64_t axis = n.attr_int("axis");
      return !out[size_t(axis < 0 ? axis + int64_t(out.size()) : axis)].is_known();
    }
    if (!kBinaryOps.count(n.op) && n.op != "Expand" && n.op != "Tile") return false;
    for (const std::string& name : n.inputs) {
      auto it = index_.find(name);
      if (it == index_.end()) continue;  // a shape argument
      const Shape& in = at(it->second).shape;
      for (size_t d = 0; d < in.size(); ++d)
        if (!in[d].is_known() && (d + out.size() < in.size() || out[d + out.size() - in.size()].is_known()))
          return true;
    }
    return false;
  }

  // Row slices of a request run the program as it is with fewer rows: every value with the
  // symbol must store its rows contiguously (symbol once, after dims of size 1 only).
  std::string row_split_blocker() const {
    const Program& p = *program_;
    if (p.symbol.empty()) return "no symbolic dim";
    for (const Step& step : p.steps)
      if (!step.row_independent) return fmt::format("step '{}' ({}) mixes rows", step.layer, step.op);
    for (const CpuValue& v : p.values) {
      int symbols = 0;
      int64_t before = 1;  // the product of the dims before the symbol
      for (const Dim& d : v.shape) {
        if (!d.is_known())
          ++symbols;
        else if (symbols == 0)
          before *= d.value;
      }
      if (symbols > 1 || (symbols == 1 && before != 1))
        return fmt::format("value '{}' {} does not lead with {}", v.name, shape_to_string(v.shape), p.symbol);
    }
    return "";
  }

  void lower(const Node& n) {
    if (n.op == "Dense" || n.op == "MatMul") return lower_dense(n);
    if (n.op == "Cast") return lower_cast(n);
    if (n.op == "Concat") return lower_concat(n);
    if (n.op == "Pad") return lower_pad(n);
    if (n.op == "ConstantOfShape") return lower_fill(n);
    if (n.op == "Tile") check_tile_is_broadcast(n);
    if (kBinaryOps.count(n.op)) return lower_binary(n);
    if (kUnaryOps.count(n.op)) return lower_unary(n);
    unsupported(n, "no CPU kernel for this op (run the optimizer, or use --backend reference)");
  }

  // Tile whose tiled dims all have size 1 in the input (e.g. Tile(comm[1,176], [N,1])) is a
  // broadcast copy; other tilings are not lowered.
  void check_tile_is_broadcast(const Node& n) const {
    const Shape& in = info(n.inputs[0], n.name).shape;
    const Shape& out = info(n.outputs[0], n.name).shape;
    for (size_t d = 0; d < in.size() && d < out.size(); ++d)
      if (!(in[d] == out[d]) && !(in[d] == Dim(1)))
        unsupported(n, fmt::format("tiling {} to {} repeats a dim larger than 1", shape_to_string(in),
                                   shape_to_string(out)));
  }

  // A per-column parameter of shape [m], [1, m], [rows, m] or a scalar.
  ColumnParam column_param(const Node& n, size_t v, int64_t m) const {
    require_f32(n, v);
    const Shape& s = at(v).shape;
    auto dims = concrete_dims(s);
    const int64_t numel = dims ? num_elements(*dims) : -1;
    ColumnParam p;
    if (numel == 1) return p;
    if (numel == m && s.back() == Dim(m)) {
      p.col_stride = 1;
      return p;
    }
    if (s.size() == 2 && s[1] == Dim(m)) {
      p.col_stride = 1;
      p.row_stride = m;
      return p;
    }
    unsupported(n,
                fmt::format("parameter '{}' of shape {} is not per-column", at(v).name, shape_to_string(s)));
  }

  // The activation of a Dense / MatMul node.
  Activation activation_of(const Node& n) const {
    const std::string name = n.op == "Dense" ? n.attr_string("activation", "none") : "none";
    auto it = kActivations.find(name);
    if (it == kActivations.end()) unsupported(n, "activation '" + name + "'");
    return it->second;
  }

  // A Dense node's activation parameters (inputs 3..5) as per-column forms and their values
  // (SIZE_MAX where absent).
  std::pair<std::array<ColumnParam, 3>, std::array<size_t, 3>> activation_params(const Node& n, int64_t m) {
    std::array<ColumnParam, 3> forms{};
    std::array<size_t, 3> values{SIZE_MAX, SIZE_MAX, SIZE_MAX};
    if (n.op == "Dense")
      for (size_t i = 3; i < n.inputs.size() && i < 6; ++i) {
        values[i - 3] = value(n.inputs[i], n.name);
        forms[i - 3] = column_param(n, values[i - 3], m);
      }
    return {forms, values};
  }

  // A Dense node's per-row operands for DenseHeadLayer: weight, bias and activation parameters.
  DenseHeadLayer head_layer(const Node& n, std::array<size_t, 4>& values) {
    const Tensor& w = *graph_.find_initializer(n.inputs[1]);
    DenseHeadLayer l;
    l.k = w.dims()[0];
    l.m = w.dims()[1];
    program_->constants.push_back(w.to(DType::kF64));
    l.weight = program_->constants.back().data<double>();
    l.act = activation_of(n);
    l.post = dense_post_ops(n);
    values.fill(SIZE_MAX);
    if (n.has_input(2)) {
      values[0] = value(n.inputs[2], n.name);
      l.bias = column_param(n, values[0], l.m);
    }
    auto [forms, params] = activation_params(n, l.m);
    for (size_t i = 0; i < 3; ++i) {
      l.params[i] = forms[i];
      values[i + 1] = params[i];
    }
    return l;
  }

  // Dense `n` and its narrow consumer `second` as one step (dense_head).
  void lower_dense_head(const Node& n, const Node& second) {
    const size_t x = value(n.inputs[0], n.name);
    require_f32(n, x);
    std::array<size_t, 4> first_values, second_values;
    const DenseHeadLayer first = head_layer(n, first_values), last = head_layer(second, second_values);
    fused_into_head_.insert(&second);
    const size_t y = output(second);
    const Program* prog = program_.get();
    add_step(n, [=](const RunState& s) {
      auto bind = [&](DenseHeadLayer l, const std::array<size_t, 4>& v) {
        ColumnParam* forms[4] = {&l.bias, &l.params[0], &l.params[1], &l.params[2]};
        for (size_t i = 0; i < 4; ++i)
          if (v[i] != SIZE_MAX) forms[i]->data = static_cast<const float*>(prog->read(s.arena, v[i]));
        return l;
      };
      const int64_t rows = prog->values[x].dims(s.rows).numel() / first.k;
      dense_head(static_cast<const float*>(prog->read(s.arena, x)), rows, bind(first, first_values),
                 bind(last, second_values), static_cast<float*>(prog->write(s.arena, y)));
    });
  }

  void lower_dense(const Node& n) {
    if (precision_ == DensePrecision::kF32)
      if (const Node* second = score_head_consumer(graph_, n)) return lower_dense_head(n, *second);
    const Tensor* w = graph_.find_initializer(n.inputs[1]);
    if (!w || w->rank() != 2 || !is_float(w->dtype()))
      unsupported(n, "the weight must be a constant 2-D float tensor");
    const int64_t k = w->dims()[0], m = w->dims()[1];
    const size_t x = value(n.inputs[0], n.name);
    require_f32(n, x);
    const Activation act = activation_of(n);

    DenseStep dense;
    dense.x = x;
    ColumnParam epilogue_bias;
    std::optional<size_t> bias;
    if (n.op == "Dense" && n.has_input(2)) {
      bias = value(n.inputs[2], n.name);
      epilogue_bias = column_param(n, *bias, m);
      const Tensor* constant = graph_.find_initializer(n.inputs[2]);
      if (epilogue_bias.col_stride == 1 && epilogue_bias.row_stride == 0) {
        dense.bias = bias;  // [m] / [1, m]: the matmul's bias operand
        bias.reset();
      } else if (constant && constant->numel() == 1) {  // a constant scalar: broadcast to [1, m]
        Tensor row(DType::kF64, {1, m});
        for (double& b : row.span<double>()) b = constant->as_double(0);
        dense.bias = add_constant(n.inputs[2] + "/row", row);
        bias.reset();
      }
    }
    const auto [param_forms, params] = activation_params(n, m);

    const size_t y = output(n);
    dense.y = y;
    const Dims max_x = at(x).dims(program_->profile.max);
    DenseSpec spec;
    spec.name = n.name;
    spec.k = k;
    spec.m = m;
    const Tensor weight = w->to(DType::kF32);
    spec.weight = weight.data<float>();
    spec.bias = dense.bias.has_value();
    const bool fused = !bias && kEltwise.count(act);
    if (fused) std::tie(spec.eltwise, spec.eltwise_alpha) = kEltwise.at(act);
    spec.max_rows = max_x.numel() / k;
    spec.fixed_rows = concrete_dims(at(x).shape) ? spec.max_rows : 0;
    spec.precision = precision_;
    if (auto amax = activation_amax_.find(n.name);
        precision_ == DensePrecision::kInt8 && amax != activation_amax_.end())
      spec.activation_amax = amax->second;
    dense.layer = std::make_unique<DenseLayer>(program_->engine, spec);
    if (const DType type = dense.layer->input_dtype(); type != DType::kF32)  // lives during this step only
      dense.converted = add_activation(n.name + "/converted_input", type, at(x).shape, n.name);
    const size_t index = program_->dense.size();
    program_->dense.push_back(std::move(dense));

    const PostOps<float> post = dense_post_ops(n).as<float>();
    const bool epilogue = bias || (act != Activation::kNone && !fused) || post.count > 0;
    const Program* prog = program_.get();
    add_step(n, [=](const RunState& s) {
      const int64_t rows = prog->values[x].dims(s.rows).numel() / k;
      s.dense[index]->run(s.stream, rows);
      if (!epilogue) return;
      auto bind = [&](ColumnParam p, size_t v) {
        if (v != SIZE_MAX) p.data = static_cast<const float*>(prog->read(s.arena, v));
        return p;
      };
      const ColumnParam ps[3] = {bind(param_forms[0], params[0]), bind(param_forms[1], params[1]),
                                 bind(param_forms[2], params[2])};
      dense_epilogue(static_cast<float*>(prog->write(s.arena, y)), rows, m,
                     bind(epilogue_bias, bias ? *bias : SIZE_MAX), fused ? Activation::kNone : act, ps, post);
    });
  }

  void lower_cast(const Node& n) {
    const size_t x = value(n.inputs[0], n.name);
    const size_t y = output(n);
    const DType from = at(x).dtype, to = at(y).dtype;
    auto supported = [](DType t) { return t == DType::kF32 || t == DType::kF16 || t == DType::kBF16; };
    if (from != to && (!supported(from) || !supported(to) || (from != DType::kF32 && to != DType::kF32)))
      unsupported(n, fmt::format("cast {} -> {}", dtype_name(from), dtype_name(to)));
    const Program* prog = program_.get();
    add_step(n, [=](const RunState& s) {
      cast(from, to, prog->read(s.arena, x), prog->write(s.arena, y), prog->values[y].dims(s.rows).numel());
    });
  }

  void lower_unary(const Node& n) {
    const size_t x = value(n.inputs[0], n.name);
    const size_t y = output(n);
    if (kViewOps.count(n.op) && at(x).dtype == at(y).dtype) {
      const Program* prog = program_.get();
      return add_step(n, [=](const RunState& s) {
        const CpuValue& v = prog->values[y];
        std::memcpy(prog->write(s.arena, y), prog->read(s.arena, x),
                    size_t(v.dims(s.rows).numel()) * dtype_size(v.dtype));
      });
    }
    if (kUnaryOps.at(n.op) == UnaryOp::kCopy && at(x).dtype == at(y).dtype) {  // Expand, Tile: any dtype
      const Program* prog = program_.get();
      return add_step(n, [=](const RunState& s) {
        broadcast_copy(prog->read(s.arena, x), prog->values[x].dims(s.rows), prog->write(s.arena, y),
                       prog->values[y].dims(s.rows), dtype_size(prog->values[y].dtype));
      });
    }
    require_f32(n, x);
    require_f32(n, y);
    const UnaryOp op = kUnaryOps.at(n.op);
    const float alpha = float(n.attr_float("alpha", 0.01));
    const Program* prog = program_.get();
    add_step(n, [=](const RunState& s) {
      unary(op, static_cast<const float*>(prog->read(s.arena, x)), prog->values[x].dims(s.rows),
            static_cast<float*>(prog->write(s.arena, y)), prog->values[y].dims(s.rows), alpha);
    });
  }

  // ConstantOfShape: broadcast its one-element value to the inferred output shape.
  void lower_fill(const Node& n) {
    const Tensor value = n.has_attr("value") ? n.attr_tensor("value") : Tensor::scalar<float>(0.0f);
    const size_t x = add_constant(n.name + "/value", value.reshaped({}));
    const size_t y = output(n);
    if (at(x).dtype != at(y).dtype)  // a float16 / bfloat16 value is stored as float32
      unsupported(n, fmt::format("fill value of dtype {}", dtype_name(at(y).dtype)));
    const Program* prog = program_.get();
    add_step(n, [=](const RunState& s) {
      broadcast_copy(prog->read(s.arena, x), Dims{}, prog->write(s.arena, y), prog->values[y].dims(s.rows),
                     dtype_size(prog->values[y].dtype));
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
    add_step(n, [=](const RunState& s) {
      binary(op, static_cast<const float*>(prog->read(s.arena, a)), prog->values[a].dims(s.rows),
             static_cast<const float*>(prog->read(s.arena, b)), prog->values[b].dims(s.rows),
             static_cast<float*>(prog->write(s.arena, y)), prog->values[y].dims(s.rows));
    });
  }

  void lower_concat(const Node& n) {
    std::vector<size_t> ins;
    for (const std::string& in : n.inputs) ins.push_back(value(in, n.name));
    const size_t y = output(n);
    const int64_t rank = int64_t(at(y).shape.size());
    int64_t axis = n.attr_int("axis");
    if (axis < 0) axis += rank;
    for (size_t in : ins)
      if (at(in).dtype != at(y).dtype) unsupported(n, "inputs of different dtypes");
    const Program* prog = program_.get();
    // One strided row copy per input: rows = product of the dims before the axis.
    add_step(n, [=](const RunState& s) {
      const Dims out = prog->values[y].dims(s.rows);
      const size_t elem = dtype_size(prog->values[y].dtype);
      int64_t outer = 1, inner = 1;
      for (int64_t d = 0; d < axis; ++d) outer *= out.d[d];
      for (int64_t d = axis + 1; d < out.rank; ++d) inner *= out.d[d];
      const size_t pitch = size_t(out.d[axis] * inner) * elem;
      std::byte* dst = static_cast<std::byte*>(prog->write(s.arena, y));
      for (size_t in : ins) {
        const size_t width = size_t(prog->values[in].dims(s.rows).d[axis] * inner) * elem;
        copy_rows(prog->read(s.arena, in), width, dst, pitch, outer);
        dst += width;
      }
    });
  }

  // Pad with constant pads / axes / constant_value inputs, any mode, any dtype.
  void lower_pad(const Node& n) {
    const size_t x = value(n.inputs[0], n.name);
    const size_t y = output(n);
    auto constant_input = [&](size_t i) -> const Tensor* {
      if (!n.has_input(i)) return nullptr;
      const Tensor* t = graph_.find_initializer(n.inputs[i]);
      if (!t) unsupported(n, fmt::format("input {} ('{}') must be a constant", i, n.inputs[i]));
      return t;
    };
    const Tensor* axes = constant_input(3);
    const PadAmounts amounts = pad_amounts(n, constant_input(1)->to_int64_vector(),
                                           axes ? std::optional(axes->to_int64_vector()) : std::nullopt,
                                           int64_t(at(x).shape.size()));
    std::array<int64_t, kMaxRank> begin{};
    std::copy(amounts.begin.begin(), amounts.begin.end(), begin.begin());
    const PadMode mode = pad_mode(n);
    const DType dtype = at(y).dtype;
    std::array<std::byte, 8> fill{};  // the constant in the output's storage dtype (zero if absent)
    if (const Tensor* c = constant_input(2); c && c->numel() > 0)
      std::memcpy(fill.data(), c->to(dtype).raw(), dtype_size(dtype));
    const Program* prog = program_.get();
    add_step(n, [=](const RunState& s) {
      pad(prog->read(s.arena, x), prog->values[x].dims(s.rows), prog->write(s.arena, y),
          prog->values[y].dims(s.rows), dtype_size(prog->values[y].dtype), begin.data(), mode, fill.data());
    });
  }

  void plan_arena() {
    std::vector<ProgramValue> values;
    for (size_t i = 0; i < program_->values.size(); ++i)
      values.push_back(
          {program_->values[i].max_bytes, first_use_[i], last_use_[i], !program_->values[i].weight});
    const MemoryPlan plan =
        plan_program_arena(values, program_->inputs, program_->outputs, int(program_->steps.size()), 64);
    for (size_t i = 0; i < values.size(); ++i)
      if (values[i].in_arena) program_->values[i].arena_offset = plan.offsets[i];
    program_->arena_bytes = plan.arena_bytes;
  }

  const Graph& graph_;
  std::unique_ptr<Program> program_;
  std::map<std::string, size_t> index_;
  DensePrecision precision_;
  // kInt8: the calibrated amax of layers' inputs (EngineOptions::activation_amax).
  const std::map<std::string, float>& activation_amax_;
  std::set<const Node*> fused_into_head_;  // second layers of score heads (lower_dense_head)
  std::vector<int> first_use_, last_use_;
};

}  // namespace

std::unique_ptr<Program> lower_graph(const Graph& graph, const ShapeProfile& profile,
                                     DensePrecision precision,
                                     const std::map<std::string, float>& activation_amax) {
  return Lowering(graph, profile, precision, activation_amax).run();
}

}  // namespace rankrt::cpu
