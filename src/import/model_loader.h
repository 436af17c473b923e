// Loads a model file into the IR: ONNX (.onnx) or TensorFlow frozen GraphDef (.pb binary,
// .pbtxt text). The result is topologically sorted, verified and shape-inferred.
#pragma once
#include <string>

#include "ir/graph.h"

namespace rankrt {

Graph import_onnx(const std::string& path);
Graph import_tf(const std::string& path);
// Chooses the importer from the extension (.onnx / .pb / .pbtxt), then from the content.
Graph load_model(const std::string& path);

}  // namespace rankrt
