// The op interface: each IR op is a schema with a shape/dtype inference function and a naive
// reference kernel (the accuracy oracle). Kernels see float tensors in the executor's float
// storage type (float32 or float64) and every other dtype as declared.
#pragma once
#include <fmt/format.h>

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/tensor.h"
#include "ir/graph.h"

namespace rankrt {

// What is known about a value during inference.
struct ValueState {
  DType dtype = DType::kF32;
  Shape shape;
  bool rank_known = true;
  // The value, when known: an initializer, a Constant node's attribute, a pass-through of an
  // input's constant, or (in executors) the run-time value. Must outlive the inference.
  const Tensor* constant = nullptr;
  // For small 1-D int tensors that hold dimensions (Shape's output and what is computed from it):
  // the elements, which may be symbolic (bool values computed from them: 0 / 1).
  std::optional<Shape> shape_value;
};

class InferContext {
 public:
  InferContext(const Node& node, std::vector<const ValueState*> inputs, size_t num_outputs)
      : node_(node), inputs_(std::move(inputs)), outputs_(num_outputs) {}

  const Node& node() const { return node_; }
  size_t num_inputs() const { return inputs_.size(); }
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i] != nullptr; }
  const ValueState& input(size_t i) const;  // throws naming the node if absent
  // The constant value of input i, or nullptr when it is unknown at this point.
  const Tensor* constant(size_t i) const { return has_input(i) ? inputs_[i]->constant : nullptr; }
  size_t num_outputs() const { return outputs_.size(); }
  ValueState& output(size_t i) { return outputs_.at(i); }
  std::vector<ValueState>& outputs() { return outputs_; }

  template <typename... Args>
  [[noreturn]] void error(ErrorCode code, fmt::format_string<Args...> format, Args&&... args) const {
    fail(code, "node '{}' ({}): {}", node_.name, node_.op, fmt::format(format, std::forward<Args>(args)...));
  }

 private:
  const Node& node_;
  std::vector<const ValueState*> inputs_;
  std::vector<ValueState> outputs_;
};

struct ComputeContext {
  const Node& node;
  std::vector<const Tensor*> inputs;          // nullptr for omitted optional inputs
  std::vector<Tensor>& outputs;               // preallocated with inferred dims, in storage dtype
  std::vector<DType> declared_output_dtypes;  // IR dtypes (differ from storage for floats)
  DType float_type;                           // storage type of every float value: kF32 or kF64
};

struct OpSchema {
  std::string_view name;
  int min_inputs;
  int max_inputs;
  int min_outputs;
  int max_outputs;
  void (*infer)(InferContext&);
  void (*compute)(ComputeContext&);
};

const OpSchema* find_op(std::string_view name);
std::span<const OpSchema> all_ops();

// Storage dtype of a declared dtype in an executor whose float type is `float_type`.
inline DType storage_dtype(DType declared, DType float_type) {
  return is_float(declared) ? float_type : declared;
}

// Calls f.template operator()<T>() with T the C++ type of a storage dtype.
template <typename F>
decltype(auto) dispatch_storage(DType t, F&& f) {
  switch (t) {
    case DType::kF32:
      return f.template operator()<float>();
    case DType::kF64:
      return f.template operator()<double>();
    case DType::kI8:
      return f.template operator()<int8_t>();
    case DType::kU8:
      return f.template operator()<uint8_t>();
    case DType::kI32:
      return f.template operator()<int32_t>();
    case DType::kI64:
      return f.template operator()<int64_t>();
    case DType::kBool:
      return f.template operator()<bool>();
    default:
      fail(ErrorCode::kUnsupported, "dtype {} is not a storage dtype", dtype_name(t));
  }
}

// Same, for the float storage types only.
template <typename F>
decltype(auto) dispatch_float(DType t, F&& f) {
  switch (t) {
    case DType::kF32:
      return f.template operator()<float>();
    case DType::kF64:
      return f.template operator()<double>();
    default:
      fail(ErrorCode::kUnsupported, "expected a float tensor, got {}", dtype_name(t));
  }
}

}  // namespace rankrt
