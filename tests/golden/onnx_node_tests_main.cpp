// Golden test driver: runs `rankrt test-case` on every ONNX test case under the given roots whose
// ops and dtypes rankrt supports, lists what it skipped and why, and prints
// "N passed, M failed, K skipped". Usage: onnx_node_tests RANKRT_BINARY ROOT...
#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "import/onnx/onnx_convert.h"
#include "ops/op_schema.h"

namespace {

namespace fs = std::filesystem;

std::string elem_type_name(int32_t t) {
  return onnx::TensorProto_DataType_IsValid(t)
             ? onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(t))
             : fmt::format("type {}", t);
}

bool supported_elem_type(int32_t t) {
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

struct RunResult {
  int status;
  std::string output;
};

RunResult run_command(const std::string& command) {
  RunResult r{-1, ""};
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) r.output.append(buffer, n);
  r.status = pclose(pipe);
  return r;
}

// The lines of a failing run that say why (FAIL lines and errors), at most a few.
std::string failure_summary(const std::string& output) {
  std::istringstream in(output);
  std::string line, summary;
  int kept = 0;
  while (std::getline(in, line)) {
    bool relevant = line.find("FAIL") != std::string::npos || line.find("error") != std::string::npos ||
                    line.find("timeout") != std::string::npos;
    if (relevant && kept++ < 3) summary += "\n    " + line;
  }
  return summary.empty() ? "\n    (no output; crashed?) " + output.substr(0, 300) : summary;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s RANKRT_BINARY ROOT...\n", argv[0]);
    return 2;
  }
  const std::string rankrt = argv[1];
  int passed = 0, failed = 0, skipped = 0;
  std::map<std::string, std::vector<std::string>> skipped_by_reason;
  std::vector<std::string> failures;
  for (int a = 2; a < argc; ++a) {
    std::vector<fs::path> cases;
    for (const fs::directory_entry& e : fs::directory_iterator(argv[a]))
      if (fs::exists(e.path() / "model.onnx")) cases.push_back(e.path());
    std::sort(cases.begin(), cases.end());
    for (const fs::path& dir : cases) {
      const std::string name = dir.filename().string();
      onnx::ModelProto model;
      std::ifstream file(dir / "model.onnx", std::ios::binary);
      SkipCheck check;
      if (model.ParseFromIstream(&file)) check.model(model);
      if (!check.reasons.empty()) {
        std::string reason;
        for (const std::string& r : check.reasons) reason += (reason.empty() ? "" : ", ") + r;
        skipped_by_reason[reason].push_back(name);
        ++skipped;
        continue;
      }
      RunResult r = run_command(fmt::format("timeout 120 '{}' test-case '{}' 2>&1", rankrt, dir.string()));
      if (r.status == 0) {
        ++passed;
        fmt::print("PASS {}\n", name);
      } else {
        ++failed;
        failures.push_back(name);
        fmt::print("FAIL {}{}\n", name, failure_summary(r.output));
      }
    }
  }
  fmt::print("\nSkipped ({}):\n", skipped);
  for (const auto& [reason, names] : skipped_by_reason) {
    std::string list;
    for (const std::string& n : names) list += " " + n;
    fmt::print("  [{}] {}:{}\n", reason, names.size(), list);
  }
  fmt::print("\nFailed ({}):", failed);
  for (const std::string& n : failures) fmt::print(" {}", n);
  fmt::print("\n\n{} passed, {} failed, {} skipped\n", passed, failed, skipped);
  return failed == 0 ? 0 : 1;
}
