// Structural verification of a graph; every error names the node and the problem.
#include <set>

#include "ir/graph.h"
#include "ops/op_schema.h"

namespace rankrt {

void verify_graph(const Graph& g) {
  std::set<std::string> defined;
  auto define = [&](const std::string& name, const std::string& what) {
    if (name.empty()) return;
    if (!defined.insert(name).second)
      fail(ErrorCode::kInvalidGraph, "{}: value '{}' is defined twice ({})", g.source, name, what);
  };
  for (const ValueInfo& v : g.inputs) define(v.name, "graph input");
  for (const auto& [name, t] : g.initializers) {
    if (!g.find_input(name)) define(name, "initializer");
  }
  for (const Node& n : g.nodes) {
    const OpSchema* schema = find_op(n.op);
    if (!schema) fail(ErrorCode::kUnsupported, "{}: node '{}': unsupported op '{}'", g.source, n.name, n.op);
    int num_in = int(n.inputs.size()), num_out = int(n.outputs.size());
    if (num_in < schema->min_inputs || num_in > schema->max_inputs)
      fail(ErrorCode::kInvalidGraph, "{}: node '{}' ({}) has {} inputs, expected {}..{}", g.source, n.name,
           n.op, num_in, schema->min_inputs, schema->max_inputs);
    if (num_out < schema->min_outputs || num_out > schema->max_outputs)
      fail(ErrorCode::kInvalidGraph, "{}: node '{}' ({}) has {} outputs, expected {}..{}", g.source, n.name,
           n.op, num_out, schema->min_outputs, schema->max_outputs);
    for (const std::string& in : n.inputs) {
      if (!in.empty() && !defined.count(in))
        fail(ErrorCode::kInvalidGraph,
             "{}: node '{}' ({}) reads '{}', which no graph input, initializer or earlier node defines",
             g.source, n.name, n.op, in);
    }
    for (const std::string& out : n.outputs) define(out, "output of node '" + n.name + "'");
  }
  for (const ValueInfo& v : g.outputs) {
    if (!defined.count(v.name))
      fail(ErrorCode::kInvalidGraph, "{}: graph output '{}' is never produced", g.source, v.name);
  }
}

}  // namespace rankrt
