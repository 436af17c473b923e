// The optimizer passes. Each rewrites the graph in place, keeps it topologically sorted and
// returns whether it changed anything; src/passes/pipeline.h runs them in order.
#pragma once
#include "ir/graph.h"

namespace rankrt {

// Evaluates nodes whose inputs are all constants (in float64, rounded once to the declared
// dtype) and values whose inferred shape value is fully known, into initializers.
bool fold_constants(Graph& g);
// Removes nodes whose outputs reach no graph output, and unused initializers.
bool eliminate_dead_code(Graph& g);
// Removes Identity, Cast to the same dtype, Reshape to the same shape, x*1, x/1, x+0, x-0.
bool eliminate_identity(Graph& g);
// Merges identical initializers and nodes with the same op, inputs and attributes.
bool eliminate_common_subexpressions(Graph& g);
// MatMul/Gemm with constant weights -> Dense; folds per-column affines (x*s+t, batch norm)
// following a Dense into its weights and bias, and ones preceding it into its weights.
bool fold_affine(Graph& g);
// Folds Relu, PReLU (also as max(0,x)+a*min(0,x)), LeakyRelu, Sigmoid, Tanh, Dice, GELU and swish
// following a Dense into its activation.
bool fuse_activation(Graph& g);
// concat(broadcast(c), x)·W + b with a one-row c -> x·W_x + (c·W_c + b), the bracket computed
// once per request by a Dense on the one-row path.
bool hoist_common_features(Graph& g);
// fill(shape, v) + c (ConstantOfShape or Expand of a constant) -> Expand(v + c, shape).
bool simplify_output_tail(Graph& g);
// Concat(fills of v, x, fills of v) -> Pad(x, pads, v) (fills: ConstantOfShape, Expand of a constant).
bool concat_fills_to_pad(Graph& g);
// Abs / Neg and Add / Sub / Mul / Div by a one-element constant after a Dense -> its post-ops.
bool fuse_post_ops(Graph& g);

}  // namespace rankrt
