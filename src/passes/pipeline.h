// The optimizer pipeline: the ordered list of passes run to a fixed point.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace rankrt {

struct OptimizeOptions {
  std::set<std::string> disabled;  // pass names to skip (see pass_names())
};

// The pass names, in pipeline order.
std::vector<std::string> pass_names();

// Runs the enabled passes in order until none changes the graph, then sorts, verifies and
// re-infers shapes. Throws kUsage on an unknown pass name in `options.disabled`.
void optimize(Graph& g, const OptimizeOptions& options = {});

}  // namespace rankrt
