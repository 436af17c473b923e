// TODO(helper): activation ops.
#include "ops/op_list.h"

namespace rankrt {

void append_activation_ops(std::vector<OpSchema>& ops) {}

}  // namespace rankrt
