// TODO(helper): data_movement ops.
#include "ops/op_list.h"

namespace rankrt {

void append_data_movement_ops(std::vector<OpSchema>& ops) {}

}  // namespace rankrt
