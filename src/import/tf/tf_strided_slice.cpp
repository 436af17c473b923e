// TensorFlow StridedSlice -> Slice, then Squeeze for shrink_axis_mask, then Unsqueeze for
// new_axis_mask. Constant begin/end/strides, no ellipsis_mask.
#include <limits>

#include "import/tf/tf_op_conversion.h"

namespace rankrt {

namespace {

constexpr int64_t kMaxIndex = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinIndex = std::numeric_limits<int64_t>::min();

struct SlicePlan {
  std::vector<int64_t> starts, ends, axes, steps;  // Slice inputs
  std::vector<int64_t> squeeze_axes;               // input axes removed by shrink_axis_mask
  std::vector<int64_t> new_axes;                   // output axes added by new_axis_mask
};

SlicePlan plan_slice(const TfNode& n) {
  const std::vector<int64_t> begin = n.const_input(1, "begin").to_int64_vector();
  const std::vector<int64_t> end = n.const_input(2, "end").to_int64_vector();
  const std::vector<int64_t> strides = n.const_input(3, "strides").to_int64_vector();
  if (begin.size() != end.size() || begin.size() != strides.size())
    n.fail(ErrorCode::kShape, "begin, end and strides have different lengths ({}, {}, {})", begin.size(),
           end.size(), strides.size());
  if (n.attr_int("ellipsis_mask", 0) != 0) n.fail(ErrorCode::kUnsupported, "unsupported ellipsis_mask");
  const int64_t begin_mask = n.attr_int("begin_mask", 0), end_mask = n.attr_int("end_mask", 0);
  const int64_t new_axis_mask = n.attr_int("new_axis_mask", 0),
                shrink_mask = n.attr_int("shrink_axis_mask", 0);
  if (begin.size() < 64 && ((begin_mask | end_mask | new_axis_mask | shrink_mask) >> begin.size()) != 0)
    n.fail(ErrorCode::kUnsupported, "mask bits beyond the {} slice dimensions", begin.size());

  SlicePlan plan;
  int64_t in_axis = 0, out_axis = 0;
  for (size_t i = 0; i < begin.size(); ++i) {
    const int64_t bit = int64_t(1) << i;
    if (new_axis_mask & bit) {
      plan.new_axes.push_back(out_axis++);
      continue;
    }
    if (shrink_mask & bit) {
      const int64_t b = begin[i];
      plan.starts.push_back(b);
      plan.ends.push_back(b == -1 ? kMaxIndex : b + 1);
      plan.steps.push_back(1);
      plan.axes.push_back(in_axis);
      plan.squeeze_axes.push_back(in_axis++);
      continue;
    }
    const int64_t stride = strides[i];
    if (stride == 0) n.fail(ErrorCode::kShape, "stride {} is zero", i);
    plan.starts.push_back((begin_mask & bit) ? (stride > 0 ? 0 : kMaxIndex) : begin[i]);
    plan.ends.push_back((end_mask & bit) ? (stride > 0 ? kMaxIndex : kMinIndex) : end[i]);
    plan.steps.push_back(stride);
    plan.axes.push_back(in_axis++);
    ++out_axis;
  }
  return plan;
}

}  // namespace

void convert_strided_slice(TfNode& n) {
  const SlicePlan plan = plan_slice(n);
  // The last emitted step takes the TF node's name; earlier ones are helpers.
  const bool squeeze = !plan.squeeze_axes.empty(), unsqueeze = !plan.new_axes.empty();
  std::string value = n.input(0);
  if (!plan.axes.empty()) {
    std::vector<std::string> inputs = {value, n.add_int64s("starts", plan.starts),
                                       n.add_int64s("ends", plan.ends), n.add_int64s("axes", plan.axes),
                                       n.add_int64s("steps", plan.steps)};
    if (!squeeze && !unsqueeze) return n.emit("Slice", inputs);
    value = n.emit_helper("slice", "Slice", inputs);
  }
  if (squeeze) {
    std::vector<std::string> inputs = {value, n.add_int64s("squeeze_axes", plan.squeeze_axes)};
    if (!unsqueeze) return n.emit("Squeeze", inputs);
    value = n.emit_helper("squeeze", "Squeeze", inputs);
  }
  if (unsqueeze) return n.emit("Unsqueeze", {value, n.add_int64s("new_axes", plan.new_axes)});
  n.emit("Identity", {value});
}

}  // namespace rankrt
