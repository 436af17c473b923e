// Batched matrix product with broadcast batch dims: one thread per output element.
#include "backends/cuda/kernels/batched_matmul.h"
#include "backends/cuda/kernels/launch_util.h"

namespace rankrt::cuda {

namespace {

__global__ void batched_matmul_kernel(const float* a, const float* b, float* out, int64_t total, int64_t m,
                                      int64_t k, int64_t n, BatchIndex ix) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t col = i % n, row = (i / n) % m;
    int64_t rest = i / (m * n), oa = 0, ob = 0;
    for (int d = ix.rank - 1; d >= 0; --d) {
      const int64_t q = rest / ix.dims[d], coord = rest - q * ix.dims[d];
      oa += coord * ix.a[d];
      ob += coord * ix.b[d];
      rest = q;
    }
    const float* pa = a + oa + row * k;
    const float* pb = b + ob + col;
    float acc = 0.0f;
    for (int64_t p = 0; p < k; ++p) acc = fmaf(pa[p], pb[p * n], acc);
    out[i] = acc;
  }
}

}  // namespace

void launch_batched_matmul(const float* a, const float* b, float* out, int64_t batches, int64_t m, int64_t k,
                           int64_t n, const BatchIndex& index, cudaStream_t stream) {
  const int64_t total = batches * m * n;
  if (total == 0) return;
  batched_matmul_kernel<<<grid_blocks(total, 256), 256, 0, stream>>>(a, b, out, total, m, k, n, index);
}

}  // namespace rankrt::cuda
