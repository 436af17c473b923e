// TODO(helper): normalization ops.
#include "ops/op_list.h"

namespace rankrt {

void append_normalization_ops(std::vector<OpSchema>& ops) {}

}  // namespace rankrt
