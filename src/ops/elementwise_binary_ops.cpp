// TODO(helper): elementwise_binary ops.
#include "ops/op_list.h"

namespace rankrt {

void append_elementwise_binary_ops(std::vector<OpSchema>& ops) {}

}  // namespace rankrt
