// TODO(helper): elementwise_unary ops.
#include "ops/op_list.h"

namespace rankrt {

void append_elementwise_unary_ops(std::vector<OpSchema>& ops) {}

}  // namespace rankrt
