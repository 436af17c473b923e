// TODO(helper): cast ops.
#include "ops/op_list.h"

namespace rankrt {

void append_cast_ops(std::vector<OpSchema>& ops) {}

}  // namespace rankrt
