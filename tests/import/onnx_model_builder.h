// Test helper: builds tiny ONNX models in C++ with libonnx's protos and writes them to temp files.
#pragma once
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <variant>
#include <vector>

namespace rankrt::testing {

using OnnxDim = std::variant<int64_t, std::string>;  // size or dim_param

class OnnxModelBuilder {
 public:
  explicit OnnxModelBuilder(int64_t opset, int64_t ir_version = 8) {
    model_.set_ir_version(ir_version);
    onnx::OperatorSetIdProto* o = model_.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    model_.mutable_graph()->set_name("test");
  }

  OnnxModelBuilder& input(const std::string& name, int32_t elem_type, const std::vector<OnnxDim>& dims) {
    fill_value(model_.mutable_graph()->add_input(), name, elem_type, dims);
    return *this;
  }
  OnnxModelBuilder& output(const std::string& name, int32_t elem_type) {
    onnx::ValueInfoProto* v = model_.mutable_graph()->add_output();
    v->set_name(name);
    v->mutable_type()->mutable_tensor_type()->set_elem_type(elem_type);
    return *this;
  }
  onnx::TensorProto* initializer(const std::string& name, int32_t elem_type,
                                 const std::vector<int64_t>& dims) {
    onnx::TensorProto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(elem_type);
    for (int64_t d : dims) t->add_dims(d);
    return t;
  }
  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name = "") {
    onnx::NodeProto* n = model_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return n;
  }
  static void attr_int(onnx::NodeProto* n, const std::string& name, int64_t v) {
    onnx::AttributeProto* a = add_attr(n, name, onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr_float(onnx::NodeProto* n, const std::string& name, float v) {
    onnx::AttributeProto* a = add_attr(n, name, onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void attr_ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
    onnx::AttributeProto* a = add_attr(n, name, onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }

  onnx::ModelProto& model() { return model_; }

  // Writes the model under the temp directory; returns the path.
  std::string save(const std::string& file_name) const {
    std::string path = (std::filesystem::temp_directory_path() / file_name).string();
    std::ofstream out(path, std::ios::binary);
    model_.SerializeToOstream(&out);
    return path;
  }

 private:
  static onnx::AttributeProto* add_attr(onnx::NodeProto* n, const std::string& name,
                                        onnx::AttributeProto::AttributeType type) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(type);
    return a;
  }
  static void fill_value(onnx::ValueInfoProto* v, const std::string& name, int32_t elem_type,
                         const std::vector<OnnxDim>& dims) {
    v->set_name(name);
    onnx::TypeProto::Tensor* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(elem_type);
    onnx::TensorShapeProto* shape = t->mutable_shape();
    for (const OnnxDim& d : dims) {
      onnx::TensorShapeProto::Dimension* dim = shape->add_dim();
      if (const int64_t* size = std::get_if<int64_t>(&d)) {
        if (*size >= 0) dim->set_dim_value(*size);
      } else {
        dim->set_dim_param(std::get<std::string>(d));
      }
    }
  }

  onnx::ModelProto model_;
};

}  // namespace rankrt::testing
