// The explicit list of IR ops (no static self-registration).
#include "ops/op_list.h"

#include <algorithm>

namespace rankrt {

namespace {

std::vector<OpSchema> build_op_list() {
  std::vector<OpSchema> ops;
  append_elementwise_unary_ops(ops);
  append_elementwise_binary_ops(ops);
  append_logic_ops(ops);
  append_activation_ops(ops);
  append_normalization_ops(ops);
  append_matmul_ops(ops);
  append_reduce_ops(ops);
  append_shape_ops(ops);
  append_data_movement_ops(ops);
  append_pad_ops(ops);
  append_generator_ops(ops);
  append_cast_ops(ops);
  append_dense_ops(ops);
  std::sort(ops.begin(), ops.end(), [](const OpSchema& a, const OpSchema& b) { return a.name < b.name; });
  return ops;
}

const std::vector<OpSchema>& op_list() {
  static const std::vector<OpSchema> ops = build_op_list();
  return ops;
}

}  // namespace

std::span<const OpSchema> all_ops() { return op_list(); }

const OpSchema* find_op(std::string_view name) {
  const auto& ops = op_list();
  auto it = std::lower_bound(ops.begin(), ops.end(), name,
                             [](const OpSchema& s, std::string_view n) { return s.name < n; });
  return it != ops.end() && it->name == name ? &*it : nullptr;
}

const ValueState& InferContext::input(size_t i) const {
  if (!has_input(i)) error(ErrorCode::kInvalidGraph, "input {} is required", i);
  return *inputs_[i];
}

}  // namespace rankrt
