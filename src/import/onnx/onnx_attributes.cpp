// ONNX AttributeProto -> IR attributes (ints, floats as double, strings, lists, tensors).
#include "import/onnx/onnx_convert.h"

namespace rankrt::onnx_import {

namespace {

// Old models (IR < 3) may leave `type` unset: take it from the field that is filled.
onnx::AttributeProto::AttributeType attribute_type(const onnx::AttributeProto& a) {
  if (a.type() != onnx::AttributeProto::UNDEFINED) return a.type();
  if (a.has_f()) return onnx::AttributeProto::FLOAT;
  if (a.has_i()) return onnx::AttributeProto::INT;
  if (a.has_s()) return onnx::AttributeProto::STRING;
  if (a.has_t()) return onnx::AttributeProto::TENSOR;
  if (a.floats_size()) return onnx::AttributeProto::FLOATS;
  if (a.ints_size()) return onnx::AttributeProto::INTS;
  if (a.strings_size()) return onnx::AttributeProto::STRINGS;
  return onnx::AttributeProto::UNDEFINED;
}

Attribute convert(const onnx::AttributeProto& a, const std::string& node_name) {
  switch (attribute_type(a)) {
    case onnx::AttributeProto::FLOAT:
      return double(a.f());
    case onnx::AttributeProto::INT:
      return int64_t(a.i());
    case onnx::AttributeProto::STRING:
      return a.s();
    case onnx::AttributeProto::TENSOR:
      return tensor_from_onnx(a.t());
    case onnx::AttributeProto::FLOATS:
      return std::vector<double>(a.floats().begin(), a.floats().end());
    case onnx::AttributeProto::INTS:
      return std::vector<int64_t>(a.ints().begin(), a.ints().end());
    case onnx::AttributeProto::STRINGS:
      return std::vector<std::string>(a.strings().begin(), a.strings().end());
    case onnx::AttributeProto::GRAPH:
    case onnx::AttributeProto::GRAPHS:
      fail(ErrorCode::kUnsupported,
           "node '{}': attribute '{}' holds a subgraph (control flow is not supported)", node_name, a.name());
    default:
      fail(ErrorCode::kUnsupported, "node '{}': attribute '{}' has unsupported type {}", node_name, a.name(),
           onnx::AttributeProto_AttributeType_Name(attribute_type(a)));
  }
}

}  // namespace

AttributeMap attributes_from_onnx(const onnx::NodeProto& node, const std::string& node_name) {
  AttributeMap attrs;
  for (const onnx::AttributeProto& a : node.attribute()) {
    if (!a.ref_attr_name().empty())
      fail(ErrorCode::kUnsupported, "node '{}': attribute '{}' refers to a function attribute", node_name,
           a.name());
    try {
      attrs[a.name()] = convert(a, node_name);
    } catch (const Error& e) {
      if (attribute_type(a) != onnx::AttributeProto::TENSOR) throw;
      throw Error(e.code(), fmt::format("node '{}': attribute '{}': {}", node_name, a.name(), e.what()));
    }
  }
  return attrs;
}

}  // namespace rankrt::onnx_import
