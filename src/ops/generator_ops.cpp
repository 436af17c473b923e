// TODO(helper): generator ops.
#include "ops/op_list.h"

namespace rankrt {

void append_generator_ops(std::vector<OpSchema>& ops) {}

}  // namespace rankrt
