// TODO(helper): logic ops.
#include "ops/op_list.h"

namespace rankrt {

void append_logic_ops(std::vector<OpSchema>& ops) {}

}  // namespace rankrt
