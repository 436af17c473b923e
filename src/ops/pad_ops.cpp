// Pad (ONNX opsets 2..21 in their latest form: pads, constant_value and axes inputs; the importer
// turns opset 2's pads / value attributes into inputs): modes constant, edge, reflect and wrap;
// negative pads crop. Output dims keep the symbol of an axis padded by 0 in total.
#include <algorithm>
#include <cstring>

#include "ops/op_list.h"
#include "ops/pad.h"
#include "ops/shape_helpers.h"

namespace rankrt {

PadMode pad_mode(const Node& n) {
  const std::string mode = n.attr_string("mode", "constant");
  if (mode == "constant") return PadMode::kConstant;
  if (mode == "edge") return PadMode::kEdge;
  if (mode == "reflect") return PadMode::kReflect;
  if (mode == "wrap") return PadMode::kWrap;
  fail(ErrorCode::kUnsupported, "node '{}' ({}): mode '{}' is not one of constant, edge, reflect, wrap",
       n.name, n.op, mode);
}

PadAmounts pad_amounts(const Node& n, const std::vector<int64_t>& pads,
                       const std::optional<std::vector<int64_t>>& axes, int64_t rank) {
  std::vector<int64_t> padded;
  if (axes) {
    for (int64_t a : *axes) {
      if (a < -rank || a >= rank)
        fail(ErrorCode::kShape, "node '{}' ({}): axis {} is out of range for rank {}", n.name, n.op, a, rank);
      const int64_t axis = a < 0 ? a + rank : a;
      if (std::find(padded.begin(), padded.end(), axis) != padded.end())
        fail(ErrorCode::kShape, "node '{}' ({}): axis {} is repeated", n.name, n.op, a);
      padded.push_back(axis);
    }
  } else {
    for (int64_t a = 0; a < rank; ++a) padded.push_back(a);
  }
  if (pads.size() != 2 * padded.size())
    fail(ErrorCode::kShape, "node '{}' ({}): pads {} has {} entries, expected {} (2 per padded axis)", n.name,
         n.op, dims_to_string(pads), pads.size(), 2 * padded.size());
  PadAmounts p{std::vector<int64_t>(size_t(rank), 0), std::vector<int64_t>(size_t(rank), 0)};
  for (size_t i = 0; i < padded.size(); ++i) {
    p.begin[size_t(padded[i])] = pads[i];
    p.end[size_t(padded[i])] = pads[i + padded.size()];
  }
  return p;
}

namespace {

void infer_pad(InferContext& ctx) {
  const ValueState& x = ctx.input(0);
  const PadMode mode = pad_mode(ctx.node());
  require_integer_input(ctx, 1, "pads");
  require_integer_input(ctx, 3, "axes");
  if (ctx.has_input(2)) {
    const ValueState& v = ctx.input(2);
    if (v.dtype != x.dtype)
      ctx.error(ErrorCode::kShape, "constant_value has dtype {} but the data has {}", dtype_name(v.dtype),
                dtype_name(x.dtype));
    const std::optional<std::vector<int64_t>> dims = v.rank_known ? concrete_dims(v.shape) : std::nullopt;
    if (dims && num_elements(*dims) != 1)
      ctx.error(ErrorCode::kShape, "constant_value must hold one element, got shape {}",
                dims_to_string(*dims));
  }
  ValueState& out = ctx.output(0);
  out.dtype = x.dtype;
  const std::optional<std::vector<int64_t>> pads = known_ints(ctx, 1);
  const std::optional<std::vector<int64_t>> axes = ctx.has_input(3) ? known_ints(ctx, 3) : std::nullopt;
  if (!x.rank_known) {
    if (pads && !ctx.has_input(3)) {
      out.shape = Shape(pads->size() / 2);
    } else {
      out.rank_known = false;
    }
    return;
  }
  const int64_t rank = int64_t(x.shape.size());
  out.shape = x.shape;
  if (!pads || (ctx.has_input(3) && !axes)) {  // the padded axes (or all) get unknown sizes
    if (!axes) {
      out.shape = Shape(size_t(rank));
      return;
    }
    for (int64_t a : normalize_axes(ctx, *axes, rank)) out.shape[size_t(a)] = Dim();
    return;
  }
  const PadAmounts p = pad_amounts(ctx.node(), *pads, axes, rank);
  for (size_t d = 0; d < size_t(rank); ++d) {
    Dim& dim = out.shape[d];
    const int64_t total = p.begin[d] + p.end[d];
    if (!dim.is_known()) {
      if (total != 0) dim = Dim();
      continue;
    }
    if (mode != PadMode::kConstant && dim.value == 0 && (p.begin[d] > 0 || p.end[d] > 0))
      ctx.error(ErrorCode::kShape, "mode '{}' cannot pad the empty axis {}",
                ctx.node().attr_string("mode", ""), d);
    if (dim.value + total < 0)
      ctx.error(ErrorCode::kShape, "pads {} remove more than the {} elements of axis {}",
                dims_to_string(*pads), dim.value, d);
    dim = Dim(dim.value + total);
  }
}

void compute_pad(ComputeContext& ctx) {
  const Tensor& in = *ctx.inputs[0];
  Tensor& out = ctx.outputs[0];
  const PadMode mode = pad_mode(ctx.node);
  std::optional<std::vector<int64_t>> axes;
  if (ctx.inputs.size() > 3 && ctx.inputs[3]) axes = ctx.inputs[3]->to_int64_vector();
  const PadAmounts p = pad_amounts(ctx.node, ctx.inputs[1]->to_int64_vector(), axes, in.rank());
  const size_t esize = dtype_size(out.dtype());
  std::vector<std::byte> value(esize);  // zero unless constant_value is given
  if (ctx.inputs.size() > 2 && ctx.inputs[2] && ctx.inputs[2]->numel() > 0)
    std::memcpy(value.data(), ctx.inputs[2]->raw(), esize);
  const std::vector<int64_t> strides = row_major_strides(in.dims());
  const size_t rank = size_t(in.rank());
  std::vector<int64_t> idx(rank, 0);
  const auto* src = static_cast<const std::byte*>(in.raw());
  auto* dst = static_cast<std::byte*>(out.raw());
  for (int64_t o = 0; o < out.numel(); ++o) {
    const std::byte* from = src;
    for (size_t d = 0; d < rank && from; ++d) {
      const int64_t s = pad_source(mode, idx[d], p.begin[d], in.dims()[d]);
      from = s < 0 ? nullptr : from + s * strides[d] * int64_t(esize);
    }
    std::memcpy(dst + o * int64_t(esize), from ? from : value.data(), esize);
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < out.dims()[d]) break;
      idx[d] = 0;
    }
  }
}

}  // namespace

void append_pad_ops(std::vector<OpSchema>& ops) {
  ops.push_back({"Pad", 2, 4, 1, 1, infer_pad, compute_pad});
}

}  // namespace rankrt
