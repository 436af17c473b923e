// TODO(helper): reduce ops.
#include "ops/op_list.h"

namespace rankrt {

void append_reduce_ops(std::vector<OpSchema>& ops) {}

}  // namespace rankrt
