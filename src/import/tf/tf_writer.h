// Building TensorFlow GraphDefs node by node (synthetic frozen graphs) and writing them to files.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "proto/tf_graph.pb.h"

namespace rankrt {

tf::AttrValue tf_type_attr(DType t);
tf::AttrValue tf_int_attr(int64_t v);
tf::AttrValue tf_bool_attr(bool v);

class TfGraphBuilder {
 public:
  using Attrs = std::map<std::string, tf::AttrValue>;

  // Adds a node and returns its name, which is also the name of its first output.
  std::string add(const std::string& name, const std::string& op, const std::vector<std::string>& inputs,
                  const Attrs& attrs = {});
  // Placeholder with `dtype` and `shape` (-1 for an unknown dimension).
  std::string placeholder(const std::string& name, DType dtype, const std::vector<int64_t>& shape);
  std::string constant(const std::string& name, const Tensor& value);

  const tf::GraphDef& graph() const { return graph_; }

 private:
  tf::GraphDef graph_;
};

// Writes a binary GraphDef (deterministic serialization); throws kIo naming the file.
void write_graphdef(const tf::GraphDef& graph, const std::string& path);

}  // namespace rankrt
