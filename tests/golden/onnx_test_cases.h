// ONNX test case directories (model.onnx + test_data_set_*) and the check of whether rankrt
// supports a case's ops and dtypes; shared by the golden drivers.
#pragma once
#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "import/onnx/onnx_convert.h"
#include "ops/op_schema.h"

namespace rankrt::golden {

namespace fs = std::filesystem;

inline std::string elem_type_name(int32_t t) {
  return onnx::TensorProto_DataType_IsValid(t)
             ? onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(t))
             : fmt::format("type {}", t);
}

inline bool supported_elem_type(int32_t t) {
  try {
    rankrt::onnx_import::dtype_from_onnx(t, "");
    return true;
  } catch (const rankrt::Error&) {
    return false;
  }
}

// Collects the reasons rankrt cannot run a model; empty when it should run.
class SkipCheck {
 public:
  std::set<std::string> reasons;

  void model(const onnx::ModelProto& m) {
    for (const onnx::OperatorSetIdProto& o : m.opset_import()) {
      bool default_domain = o.domain().empty() || o.domain() == "ai.onnx";
      if (default_domain && o.version() < rankrt::onnx_import::kMinOpset)
        reasons.insert(fmt::format("opset {} < {}", o.version(), rankrt::onnx_import::kMinOpset));
    }
    const onnx::GraphProto& g = m.graph();
    for (const auto& v : g.input()) value(v);
    for (const auto& v : g.output()) value(v);
    for (const auto& v : g.value_info()) value(v);
    for (const auto& t : g.initializer()) elem_type(t.data_type());
    for (const onnx::NodeProto& n : g.node()) {
      // The importer turns the deprecated Scatter into ScatterElements.
      const std::string ir_op = n.op_type() == "Scatter" ? "ScatterElements" : n.op_type();
      if (!n.domain().empty() && n.domain() != "ai.onnx") reasons.insert("domain " + n.domain());
      if (!rankrt::find_op(ir_op)) reasons.insert("op " + n.op_type());
      for (const onnx::AttributeProto& a : n.attribute()) {
        if (a.has_t()) elem_type(a.t().data_type());
        if (n.op_type() == "Cast" && a.name() == "to") elem_type(int32_t(a.i()));
        if (a.name() == "training_mode" && a.i() != 0) reasons.insert("training mode");
      }
    }
  }

 private:
  void elem_type(int32_t t) {
    // The node tests store bfloat16 data as UINT16 tensors, which do not match the model's types.
    if (t == onnx::TensorProto::BFLOAT16) reasons.insert("dtype BFLOAT16 (test data stored as UINT16)");
    if (!supported_elem_type(t)) reasons.insert("dtype " + elem_type_name(t));
  }
  void value(const onnx::ValueInfoProto& v) {
    if (!v.has_type()) return;
    if (!v.type().has_tensor_type()) {
      reasons.insert("non-tensor type");
    } else if (v.type().tensor_type().elem_type() != onnx::TensorProto::UNDEFINED) {
      elem_type(v.type().tensor_type().elem_type());
    }
  }
};

// The test case directories directly under `root` (those holding a model.onnx), sorted.
inline std::vector<fs::path> test_case_dirs(const fs::path& root) {
  std::vector<fs::path> cases;
  for (const fs::directory_entry& e : fs::directory_iterator(root))
    if (fs::exists(e.path() / "model.onnx")) cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  return cases;
}

// Why rankrt cannot run the case in `dir`, joined by ", "; empty when it should run.
inline std::string skip_reason(const fs::path& dir) {
  onnx::ModelProto model;
  std::ifstream file(dir / "model.onnx", std::ios::binary);
  SkipCheck check;
  if (model.ParseFromIstream(&file)) check.model(model);
  std::string reason;
  for (const std::string& r : check.reasons) reason += (reason.empty() ? "" : ", ") + r;
  return reason;
}

}  // namespace rankrt::golden
