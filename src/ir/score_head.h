// Score heads: a Dense layer whose only consumer is a narrow Dense layer (a few scores from a
// few hundred hidden values, e.g. DQM's fc5 -> fc6). Backends compute such a pair in one pass
// with double accumulation and no float32 rounding of the hidden values, because the score
// layer's sum usually cancels (|z| << sum |w h|) and that rounding would dominate its error.
#pragma once
#include <cstdint>

#include "ir/graph.h"

namespace rankrt {

constexpr int64_t kHeadMaxInputs = 1024, kHeadMaxHidden = 256, kHeadMaxScores = 4;

// The narrow Dense consumer that makes Dense `n` the hidden layer of a score head, or null. Both
// weights must be constant 2-D tensors within the limits above; n's output must not be a graph
// output.
const Node* score_head_consumer(const Graph& g, const Node& n);

}  // namespace rankrt
