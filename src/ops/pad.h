// ONNX Pad's parameters (mode attribute, pads and axes inputs), read by the op's inference and
// kernel and by the backends' lowerings.
#pragma once
#include <optional>
#include <vector>

#include "ir/graph.h"
#include "ops/pad_index.h"

namespace rankrt {

// The `mode` attribute (default constant); kUnsupported naming the node for another mode.
PadMode pad_mode(const Node& n);

// Elements added before / after each axis of the input (negative: removed).
struct PadAmounts {
  std::vector<int64_t> begin, end;
};

// The amounts for an input of rank `rank` from the pads input [2 * count] and the axes input
// (opset 18; absent: every axis). kShape naming the node for a wrong count or a bad axis.
PadAmounts pad_amounts(const Node& n, const std::vector<int64_t>& pads,
                       const std::optional<std::vector<int64_t>>& axes, int64_t rank);

}  // namespace rankrt
