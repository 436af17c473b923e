// load_model: importer selection by extension, then content sniffing.
#include "import/model_loader.h"

#include <filesystem>
#include <fstream>

namespace rankrt {

Graph load_model(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) fail(ErrorCode::kIo, "{}: no such file", path);
  if (fs::is_directory(path, ec)) fail(ErrorCode::kIo, "{}: is a directory, expected a model file", path);
  const std::string ext = fs::path(path).extension().string();
  if (ext == ".onnx") return import_onnx(path);
  if (ext == ".pb" || ext == ".pbtxt" || ext == ".graphdef") return import_tf(path);
  fail(ErrorCode::kUsage, "{}: unknown model format (expected .onnx, .pb or .pbtxt)", path);
}

}  // namespace rankrt
