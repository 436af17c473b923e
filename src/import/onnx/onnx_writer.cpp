// IR graph -> ONNX ModelProto (opset 17, IR version 8).
#include "import/onnx/onnx_writer.h"

#include <fstream>
#include <set>

namespace rankrt {

namespace {

constexpr int64_t kOpset = 17;
constexpr int64_t kIrVersion = 8;

int32_t onnx_elem_type(DType t) {
  switch (t) {
    case DType::kF32:
      return onnx::TensorProto::FLOAT;
    case DType::kF16:
      return onnx::TensorProto::FLOAT16;
    case DType::kBF16:
      return onnx::TensorProto::BFLOAT16;
    case DType::kF64:
      return onnx::TensorProto::DOUBLE;
    case DType::kI8:
      return onnx::TensorProto::INT8;
    case DType::kU8:
      return onnx::TensorProto::UINT8;
    case DType::kI32:
      return onnx::TensorProto::INT32;
    case DType::kI64:
      return onnx::TensorProto::INT64;
    case DType::kBool:
      return onnx::TensorProto::BOOL;
  }
  fail(ErrorCode::kUnsupported, "dtype {} has no ONNX element type", int(t));
}

void write_tensor(const Tensor& t, const std::string& name, onnx::TensorProto* proto) {
  proto->set_name(name);
  proto->set_data_type(onnx_elem_type(t.dtype()));
  for (int64_t d : t.dims()) proto->add_dims(d);
  proto->set_raw_data(t.raw(), t.nbytes());  // rankrt tensors are little-endian, as raw_data
}

void write_value_info(const ValueInfo& v, onnx::ValueInfoProto* proto) {
  proto->set_name(v.name);
  onnx::TypeProto::Tensor* type = proto->mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx_elem_type(v.dtype));
  if (!v.rank_known) return;
  onnx::TensorShapeProto* shape = type->mutable_shape();
  for (const Dim& d : v.shape) {
    onnx::TensorShapeProto::Dimension* dim = shape->add_dim();
    if (d.is_known())
      dim->set_dim_value(d.value);
    else if (d.is_symbolic())
      dim->set_dim_param(d.symbol);
  }
}

void write_attribute(const Node& node, const std::string& key, const Attribute& value,
                     onnx::AttributeProto* a) {
  a->set_name(key);
  if (const int64_t* i = std::get_if<int64_t>(&value)) {
    a->set_type(onnx::AttributeProto::INT);
    // Cast's `to` holds a rankrt DType in the IR, an ONNX element type in the file.
    a->set_i(node.op == "Cast" && key == "to" ? onnx_elem_type(DType(*i)) : *i);
  } else if (const double* f = std::get_if<double>(&value)) {
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(float(*f));
  } else if (const std::string* s = std::get_if<std::string>(&value)) {
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(*s);
  } else if (const auto* ints = std::get_if<std::vector<int64_t>>(&value)) {
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : *ints) a->add_ints(v);
  } else if (const auto* floats = std::get_if<std::vector<double>>(&value)) {
    a->set_type(onnx::AttributeProto::FLOATS);
    for (double v : *floats) a->add_floats(float(v));
  } else if (const auto* strings = std::get_if<std::vector<std::string>>(&value)) {
    a->set_type(onnx::AttributeProto::STRINGS);
    for (const std::string& v : *strings) a->add_strings(v);
  } else {
    a->set_type(onnx::AttributeProto::TENSOR);
    write_tensor(std::get<Tensor>(value), "", a->mutable_t());
  }
}

// Latest-opset forms that opset 17 cannot express.
void check_opset17(const Graph& graph, const Node& node) {
  static const std::set<std::string> kAxesInputSince18 = {
      "ReduceMax", "ReduceMin",    "ReduceMean",      "ReduceProd",     "ReduceL1",
      "ReduceL2",  "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"};
  if ((kAxesInputSince18.count(node.op) && node.has_input(1)) ||
      (node.op == "Split" && node.has_attr("num_outputs")))
    fail(ErrorCode::kUnsupported, "{}: node '{}' ({}) has no ONNX opset {} form", graph.source, node.name,
         node.op, kOpset);
}

}  // namespace

onnx::ModelProto graph_to_onnx(const Graph& graph) {
  onnx::ModelProto model;
  model.set_ir_version(kIrVersion);
  model.set_producer_name("rankrt");
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpset);
  onnx::GraphProto* g = model.mutable_graph();
  g->set_name(graph.source.empty() ? "rankrt" : graph.source);
  for (const ValueInfo& v : graph.inputs) write_value_info(v, g->add_input());
  for (const ValueInfo& v : graph.outputs) write_value_info(v, g->add_output());
  for (const auto& [name, t] : graph.initializers) write_tensor(t, name, g->add_initializer());
  for (const Node& node : graph.nodes) {
    check_opset17(graph, node);
    onnx::NodeProto* n = g->add_node();
    n->set_name(node.name);
    n->set_op_type(node.op);
    for (const std::string& in : node.inputs) n->add_input(in);
    for (const std::string& out : node.outputs) n->add_output(out);
    for (const auto& [key, value] : node.attrs) write_attribute(node, key, value, n->add_attribute());
  }
  return model;
}

void write_onnx(const Graph& graph, const std::string& path) {
  const onnx::ModelProto model = graph_to_onnx(graph);
  std::ofstream out(path, std::ios::binary);
  if (!out) fail(ErrorCode::kIo, "{}: cannot open for writing", path);
  if (!model.SerializeToOstream(&out)) fail(ErrorCode::kIo, "{}: write failed", path);
}

}  // namespace rankrt
