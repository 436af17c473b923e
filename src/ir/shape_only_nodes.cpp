// Backward sweep marking nodes whose every reader is a static argument or another such node.
#include "ir/shape_only_nodes.h"

namespace rankrt {

std::set<const Node*> shape_only_nodes(const Graph& g,
                                       const std::function<bool(const Node&, size_t)>& is_static_argument) {
  std::set<std::string> graph_outputs;
  for (const ValueInfo& v : g.outputs) graph_outputs.insert(v.name);
  std::set<const Node*> skip;
  for (auto it = g.nodes.rbegin(); it != g.nodes.rend(); ++it) {
    bool only_shapes = true;
    for (const std::string& out : it->outputs) {
      if (graph_outputs.count(out)) only_shapes = false;
      for (const Node& consumer : g.nodes)
        for (size_t i = 0; i < consumer.inputs.size(); ++i)
          if (consumer.inputs[i] == out && !is_static_argument(consumer, i) && !skip.count(&consumer))
            only_shapes = false;
    }
    if (only_shapes) skip.insert(&*it);
  }
  return skip;
}

}  // namespace rankrt
