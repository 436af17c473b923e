// eliminate_dead_code: removes nodes none of whose outputs reach a graph output, then the
// initializers no node reads (graph inputs and outputs are kept).
#include "passes/graph_rewrite.h"
#include "passes/passes.h"

namespace rankrt {

bool eliminate_dead_code(Graph& g) {
  std::set<std::string> live;
  for (const ValueInfo& v : g.outputs) live.insert(v.name);
  std::set<size_t> dead;
  for (size_t i = g.nodes.size(); i-- > 0;) {
    const Node& n = g.nodes[i];
    bool needed = false;
    for (const std::string& out : n.outputs) needed = needed || (!out.empty() && live.count(out));
    if (!needed) {
      dead.insert(i);
      continue;
    }
    for (const std::string& in : n.inputs)
      if (!in.empty()) live.insert(in);
  }
  passes::remove_nodes(g, dead);
  bool removed_initializer = false;
  for (auto it = g.initializers.begin(); it != g.initializers.end();) {
    if (!live.count(it->first) && !g.find_input(it->first)) {
      it = g.initializers.erase(it);
      removed_initializer = true;
    } else {
      ++it;
    }
  }
  return !dead.empty() || removed_initializer;
}

}  // namespace rankrt
