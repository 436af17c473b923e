// Grid sizing shared by rankrt's CUDA kernels (grid-stride loops over at most 4096 blocks).
#pragma once
#include <cstdint>

namespace rankrt::cuda {

inline int grid_blocks(int64_t n, int threads) {
  const int64_t blocks = (n + threads - 1) / threads;
  return int(blocks < 4096 ? (blocks > 0 ? blocks : 1) : 4096);
}

}  // namespace rankrt::cuda
