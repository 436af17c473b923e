// load_model: importer selection by extension and optional choice of the graph outputs.
#include "import/model_loader.h"

#include <filesystem>
#include <fstream>
#include <set>

#include "ops/shape_inference.h"

namespace rankrt {

namespace {

Graph import_by_extension(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) fail(ErrorCode::kIo, "{}: no such file", path);
  if (fs::is_directory(path, ec)) fail(ErrorCode::kIo, "{}: is a directory, expected a model file", path);
  const std::string ext = fs::path(path).extension().string();
  if (ext == ".onnx") return import_onnx(path);
  if (ext == ".pb" || ext == ".pbtxt" || ext == ".graphdef") return import_tf(path);
  fail(ErrorCode::kUsage, "{}: unknown model format (expected .onnx, .pb or .pbtxt)", path);
}

// Keeps only the nodes that contribute to the graph outputs.
void drop_unreachable_nodes(Graph& g) {
  std::set<std::string> needed;
  for (const ValueInfo& v : g.outputs) needed.insert(v.name);
  std::vector<Node> kept;
  for (auto it = g.nodes.rbegin(); it != g.nodes.rend(); ++it) {
    bool used = false;
    for (const std::string& out : it->outputs) used = used || needed.count(out);
    if (!used) continue;
    for (const std::string& in : it->inputs) needed.insert(in);
    kept.push_back(std::move(*it));
  }
  g.nodes.assign(std::make_move_iterator(kept.rbegin()), std::make_move_iterator(kept.rend()));
}

}  // namespace

Graph load_model(const std::string& path, const std::vector<std::string>& outputs) {
  Graph g = import_by_extension(path);
  if (outputs.empty()) return g;
  std::vector<ValueInfo> selected;
  for (const std::string& name : outputs) {
    auto it = g.value_info.find(name);
    if (it == g.value_info.end() || g.find_initializer(name))
      fail(ErrorCode::kData, "{}: the model has no output or intermediate value named '{}'", path, name);
    selected.push_back(it->second);
  }
  g.outputs = std::move(selected);
  drop_unreachable_nodes(g);
  infer_shapes(g);
  return g;
}

}  // namespace rankrt
