// TensorFlow GraphDef builder and writer.
#include "import/tf/tf_writer.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <fstream>

#include "core/error.h"
#include "import/tf/tf_tensor.h"

namespace rankrt {

tf::AttrValue tf_type_attr(DType t) {
  tf::AttrValue a;
  a.set_type(dtype_to_tf(t));
  return a;
}

tf::AttrValue tf_int_attr(int64_t v) {
  tf::AttrValue a;
  a.set_i(v);
  return a;
}

tf::AttrValue tf_bool_attr(bool v) {
  tf::AttrValue a;
  a.set_b(v);
  return a;
}

std::string TfGraphBuilder::add(const std::string& name, const std::string& op,
                                const std::vector<std::string>& inputs, const Attrs& attrs) {
  tf::NodeDef* node = graph_.add_node();
  node->set_name(name);
  node->set_op(op);
  for (const std::string& in : inputs) node->add_input(in);
  for (const auto& [key, value] : attrs) (*node->mutable_attr())[key] = value;
  return name;
}

std::string TfGraphBuilder::placeholder(const std::string& name, DType dtype,
                                        const std::vector<int64_t>& shape) {
  tf::AttrValue shape_attr;
  for (int64_t d : shape) shape_attr.mutable_shape()->add_dim()->set_size(d);
  return add(name, "Placeholder", {}, {{"dtype", tf_type_attr(dtype)}, {"shape", shape_attr}});
}

std::string TfGraphBuilder::constant(const std::string& name, const Tensor& value) {
  tf::AttrValue value_attr;
  tensor_to_tf(value, value_attr.mutable_tensor());
  return add(name, "Const", {}, {{"dtype", tf_type_attr(value.dtype())}, {"value", value_attr}});
}

void write_graphdef(const tf::GraphDef& graph, const std::string& path) {
  // Deterministic: the attr maps are written in key order, so equal graphs give equal files.
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    if (!graph.SerializeToCodedStream(&coded)) fail(ErrorCode::kIo, "{}: cannot serialize the graph", path);
  }
  std::ofstream out(path, std::ios::binary);
  if (!out) fail(ErrorCode::kIo, "{}: cannot open for writing", path);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  out.flush();
  if (!out) fail(ErrorCode::kIo, "{}: write failed", path);
}

}  // namespace rankrt
