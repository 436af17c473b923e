// ONNX model import: parse the ModelProto, convert it to the IR, then sort, verify and infer shapes.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "import/model_loader.h"
#include "import/onnx/onnx_convert.h"
#include "ops/shape_inference.h"

namespace rankrt {

namespace onnx_import {

namespace {

// Graph inputs must be typed tensors; outputs and value_info may leave the type to inference.
ValueInfo value_info_from_onnx(const onnx::ValueInfoProto& v, bool require_type) {
  ValueInfo info;
  info.name = v.name();
  const bool typed = v.has_type() && v.type().has_tensor_type() &&
                     v.type().tensor_type().elem_type() != onnx::TensorProto::UNDEFINED;
  if (!typed) {
    if (v.has_type() && !v.type().has_tensor_type())
      fail(ErrorCode::kUnsupported,
           "value '{}' is not a tensor (sequence, map and optional types are not supported)", v.name());
    if (require_type) fail(ErrorCode::kParse, "graph input '{}' has no tensor type", v.name());
    info.rank_known = false;
    return info;
  }
  const onnx::TypeProto::Tensor& tt = v.type().tensor_type();
  info.dtype = dtype_from_onnx(tt.elem_type(), fmt::format("value '{}'", v.name()));
  if (!tt.has_shape()) {
    info.rank_known = false;
    return info;
  }
  for (const onnx::TensorShapeProto::Dimension& d : tt.shape().dim()) {
    if (d.has_dim_value() && d.dim_value() >= 0) {
      info.shape.push_back(Dim(d.dim_value()));
    } else if (d.has_dim_param() && !d.dim_param().empty()) {
      info.shape.push_back(Dim::sym(d.dim_param()));
    } else {
      info.shape.push_back(Dim());
    }
  }
  return info;
}

int64_t default_domain_opset(const onnx::ModelProto& model) {
  if (model.ir_version() < 3)
    fail(ErrorCode::kUnsupported, "IR version {} is not supported (3 or newer)", model.ir_version());
  std::optional<int64_t> opset;
  for (const onnx::OperatorSetIdProto& o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset = o.version();
  if (!opset) fail(ErrorCode::kUnsupported, "the model imports no opset of the default domain (ai.onnx)");
  if (*opset < kMinOpset || *opset > kMaxOpset)
    fail(ErrorCode::kUnsupported, "opset {} is not supported (supported: {}..{})", *opset, kMinOpset,
         kMaxOpset);
  return *opset;
}

// Everything the model declares about its values, for normalisation that needs a dtype or rank.
std::map<std::string, ValueInfo> declared_values(const onnx::GraphProto& g, const Graph& graph) {
  std::map<std::string, ValueInfo> declared;
  for (const onnx::ValueInfoProto& v : g.value_info()) {
    try {
      declared[v.name()] = value_info_from_onnx(v, false);
    } catch (const Error&) {
      // value_info is only a hint; a value of an unsupported type fails where it is used.
    }
  }
  for (const ValueInfo& v : graph.inputs) declared[v.name] = v;
  for (const ValueInfo& v : graph.outputs) declared[v.name] = v;
  for (const auto& [name, t] : graph.initializers)
    declared[name] = ValueInfo{name, t.dtype(), shape_from_dims(t.dims()), true};
  return declared;
}

}  // namespace

Graph graph_from_onnx(const onnx::ModelProto& model) {
  const int64_t opset = default_domain_opset(model);
  const onnx::GraphProto& g = model.graph();
  Graph graph;
  if (g.sparse_initializer_size() > 0)
    fail(ErrorCode::kUnsupported, "sparse initializer '{}' is not supported",
         g.sparse_initializer(0).values().name());
  for (const onnx::TensorProto& t : g.initializer()) {
    if (t.name().empty()) fail(ErrorCode::kParse, "an initializer has no name");
    graph.initializers[t.name()] = tensor_from_onnx(t);
  }
  for (const onnx::ValueInfoProto& v : g.input())
    if (!graph.initializers.count(v.name())) graph.inputs.push_back(value_info_from_onnx(v, true));
  for (const onnx::ValueInfoProto& v : g.output()) graph.outputs.push_back(value_info_from_onnx(v, false));

  const std::map<std::string, ValueInfo> declared = declared_values(g, graph);
  ConversionContext ctx(graph, declared);
  for (const auto& [name, info] : declared) ctx.reserve_name(name);
  for (const onnx::NodeProto& n : g.node())
    for (const std::string& out : n.output()) ctx.reserve_name(out);

  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto& n = g.node(i);
    Node node;
    node.name = n.name().empty() ? fmt::format("{}_{}", n.op_type(), i) : n.name();
    node.op = n.op_type();
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      fail(ErrorCode::kUnsupported,
           "node '{}': op '{}' of domain '{}' is not supported (only the default domain)", node.name, node.op,
           n.domain());
    node.inputs.assign(n.input().begin(), n.input().end());
    node.outputs.assign(n.output().begin(), n.output().end());
    node.attrs = attributes_from_onnx(n, node.name);
    append_normalised_node(std::move(node), opset, ctx);
  }
  return graph;
}

}  // namespace onnx_import

Graph import_onnx(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail(ErrorCode::kIo, "{}: no such file", path);
  std::ifstream file(path, std::ios::binary);
  if (!file) fail(ErrorCode::kIo, "{}: cannot open for reading", path);
  std::ostringstream bytes;
  bytes << file.rdbuf();
  if (file.bad()) fail(ErrorCode::kIo, "{}: read error", path);

  onnx::ModelProto model;
  if (!model.ParseFromString(bytes.str()) || !model.has_graph())
    fail(ErrorCode::kParse, "{}: not a valid ONNX model (truncated or corrupt file)", path);
  Graph graph;
  try {
    graph = onnx_import::graph_from_onnx(model);
  } catch (const Error& e) {
    throw Error(e.code(), fmt::format("{}: {}", path, e.what()));
  }
  graph.source = path;
  topological_sort(graph);
  verify_graph(graph);
  infer_shapes(graph);
  return graph;
}

}  // namespace rankrt
