// Checks request inputs against a graph's declared inputs and binds its symbolic dims.
#pragma once
#include <map>
#include <string>

#include "ir/graph.h"

namespace rankrt {

// Names, dtypes, ranks and fixed dims must match; a symbol (e.g. N) must have one size across
// all inputs. Throws kData naming the input and the problem.
SymbolBindings bind_inputs(const Graph& graph, const std::map<std::string, Tensor>& inputs);

}  // namespace rankrt
