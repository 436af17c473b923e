// The TensorFlow op table: each supported op with its input count and its conversion to IR nodes.
#include "import/tf/tf_op_conversion.h"

#include <algorithm>
#include <functional>
#include <map>

namespace rankrt {

namespace {

struct TfOp {
  int min_inputs;
  int max_inputs;  // -1: variadic
  std::function<void(TfNode&)> convert;
};

// One IR op with the same inputs and no attributes.
TfOp same_inputs(int inputs, const std::string& ir_op) {
  return {inputs, inputs, [ir_op](TfNode& n) { n.emit(ir_op, n.inputs()); }};
}

// A constant axis input (scalar or 1-element) as an int64.
int64_t const_axis(const TfNode& n, size_t i) {
  const Tensor& t = n.const_input(i, "axis");
  if (t.numel() != 1 || !is_integer(t.dtype()))
    n.fail(ErrorCode::kShape, "the axis input must be one integer");
  return t.as_int64(0);
}

void rsqrt(TfNode& n) { n.emit("Reciprocal", {n.emit_helper("sqrt", "Sqrt", {n.input(0)})}); }

void bias_add(TfNode& n) {
  const std::string format = n.attr_string("data_format", "NHWC");
  if (format != "NHWC") n.fail(ErrorCode::kUnsupported, "unsupported data_format '{}'", format);
  n.emit("Add", n.inputs());
}

void softmax(TfNode& n) { n.emit("Softmax", n.inputs(), {{"axis", int64_t(-1)}}); }

void cast(TfNode& n) {
  if (n.attr_bool("Truncate", false)) n.fail(ErrorCode::kUnsupported, "unsupported attribute Truncate=true");
  n.emit("Cast", n.inputs(), {{"to", int64_t(n.attr_type("DstT"))}});
}

void shape(TfNode& n) {
  const DType out = n.has_attr("out_type") ? n.attr_type("out_type") : DType::kI32;
  if (out == DType::kI64) return n.emit("Shape", n.inputs());
  n.emit("Cast", {n.emit_helper("shape", "Shape", n.inputs())}, {{"to", int64_t(out)}});
}

// Not Mul(x, 0), which would keep NaN and turn Inf into NaN.
void zeros_like(TfNode& n) {
  const std::string shape = n.emit_helper("shape", "Shape", n.inputs());
  n.emit("ConstantOfShape", {shape}, {{"value", Tensor(n.attr_type("T"), {1})}});
}

void matmul(TfNode& n) {
  const bool ta = n.attr_bool("transpose_a", false), tb = n.attr_bool("transpose_b", false);
  if (!ta && !tb) return n.emit("MatMul", n.inputs());
  n.emit("Gemm", n.inputs(), {{"transA", int64_t(ta)}, {"transB", int64_t(tb)}});
}

void batch_matmul(TfNode& n) {
  std::vector<std::string> operands = n.inputs();
  const char* flags[] = {"adj_x", "adj_y"};
  for (size_t i = 0; i < 2; ++i) {
    if (!n.attr_bool(flags[i], false)) continue;
    const int64_t rank = n.input_rank(i);
    if (rank < 2) n.fail(ErrorCode::kShape, "{} needs an operand of rank >= 2, got rank {}", flags[i], rank);
    std::vector<int64_t> perm(size_t(rank), 0);
    for (int64_t d = 0; d < rank; ++d) perm[size_t(d)] = d;
    std::swap(perm[size_t(rank - 1)], perm[size_t(rank - 2)]);
    operands[i] =
        n.emit_helper(fmt::format("{}_transpose", flags[i]), "Transpose", {operands[i]}, {{"perm", perm}});
  }
  n.emit("MatMul", operands);
}

void concat(TfNode& n) {
  std::vector<std::string> values(n.inputs().begin(), n.inputs().end() - 1);
  n.emit("Concat", values, {{"axis", const_axis(n, n.inputs().size() - 1)}});
}

void pack(TfNode& n) {
  const int64_t axis = n.attr_int("axis", 0);
  const std::string axes = n.add_int64s("axes", {axis});
  if (n.inputs().size() == 1) return n.emit("Unsqueeze", {n.input(0), axes});
  std::vector<std::string> parts;
  for (size_t i = 0; i < n.inputs().size(); ++i) {
    parts.push_back(n.emit_helper(fmt::format("unsqueeze_{}", i), "Unsqueeze", {n.input(i), axes}));
  }
  n.emit("Concat", parts, {{"axis", axis}});
}

void tile(TfNode& n) { n.emit("Tile", {n.input(0), n.int64_input(1, "multiples_i64")}); }

void reshape(TfNode& n) {
  AttributeMap attrs;
  if (const Tensor* t = n.conversion().graph().find_initializer(n.input(1))) {
    const std::vector<int64_t> dims = t->to_int64_vector();
    if (std::count(dims.begin(), dims.end(), 0)) attrs["allowzero"] = int64_t(1);  // TF: 0 is a size
  }
  n.emit("Reshape", {n.input(0), n.int64_input(1, "shape_i64")}, attrs);
}

void expand_dims(TfNode& n) { n.emit("Unsqueeze", {n.input(0), n.add_int64s("axes", {const_axis(n, 1)})}); }

void squeeze(TfNode& n) {
  const std::vector<int64_t> axes = n.attr_ints("squeeze_dims");
  if (axes.empty()) return n.emit("Squeeze", n.inputs());
  n.emit("Squeeze", {n.input(0), n.add_int64s("axes", axes)});
}

void transpose(TfNode& n) {
  n.emit("Transpose", {n.input(0)}, {{"perm", n.const_input(1, "perm").to_int64_vector()}});
}

void gather(TfNode& n) {
  if (n.attr_int("batch_dims", 0) != 0) n.fail(ErrorCode::kUnsupported, "unsupported batch_dims != 0");
  n.emit("Gather", {n.input(0), n.input(1)}, {{"axis", const_axis(n, 2)}});
}

// TF Select with a vector condition and higher-rank operands picks rows.
void select(TfNode& n) {
  std::string cond = n.input(0);
  const int64_t cond_rank = n.input_rank(0), x_rank = n.input_rank(1);
  if (cond_rank == 1 && x_rank > 1) {
    std::vector<int64_t> axes;
    for (int64_t d = 1; d < x_rank; ++d) axes.push_back(d);
    cond = n.emit_helper("condition", "Unsqueeze", {cond, n.add_int64s("axes", axes)});
  }
  n.emit("Where", {cond, n.input(1), n.input(2)});
}

TfOp reduce(const std::string& ir_op) {
  return {2, 2, [ir_op](TfNode& n) {
            const std::vector<int64_t> axes = n.const_input(1, "reduction_indices").to_int64_vector();
            if (axes.empty()) return n.emit("Identity", {n.input(0)});  // TF: no axes reduces nothing
            const int64_t keepdims = n.attr_bool("keep_dims", false) ? 1 : 0;
            n.emit(ir_op, {n.input(0), n.add_int64s("axes", axes)}, {{"keepdims", keepdims}});
          }};
}

const std::map<std::string, TfOp>& tf_ops() {
  static const std::map<std::string, TfOp> ops = {
      {"Identity", same_inputs(1, "Identity")},
      {"Add", same_inputs(2, "Add")},
      {"AddV2", same_inputs(2, "Add")},
      {"BiasAdd", {2, 2, bias_add}},
      {"Sub", same_inputs(2, "Sub")},
      {"Mul", same_inputs(2, "Mul")},
      {"RealDiv", same_inputs(2, "Div")},
      {"Maximum", same_inputs(2, "Max")},
      {"Minimum", same_inputs(2, "Min")},
      {"Sqrt", same_inputs(1, "Sqrt")},
      {"Rsqrt", {1, 1, rsqrt}},
      {"Relu", same_inputs(1, "Relu")},
      {"Tanh", same_inputs(1, "Tanh")},
      {"Neg", same_inputs(1, "Neg")},
      {"Exp", same_inputs(1, "Exp")},
      {"Log", same_inputs(1, "Log")},
      {"Abs", same_inputs(1, "Abs")},
      {"Sigmoid", same_inputs(1, "Sigmoid")},
      {"Softmax", {1, 1, softmax}},
      {"Cast", {1, 1, cast}},
      {"Shape", {1, 1, shape}},
      {"ZerosLike", {1, 1, zeros_like}},
      {"MatMul", {2, 2, matmul}},
      {"BatchMatMulV2", {2, 2, batch_matmul}},
      {"ConcatV2", {2, -1, concat}},
      {"Pack", {1, -1, pack}},
      {"Tile", {2, 2, tile}},
      {"Reshape", {2, 2, reshape}},
      {"ExpandDims", {2, 2, expand_dims}},
      {"Squeeze", {1, 1, squeeze}},
      {"Transpose", {2, 2, transpose}},
      {"GatherV2", {3, 3, gather}},
      {"Select", {3, 3, select}},
      {"SelectV2", same_inputs(3, "Where")},
      {"Sum", reduce("ReduceSum")},
      {"Mean", reduce("ReduceMean")},
      {"StridedSlice", {4, 4, convert_strided_slice}},
  };
  return ops;
}

}  // namespace

void convert_tf_node(TfNode& node) {
  auto it = tf_ops().find(node.op());
  if (it == tf_ops().end()) {
    fail(ErrorCode::kUnsupported, "{}: node '{}': unsupported TensorFlow op '{}'", node.conversion().path(),
         node.name(), node.op());
  }
  const TfOp& op = it->second;
  const int count = int(node.inputs().size());
  if (count < op.min_inputs || (op.max_inputs >= 0 && count > op.max_inputs)) {
    const std::string expected = op.max_inputs == op.min_inputs ? fmt::format("{}", op.min_inputs)
                                 : op.max_inputs < 0            ? fmt::format("{} or more", op.min_inputs)
                                                     : fmt::format("{}..{}", op.min_inputs, op.max_inputs);
    node.fail(ErrorCode::kInvalidGraph, "has {} inputs, expected {}", count, expected);
  }
  op.convert(node);
}

}  // namespace rankrt
