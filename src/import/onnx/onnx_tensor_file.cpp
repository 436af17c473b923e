// Reads a serialized ONNX TensorProto file into a tensor.
#include "import/onnx/onnx_tensor_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "import/onnx/onnx_convert.h"

namespace rankrt {

NamedTensor read_onnx_tensor_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail(ErrorCode::kIo, "{}: no such file", path);
  std::ifstream file(path, std::ios::binary);
  if (!file) fail(ErrorCode::kIo, "{}: cannot open for reading", path);
  std::ostringstream bytes;
  bytes << file.rdbuf();
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes.str()))
    fail(ErrorCode::kParse, "{}: not a valid ONNX TensorProto (truncated or corrupt file)", path);
  try {
    return NamedTensor{proto.name(), onnx_import::tensor_from_onnx(proto)};
  } catch (const Error& e) {
    throw Error(e.code(), fmt::format("{}: {}", path, e.what()));
  }
}

}  // namespace rankrt
