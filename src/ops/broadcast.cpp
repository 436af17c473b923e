// Broadcast shape inference and strides.
#include "ops/broadcast.h"

namespace rankrt {

Shape broadcast_shapes(const InferContext& ctx, const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const Dim da = i < rank - a.size() ? Dim(1) : a[i - (rank - a.size())];
    const Dim db = i < rank - b.size() ? Dim(1) : b[i - (rank - b.size())];
    if (da == db || db == Dim(1)) {
      out[i] = da;
    } else if (da == Dim(1)) {
      out[i] = db;
    } else if (da.is_known() && db.is_known()) {
      ctx.error(ErrorCode::kShape, "shapes {} and {} do not broadcast", shape_to_string(a),
                shape_to_string(b));
    } else {
      out[i] = da.is_known() ? da : db;  // a symbol must equal the other side's size (or be 1)
    }
  }
  return out;
}

std::vector<int64_t> broadcast_strides(const std::vector<int64_t>& in_dims,
                                       const std::vector<int64_t>& out_dims) {
  const size_t rank = out_dims.size(), pad = rank - in_dims.size();
  std::vector<int64_t> strides(rank, 0);
  int64_t s = 1;
  for (size_t d = in_dims.size(); d-- > 0;) {
    strides[d + pad] = in_dims[d] == 1 ? 0 : s;
    s *= in_dims[d];
  }
  return strides;
}

}  // namespace rankrt
