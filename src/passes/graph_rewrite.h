// Helpers shared by the optimizer passes: value uses, constants, per-column parameters, fresh
// names, node removal and rewiring, and the `source_nodes` bookkeeping of fused nodes.
#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ops/op_schema.h"

namespace rankrt::passes {

// Who reads each value: consumer node indices (one entry per input slot) and the graph outputs.
struct Uses {
  std::map<std::string, std::vector<size_t>> consumers;
  std::set<std::string> graph_outputs;

  bool is_output(const std::string& value) const { return graph_outputs.count(value) != 0; }
  // Distinct nodes reading the value.
  std::set<size_t> readers(const std::string& value) const;
};
Uses compute_uses(const Graph& g);

// The only node reading `value` (through any number of its input slots), when the value is not a
// graph output and no other node reads it.
std::optional<size_t> sole_reader(const Uses& uses, const std::string& value);

// True when every value produced by `nodes` (except `final_node`'s outputs) and every value in
// `internal` is read only by `nodes` and is not a graph output: the pattern can be replaced as a
// whole by one node producing final_node's outputs.
bool pattern_is_closed(const Graph& g, const Uses& uses, const std::set<size_t>& nodes, size_t final_node,
                       const std::vector<std::string>& internal);

// The value of a constant (an initializer that is not an overridable graph input), or nullptr.
const Tensor* constant_of(const Graph& g, const std::string& value);

// A constant that, broadcast against a value of rank `rank` whose last dim is `m`, gives one value
// per column ([m], [1,m], [1], scalar, ... with every leading dim 1): those values, else nullopt.
std::optional<std::vector<double>> per_column(const Tensor& t, int64_t m, size_t rank);
// Every element of the constant equals `v` (true for an empty-free constant of that value).
bool all_equal(const Tensor& t, double v);

// A 1-D tensor of `dtype` holding `values` (computed in double, rounded once).
Tensor column_tensor(const std::vector<double>& values, DType dtype);

// A value name not used anywhere in the graph, derived from `base`.
std::string fresh_name(const Graph& g, const std::string& base);
// Adds an initializer under a fresh name derived from `base`; returns the name.
std::string add_initializer(Graph& g, const std::string& base, Tensor t);

// Every reader of `from` reads `to` instead.
void replace_uses(Graph& g, const std::string& from, const std::string& to);
// Removes the nodes at the given indices.
void remove_nodes(Graph& g, const std::set<size_t>& indices);
// Node `index` becomes `fused`, which absorbs the nodes `absorbed` (their original names join its
// source nodes; they are removed) and takes over the output of `last`, one of them.
void absorb_nodes(Graph& g, size_t index, Node fused, const std::set<size_t>& absorbed, size_t last);
// Applies a one-rewrite step until it reports no change; whether any step changed the graph.
bool rewrite_to_fixpoint(Graph& g, bool (*once)(Graph&));
// Node `index` computes the identity of `value`: its readers read `value` instead and the node is
// removed. When its output is a graph output, the producer of `value` is renamed instead (only if
// `value` is a node output that is not itself a graph output). Returns false when not possible.
bool bypass_node(Graph& g, size_t index, const std::string& value);

// The original node names a node stands for: its `source_nodes` attribute, or its own name.
std::vector<std::string> source_nodes(const Node& n);
// Appends the source nodes of `from` to `to`'s `source_nodes` attribute (no duplicates).
void add_source_nodes(Node& to, const Node& from);
// Appends names to `to`'s `source_nodes` attribute (no duplicates).
void add_source_names(Node& to, const std::vector<std::string>& names);

// Attributes of fused nodes: Dense's activation and the original node names.
inline constexpr const char* kActivationAttr = "activation";
inline constexpr const char* kSourceNodesAttr = "source_nodes";

// The other input of a binary node that reads `value` (the value itself for x*x), or nullopt.
std::optional<std::string> other_input(const Node& n, const std::string& value);

// A value produced as a fill of one constant (ConstantOfShape, or Expand of a one-element
// constant): the element (a one-element tensor of the fill's dtype) and the shape input.
struct Fill {
  Tensor value;
  std::string shape;
};
std::optional<Fill> fill_of(const Graph& g, const std::string& value);

}  // namespace rankrt::passes
