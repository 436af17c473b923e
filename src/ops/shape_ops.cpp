// TODO(helper): shape ops.
#include "ops/op_list.h"

namespace rankrt {

void append_shape_ops(std::vector<OpSchema>& ops) {}

}  // namespace rankrt
