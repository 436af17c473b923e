// TODO(helper): matmul ops.
#include "ops/op_list.h"

namespace rankrt {

void append_matmul_ops(std::vector<OpSchema>& ops) {}

}  // namespace rankrt
