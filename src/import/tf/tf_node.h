// Conversion state for one TensorFlow GraphDef: the IR graph being built, and a per-node view
// (data inputs as IR value names, typed attributes, emitters for IR nodes and constants).
#pragma once
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "proto/tf_graph.pb.h"

namespace rankrt {

class TfConversion {
 public:
  // taken: every TensorFlow node name, so that helper names never collide with them.
  TfConversion(Graph& graph, std::set<std::string> taken) : graph_(graph), taken_(std::move(taken)) {}

  Graph& graph() { return graph_; }
  const std::string& path() const { return graph_.source; }
  // base, or base_1, base_2, ... whichever is not taken yet; reserves it.
  std::string unique_name(const std::string& base);
  // Rank of a value of the graph built so far (runs shape inference), if known.
  std::optional<int64_t> rank_of(const std::string& value) const;

 private:
  Graph& graph_;
  std::set<std::string> taken_;
};

class TfNode {
 public:
  TfNode(const tf::NodeDef& def, std::vector<std::string> inputs, TfConversion& conversion)
      : def_(def), inputs_(std::move(inputs)), conv_(conversion) {}

  const std::string& name() const { return def_.name(); }
  const std::string& op() const { return def_.op(); }
  const std::vector<std::string>& inputs() const { return inputs_; }
  const std::string& input(size_t i) const { return inputs_.at(i); }
  TfConversion& conversion() { return conv_; }

  bool has_attr(const std::string& key) const { return def_.attr().count(key) != 0; }
  int64_t attr_int(const std::string& key, int64_t fallback) const;
  bool attr_bool(const std::string& key, bool fallback) const;
  std::string attr_string(const std::string& key, const std::string& fallback) const;
  DType attr_type(const std::string& key) const;                 // required
  std::vector<int64_t> attr_ints(const std::string& key) const;  // empty when absent

  // Input i's value, which must be a constant (an initializer).
  const Tensor& const_input(size_t i, const std::string& what) const;
  // Input i as an int64 value: a converted initializer when constant, else a Cast helper node.
  std::string int64_input(size_t i, const std::string& suffix);
  // Rank of input i (from shape inference of the graph so far); fails naming the node if unknown.
  int64_t input_rank(size_t i) const;

  // Emits the main IR node (named like the TF node; its output is the TF node's output 0).
  void emit(const std::string& op, std::vector<std::string> inputs, AttributeMap attrs = {});
  // Emits a helper node named "<name>/<suffix>"; returns its output value.
  std::string emit_helper(const std::string& suffix, const std::string& op, std::vector<std::string> inputs,
                          AttributeMap attrs = {});
  // Adds an initializer named "<name>/<suffix>"; returns its value name.
  std::string add_constant(const std::string& suffix, Tensor value);
  // Adds a 1-D int64 initializer "<name>/<suffix>" (axes, starts, ...); returns its value name.
  std::string add_int64s(const std::string& suffix, const std::vector<int64_t>& values);

  template <typename... Args>
  [[noreturn]] void fail(ErrorCode code, fmt::format_string<Args...> format, Args&&... args) const {
    rankrt::fail(code, "{}: node '{}' ({}): {}", conv_.path(), name(), op(),
                 fmt::format(format, std::forward<Args>(args)...));
  }

 private:
  const tf::AttrValue* find_attr(const std::string& key) const;

  const tf::NodeDef& def_;
  std::vector<std::string> inputs_;
  TfConversion& conv_;
};

}  // namespace rankrt
