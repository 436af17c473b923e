// TODO(helper): TensorFlow GraphDef importer.
#include "import/model_loader.h"

namespace rankrt {

Graph import_tf(const std::string& path) { fail(ErrorCode::kUnsupported, "{}: TF import not implemented", path); }

}  // namespace rankrt
