// The GEMM algorithms a CUDA engine chose for one Dense layer, one per row count: what an engine
// plan stores so that a loaded engine runs exactly the algorithms it was built with.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace rankrt {

struct GemmAlgorithms {
  std::string layer;      // node name
  std::string precision;  // fp32 | tf32 | fp16 | bf16
  int64_t k = 0, m = 0;   // X[rows,k] · W[k,m]
  // cublasLtMatmulAlgo_t (64 opaque bytes) for rows = 1..algorithms.size().
  std::vector<std::array<uint64_t, 8>> algorithms;

  bool operator==(const GemmAlgorithms&) const = default;
};

}  // namespace rankrt
