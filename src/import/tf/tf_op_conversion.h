// Mapping of TensorFlow ops onto IR nodes (latest ONNX opset semantics).
#pragma once
#include "import/tf/tf_node.h"

namespace rankrt {

// Emits the IR nodes of one TensorFlow node (not Const / Placeholder / NoOp, which the importer
// handles). Throws kUnsupported "<file>: node '<name>': unsupported TensorFlow op '<op>'".
void convert_tf_node(TfNode& node);

// StridedSlice -> Slice + Squeeze (shrink_axis_mask) + Unsqueeze (new_axis_mask).
void convert_strided_slice(TfNode& node);

}  // namespace rankrt
