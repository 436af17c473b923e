// TODO(helper): ONNX importer.
#include "import/model_loader.h"

namespace rankrt {

Graph import_onnx(const std::string& path) { fail(ErrorCode::kUnsupported, "{}: ONNX import not implemented", path); }

}  // namespace rankrt
