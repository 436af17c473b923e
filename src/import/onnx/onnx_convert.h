// Internal pieces of the ONNX importer that see libonnx's protos: dtype/tensor/attribute
// conversion, opset normalisation and the proto -> IR graph conversion.
#pragma once
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "ir/graph.h"

namespace rankrt::onnx_import {

// Oldest / newest default-domain opset the importer accepts.
inline constexpr int64_t kMinOpset = 7;
inline constexpr int64_t kMaxOpset = 21;

// ONNX TensorProto element type -> DType; kUnsupported naming `what` for other types.
DType dtype_from_onnx(int32_t elem_type, const std::string& what);
// TensorProto (raw_data or typed *_data fields) -> Tensor; errors name the tensor.
Tensor tensor_from_onnx(const onnx::TensorProto& proto);
// A node's attributes; errors name the node and the attribute.
AttributeMap attributes_from_onnx(const onnx::NodeProto& node, const std::string& node_name);

// What opset normalisation needs from the graph being built.
class ConversionContext {
 public:
  // declared: dtypes/shapes the model states for inputs, outputs, value_info and initializers.
  ConversionContext(Graph& graph, const std::map<std::string, ValueInfo>& declared)
      : graph_(graph), declared_(declared) {}

  // Adds a constant initializer with a fresh name derived from `hint`; returns the name.
  std::string add_constant(const std::string& hint, Tensor value);
  // A fresh value name derived from `hint`.
  std::string fresh_name(const std::string& hint);
  // Declared dtype of a value (float32 when the model does not say).
  DType dtype_of(const std::string& value) const;
  // Declared rank of a value, when the model states it.
  std::optional<int64_t> rank_of(const std::string& value) const;
  void reserve_name(const std::string& name) { used_names_.insert(name); }
  void add_node(Node node) { graph_.nodes.push_back(std::move(node)); }

 private:
  Graph& graph_;
  const std::map<std::string, ValueInfo>& declared_;
  std::set<std::string> used_names_;
};

// Rewrites one node from its opset form into the IR (latest opset) form and appends the result
// (one or more nodes) to the graph. Throws kUnsupported naming the node for forms with no IR
// equivalent.
void append_normalised_node(Node node, int64_t opset, ConversionContext& ctx);

// ModelProto -> IR graph: dtypes, initializers, inputs/outputs, normalised nodes. No sorting,
// verification or inference. Error messages do not carry the file name (import_onnx adds it).
Graph graph_from_onnx(const onnx::ModelProto& model);

}  // namespace rankrt::onnx_import
