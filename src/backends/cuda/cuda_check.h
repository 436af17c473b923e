// Checks CUDA runtime and cuBLASLt return codes; a failure throws naming the call and the layer.
#pragma once
#include <cublasLt.h>
#include <cuda_runtime.h>

#include <string>

#include "core/error.h"

namespace rankrt::cuda {

inline void check(cudaError_t status, const char* call, const std::string& layer) {
  if (status == cudaSuccess) return;
  cudaGetLastError();  // a non-sticky error must not resurface at the next launch check
  fail(ErrorCode::kRuntime, "CUDA call {} failed{}: {} ({})", call,
       layer.empty() ? "" : " in layer '" + layer + "'", cudaGetErrorString(status), int(status));
}

inline void check(cublasStatus_t status, const char* call, const std::string& layer) {
  if (status != CUBLAS_STATUS_SUCCESS)
    fail(ErrorCode::kRuntime, "cuBLASLt call {} failed{}: {} ({})", call,
         layer.empty() ? "" : " in layer '" + layer + "'", cublasLtGetStatusString(status), int(status));
}

// Number of usable CUDA devices (0 when there is no driver or no device).
int device_count();

}  // namespace rankrt::cuda

// Evaluates a CUDA / cuBLASLt call and throws on failure, naming the call text and the layer.
#define RANKRT_CUDA_CHECK(call, layer) ::rankrt::cuda::check((call), #call, (layer))
// After a kernel launch: checks the launch error.
#define RANKRT_CUDA_CHECK_LAUNCH(layer) ::rankrt::cuda::check(cudaGetLastError(), "kernel launch", (layer))
