// Conversions between TensorFlow TensorProto / DataType / TensorShapeProto and rankrt tensors.
#pragma once
#include <string>

#include "core/tensor.h"
#include "proto/tf_graph.pb.h"

namespace rankrt {

// TensorFlow DataType -> rankrt DType; throws kUnsupported naming `what` for other types.
DType dtype_from_tf(tf::DataType t, const std::string& what);
tf::DataType dtype_to_tf(DType t);

// Decodes a TensorProto (tensor_content little-endian, or the typed *_val fields, where a single
// value with a larger shape is a splat). Float16/bfloat16 stay float16/bfloat16. Errors (kParse /
// kUnsupported) name `what` (e.g. "model.pb: node 'w'").
Tensor tensor_from_tf(const tf::TensorProto& proto, const std::string& what);
// Encodes a tensor as dtype + shape + tensor_content.
void tensor_to_tf(const Tensor& tensor, tf::TensorProto* proto);

}  // namespace rankrt
