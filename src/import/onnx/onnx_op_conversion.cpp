// Opset normalisation: rewrites older ONNX op forms (attributes that later became inputs, ONNX
// dtype enums, Constant's scalar attributes, Softmax's 2-D coercion) into the IR's latest-opset form.
#include <limits>

#include "import/onnx/onnx_convert.h"

namespace rankrt::onnx_import {

std::string ConversionContext::fresh_name(const std::string& hint) {
  std::string name = hint;
  for (int i = 1; used_names_.count(name) || graph_.initializers.count(name); ++i)
    name = fmt::format("{}_{}", hint, i);
  used_names_.insert(name);
  return name;
}

std::string ConversionContext::add_constant(const std::string& hint, Tensor value) {
  std::string name = fresh_name(hint);
  graph_.initializers[name] = std::move(value);
  return name;
}

DType ConversionContext::dtype_of(const std::string& value) const {
  auto it = declared_.find(value);
  return it == declared_.end() ? DType::kF32 : it->second.dtype;
}

std::optional<int64_t> ConversionContext::rank_of(const std::string& value) const {
  auto it = declared_.find(value);
  if (it == declared_.end() || !it->second.rank_known) return std::nullopt;
  return int64_t(it->second.shape.size());
}

namespace {

[[noreturn]] void unsupported_form(const Node& node, int64_t opset, const std::string& why) {
  fail(ErrorCode::kUnsupported, "node '{}': op '{}' (opset {}) is not supported: {}", node.name, node.op,
       opset, why);
}

// Puts `value` at input position `index`, padding skipped optional inputs with "".
void set_input(Node& node, size_t index, const std::string& value) {
  if (node.inputs.size() <= index) node.inputs.resize(index + 1);
  node.inputs[index] = value;
}

// Moves an int-list attribute into an int64 1-D constant input.
void ints_attr_to_input(Node& node, const std::string& attr, size_t index, ConversionContext& ctx) {
  if (!node.has_attr(attr)) return;
  std::vector<int64_t> values = node.attr_ints(attr);
  node.attrs.erase(attr);
  int64_t n = int64_t(values.size());
  set_input(node, index, ctx.add_constant(node.name + "_" + attr, Tensor::from_vector<int64_t>({n}, values)));
}

// Moves a float attribute into a scalar constant input of the dtype of input 0.
void float_attr_to_input(Node& node, const std::string& attr, size_t index, ConversionContext& ctx) {
  if (!node.has_attr(attr)) return;
  double value = node.attr_float(attr, 0.0);
  node.attrs.erase(attr);
  Tensor t = Tensor::scalar<double>(value).to(ctx.dtype_of(node.inputs.at(0)));
  set_input(node, index, ctx.add_constant(node.name + "_" + attr, std::move(t)));
}

void convert_constant(Node& node, int64_t opset) {
  auto take = [&](const std::string& key, Tensor value) {
    node.attrs.erase(key);
    node.attrs["value"] = std::move(value);
  };
  if (node.has_attr("value_float")) {
    take("value_float", Tensor::scalar<float>(float(node.attr_float("value_float", 0.0))));
  } else if (node.has_attr("value_floats")) {
    const auto* doubles_ptr = std::get_if<std::vector<double>>(&node.attrs.at("value_floats"));
    if (!doubles_ptr) unsupported_form(node, opset, "attribute 'value_floats' is not a float list");
    const std::vector<double>& doubles = *doubles_ptr;
    std::vector<float> floats(doubles.begin(), doubles.end());
    take("value_floats", Tensor::from_vector<float>({int64_t(floats.size())}, floats));
  } else if (node.has_attr("value_int")) {
    take("value_int", Tensor::scalar<int64_t>(node.attr_int("value_int")));
  } else if (node.has_attr("value_ints")) {
    std::vector<int64_t> ints = node.attr_ints("value_ints");
    take("value_ints", Tensor::from_vector<int64_t>({int64_t(ints.size())}, ints));
  }
  for (const char* key : {"value_string", "value_strings", "sparse_value"})
    if (node.has_attr(key)) unsupported_form(node, opset, fmt::format("attribute '{}'", key));
  if (!node.has_attr("value") || !std::holds_alternative<Tensor>(node.attrs.at("value")))
    unsupported_form(node, opset, "no tensor 'value' attribute");
}

// Before opset 13, Softmax/LogSoftmax/Hardmax coerce the input to 2-D at `axis` (default 1):
// Flatten(axis) -> op(axis=1) -> Reshape(Shape(x)), unless axis is already the last one.
void append_coerced_softmax(Node node, ConversionContext& ctx) {
  int64_t axis = node.attr_int("axis", 1);
  std::optional<int64_t> rank = ctx.rank_of(node.inputs.at(0));
  if (rank && axis < 0) axis += *rank;
  if (axis == -1 || (rank && axis == *rank - 1)) {
    node.attrs["axis"] = int64_t(-1);
    ctx.add_node(std::move(node));
    return;
  }
  const std::string& x = node.inputs.at(0);
  std::string flat = ctx.fresh_name(node.name + "_flat");
  std::string shape = ctx.fresh_name(node.name + "_shape");
  std::string result = ctx.fresh_name(node.name + "_2d");
  ctx.add_node(Node{node.name + "_flatten", "Flatten", {x}, {flat}, {{"axis", axis}}});
  ctx.add_node(Node{node.name + "_shape", "Shape", {x}, {shape}, {}});
  std::string out = node.outputs.at(0);
  ctx.add_node(Node{node.name + "_reshape", "Reshape", {result, shape}, {out}, {}});
  node.inputs = {flat};
  node.outputs = {result};
  node.attrs["axis"] = int64_t(1);
  ctx.add_node(std::move(node));
}

bool is_reduce_with_axes_input_since_18(const std::string& op) {
  for (const char* r : {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
                        "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"})
    if (op == r) return true;
  return false;
}

}  // namespace

void append_normalised_node(Node node, int64_t opset, ConversionContext& ctx) {
  const std::string& op = node.op;
  if (op == "Upsample") unsupported_form(node, opset, "deprecated, use Resize");
  if (op == "Resize" && opset < 11) unsupported_form(node, opset, "the opset-10 form of Resize");
  if (op == "GroupNormalization" && opset < 21)
    unsupported_form(node, opset, "per-group scale/bias (before 21)");
  if (op == "BatchNormalization" && node.attr_int("training_mode", 0) != 0)
    unsupported_form(node, opset, "training_mode=1 (inference only)");
  if (op == "Scatter") node.op = "ScatterElements";

  if (op == "Cast") {
    node.attrs["to"] = int64_t(dtype_from_onnx(int32_t(node.attr_int("to")),
                                               fmt::format("node '{}' (Cast): attribute 'to'", node.name)));
  } else if (op == "Constant") {
    convert_constant(node, opset);
  } else if ((op == "Squeeze" || op == "Unsqueeze" || op == "ReduceSum") && opset < 13) {
    ints_attr_to_input(node, "axes", 1, ctx);
  } else if (is_reduce_with_axes_input_since_18(op) && opset < 18) {
    ints_attr_to_input(node, "axes", 1, ctx);
  } else if (op == "Split" && opset < 13) {
    ints_attr_to_input(node, "split", 1, ctx);
  } else if (op == "Slice" && opset < 10) {
    ints_attr_to_input(node, "starts", 1, ctx);
    ints_attr_to_input(node, "ends", 2, ctx);
    ints_attr_to_input(node, "axes", 3, ctx);
  } else if (op == "Clip" && opset < 11) {
    float_attr_to_input(node, "min", 1, ctx);
    float_attr_to_input(node, "max", 2, ctx);
  } else if (op == "Pad" && opset < 11) {
    ints_attr_to_input(node, "pads", 1, ctx);
    float_attr_to_input(node, "value", 2, ctx);
  } else if (op == "TopK" && opset < 10) {
    int64_t k = node.attr_int("k");
    node.attrs.erase("k");
    set_input(node, 1, ctx.add_constant(node.name + "_k", Tensor::from_vector<int64_t>({1}, {k})));
  } else if (op == "Dropout" && opset < 12) {
    node.attrs.erase("ratio");  // inference: the ratio has no effect
  } else if (op == "BatchNormalization" && opset < 9) {
    if (node.attr_int("spatial", 1) != 1) unsupported_form(node, opset, "spatial=0");
    node.attrs.erase("spatial");
  } else if ((op == "Softmax" || op == "LogSoftmax" || op == "Hardmax") && opset < 13) {
    append_coerced_softmax(std::move(node), ctx);
    return;
  }
  ctx.add_node(std::move(node));
}

}  // namespace rankrt::onnx_import
