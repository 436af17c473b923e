// NumPy-style (multidirectional) broadcasting: shape inference and index mapping.
#pragma once
#include <vector>

#include "ops/op_schema.h"

namespace rankrt {

// Broadcast result of two (possibly symbolic) shapes; errors name the node via ctx.
Shape broadcast_shapes(const InferContext& ctx, const Shape& a, const Shape& b);

// Element strides of `in_dims` viewed in `out_dims` (right-aligned, 0 where broadcast).
std::vector<int64_t> broadcast_strides(const std::vector<int64_t>& in_dims,
                                       const std::vector<int64_t>& out_dims);

// Walks the output elements in row-major order, yielding for each the input offsets.
// f(out_index, offsets...) is called once per output element.
template <size_t K, typename F>
void for_each_broadcast(const std::vector<int64_t>& out_dims, const std::vector<int64_t> (&strides)[K],
                        F&& f) {
  const size_t rank = out_dims.size();
  const int64_t total = num_elements(out_dims);
  std::vector<int64_t> idx(rank, 0);
  int64_t off[K] = {};
  for (int64_t o = 0; o < total; ++o) {
    f(o, off);
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < out_dims[d]) {
        for (size_t k = 0; k < K; ++k) off[k] += strides[k][d];
        break;
      }
      for (size_t k = 0; k < K; ++k) off[k] -= strides[k][d] * (out_dims[d] - 1);
      idx[d] = 0;
    }
  }
}

}  // namespace rankrt
