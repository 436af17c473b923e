// Conversions between float32 activations and float16 / bfloat16 tensors.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "backends/cuda/kernels/kernels.h"

namespace rankrt::cuda {

namespace {

__global__ void cast_kernel(CastKind kind, const void* in, void* out, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    switch (kind) {
      case CastKind::kHalfToFloat:
        static_cast<float*>(out)[i] = __half2float(static_cast<const __half*>(in)[i]);
        break;
      case CastKind::kBf16ToFloat:
        static_cast<float*>(out)[i] = __bfloat162float(static_cast<const __nv_bfloat16*>(in)[i]);
        break;
      case CastKind::kFloatToHalf:
        static_cast<__half*>(out)[i] = __float2half_rn(static_cast<const float*>(in)[i]);
        break;
      case CastKind::kFloatToBf16:
        static_cast<__nv_bfloat16*>(out)[i] = __float2bfloat16_rn(static_cast<const float*>(in)[i]);
        break;
    }
  }
}

}  // namespace

void launch_cast(CastKind kind, const void* in, void* out, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  const int64_t blocks = (n + 255) / 256;
  cast_kernel<<<int(blocks < 4096 ? blocks : 4096), 256, 0, stream>>>(kind, in, out, n);
}

}  // namespace rankrt::cuda
