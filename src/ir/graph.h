// The graph IR: named values (graph inputs, initializers, node outputs), nodes in topological
// order, graph outputs. Op types and semantics follow the latest ONNX opset: importers normalise
// older opset forms and TensorFlow ops into it.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/shape.h"
#include "core/tensor.h"
#include "ir/attribute.h"

namespace rankrt {

struct ValueInfo {
  std::string name;
  DType dtype = DType::kF32;
  Shape shape;  // may hold symbolic dims; empty with rank_known=false when the rank is unknown
  bool rank_known = true;
};

struct Node {
  std::string name;                  // original node name from the model (kept through passes)
  std::string op;                    // IR op type, e.g. "MatMul"
  std::vector<std::string> inputs;   // value names; "" marks an omitted optional input
  std::vector<std::string> outputs;  // value names
  AttributeMap attrs;

  bool has_attr(const std::string& key) const { return attrs.count(key) != 0; }
  int64_t attr_int(const std::string& key, int64_t fallback) const;
  int64_t attr_int(const std::string& key) const;  // required
  double attr_float(const std::string& key, double fallback) const;
  std::string attr_string(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const std::string& key) const;  // required
  std::vector<int64_t> attr_ints(const std::string& key, std::vector<int64_t> fallback) const;
  const Tensor& attr_tensor(const std::string& key) const;  // required
  // Input i if present (not omitted and in range).
  bool has_input(size_t i) const { return i < inputs.size() && !inputs[i].empty(); }
};

class Graph {
 public:
  std::string source;  // file the graph came from (for error messages)
  std::vector<ValueInfo> inputs;
  std::vector<ValueInfo> outputs;
  std::map<std::string, Tensor> initializers;
  std::vector<Node> nodes;
  // Inferred types/shapes of every value (filled by infer_shapes).
  std::map<std::string, ValueInfo> value_info;

  const ValueInfo* find_input(const std::string& name) const;
  const Tensor* find_initializer(const std::string& name) const;
  // Index of the node producing a value, if any.
  std::optional<size_t> producer(const std::string& value) const;
};

// Sorts nodes topologically (stable). Throws kInvalidGraph naming a node on a cycle.
void topological_sort(Graph& g);

// Checks structure: unique value names, every node input defined before use, known op,
// input/output counts within the op schema, graph outputs produced. Throws kInvalidGraph.
void verify_graph(const Graph& g);

// Human-readable dump (one line per node), used by tests and `inspect`.
std::string graph_to_string(const Graph& g);

}  // namespace rankrt
