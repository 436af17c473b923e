// Launcher of the simple batched matrix product for MatMul of two activations.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "backends/cuda/kernels/kernels.h"

namespace rankrt::cuda {

// Batch dims of the output and, per operand, the element stride of each batch dim (0 = broadcast).
struct BatchIndex {
  int rank = 0;
  int64_t dims[kMaxRank] = {};
  int64_t a[kMaxRank] = {};
  int64_t b[kMaxRank] = {};
};

// out[batch, i, j] = sum_p a[batch, i, p] * b[batch, p, j] for row-major [m, k] · [k, n] matrices.
void launch_batched_matmul(const float* a, const float* b, float* out, int64_t batches, int64_t m, int64_t k,
                           int64_t n, const BatchIndex& index, cudaStream_t stream);

}  // namespace rankrt::cuda
