// Loads a model file into the IR: ONNX (.onnx) or TensorFlow frozen GraphDef (.pb binary,
// .pbtxt text). The result is topologically sorted, verified and shape-inferred.
#pragma once
#include <string>
#include <vector>

#include "ir/graph.h"

namespace rankrt {

Graph import_onnx(const std::string& path);
Graph import_tf(const std::string& path);
// Chooses the importer from the extension (.onnx / .pb / .pbtxt). When `outputs` is not empty
// (e.g. a sample file's output_names), those values become the graph outputs, in that order,
// and nodes that no longer reach an output are dropped; an unknown name is an error.
Graph load_model(const std::string& path, const std::vector<std::string>& outputs = {});

}  // namespace rankrt
