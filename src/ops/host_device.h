// RANKRT_HOST_DEVICE: marks the small inline helpers of src/ops that the CUDA kernels share with
// the host code (Pad's index arithmetic, Dense post-ops).
#pragma once

#if defined(__CUDACC__)
#define RANKRT_HOST_DEVICE __host__ __device__
#else
#define RANKRT_HOST_DEVICE
#endif
