// Launchers of the row-reduction kernels: ReduceSum/Mean/Max, Softmax and LayerNormalization.
// Tensors are float32 viewed as [outer, axis, inner]; one block reduces one (outer, inner) line.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace rankrt::cuda {

enum class ReduceOp : int { kSum, kMean, kMax };

// out[o, i] = reduce over a of in[o, a, i].
void launch_reduce(ReduceOp op, const float* in, float* out, int64_t outer, int64_t axis, int64_t inner,
                   cudaStream_t stream);
// out[o, :, i] = softmax over a of in[o, a, i].
void launch_softmax(const float* in, float* out, int64_t outer, int64_t axis, int64_t inner,
                    cudaStream_t stream);
// out[r, c] = (in[r, c] - mean_r) / sqrt(var_r + epsilon) * scale[c] + bias[c] (bias may be null).
void launch_layer_norm(const float* in, const float* scale, const float* bias, float* out, int64_t rows,
                       int64_t cols, float epsilon, cudaStream_t stream);

}  // namespace rankrt::cuda
