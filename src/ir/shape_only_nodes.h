// Nodes whose outputs feed only arguments a backend resolves at build time (shapes from
// inference, constant parameters): e.g. Shape -> Gather -> Concat -> Expand's shape input.
#pragma once
#include <functional>
#include <set>

#include "ir/graph.h"

namespace rankrt {

// `is_static_argument(consumer, input)`: the backend does not read that input at run time.
// Graph outputs are never shape-only.
std::set<const Node*> shape_only_nodes(const Graph& g,
                                       const std::function<bool(const Node&, size_t)>& is_static_argument);

}  // namespace rankrt
