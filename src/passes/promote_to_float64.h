// Promotion of a graph to float64: the same computation with every float value declared float64,
// so that the optimizer's folded constants are stored without rounding (the FP64 proof of
// equivalence of the optimizer compares a graph with optimize(promote_to_float64(graph))).
#pragma once
#include "ir/graph.h"

namespace rankrt {

// Float initializers, float tensor attributes, float graph inputs, Cast targets and
// LayerNormalization's stash type become float64; a Cast to float16 / bfloat16 keeps its
// rounding and is followed by a Cast to float64. Graph outputs follow by inference. In the FP64
// reference executor (which rounds only at Casts to float16 / bfloat16) the result computes
// exactly what `g` computes, given the same input values as float64 tensors.
Graph promote_to_float64(Graph g);

}  // namespace rankrt
