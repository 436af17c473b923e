// Writing IR graphs as ONNX models (opset 17, IR version 8, libonnx protos).
#pragma once
#include <onnx/onnx_pb.h>

#include <string>

#include "ir/graph.h"

namespace rankrt {

// Converts an IR graph. Throws kUnsupported for a node whose latest-opset form has no opset-17
// equivalent (Reduce* other than ReduceSum with an axes input, Split with num_outputs).
onnx::ModelProto graph_to_onnx(const Graph& graph);
// graph_to_onnx, then writes the binary model; throws kIo naming the file.
void write_onnx(const Graph& graph, const std::string& path);

}  // namespace rankrt
