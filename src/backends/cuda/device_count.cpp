// device_count: how many CUDA devices this process can use (0 without driver or GPU).
#include "backends/cuda/cuda_check.h"

namespace rankrt::cuda {

int device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no device" error
    return 0;
  }
  return count;
}

}  // namespace rankrt::cuda
