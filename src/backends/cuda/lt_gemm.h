// Row-major dense GEMM Y[rows,M] = X[rows,K] · W[K,M] through cuBLASLt, with the algorithm chosen
// at build time for every row count of the shape profile. Y is float32, or int32 for int8.
#pragma once
#include <cublasLt.h>

#include <string>
#include <vector>

namespace rankrt::cuda {

// kInt8 / kFp8: X and W quantized (int8, E4M3), W stored transposed ([M, K], cuBLASLt's "TN" form
// these kernels need); kTf32x3: float32 operands split hi/lo (kernels/gemm_operands.h) and given
// as one TF32 GEMM over 3K.
enum class GemmPrecision { kFp32, kTf32, kFp16, kBf16, kInt8, kFp8, kTf32x3 };

const char* precision_name(GemmPrecision p);
// Element size of X and W for a precision (4 for fp32/tf32/tf32x3, 2 for fp16/bf16, 1 for int8/fp8).
size_t operand_bytes(GemmPrecision p);
// Whether W is stored transposed, [M, K] (int8 and fp8).
bool weight_transposed(GemmPrecision p);

constexpr size_t kGemmWorkspaceBytes = 4u << 20;

class LtGemm {
 public:
  // Queries cuBLASLt's heuristic for rows = 1..max_rows. Throws naming the layer if cuBLASLt
  // has no algorithm for a shape. `tune`: also time cuBLASLt's top candidates and their
  // split-K forms at each power-of-two row bucket (and max_rows) on the current device, and use the fastest
  // for every row count of that bucket that it supports. `epilogue`: cuBLASLt's fused epilogue (DEFAULT,
  // BIAS, RELU or RELU_BIAS; the bias is a float32 vector of m, passed to run()).
  LtGemm(cublasLtHandle_t handle, int64_t k, int64_t m, int64_t max_rows, GemmPrecision precision,
         std::string layer, cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_DEFAULT, bool tune = false);
  // Uses algorithms chosen earlier (an engine plan's): algorithms[rows - 1] for rows = 1..size().
  LtGemm(int64_t k, int64_t m, GemmPrecision precision, std::string layer,
         std::vector<cublasLtMatmulAlgo_t> algorithms,
         cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_DEFAULT);

  // Enqueues the product on `stream`. Thread-safe: all mutable state lives on the stack.
  void run(cublasLtHandle_t handle, const void* x, const void* w, void* y, int64_t rows, void* workspace,
           cudaStream_t stream, const float* bias = nullptr) const;

  int64_t k() const { return k_; }
  int64_t m() const { return m_; }
  GemmPrecision precision() const { return precision_; }
  const std::string& layer() const { return layer_; }
  const std::vector<cublasLtMatmulAlgo_t>& algorithms() const { return algos_; }

 private:
  int64_t k_, m_, max_rows_;
  GemmPrecision precision_;
  std::string layer_;
  std::vector<cublasLtMatmulAlgo_t> algos_;  // index rows - 1
  cublasLtEpilogue_t epilogue_;

  // Replaces algos_ per row bucket by the fastest timed candidate.
  void tune(cublasLtHandle_t handle, cublasLtMatmulPreferenceOpaque_t& pref);
};

}  // namespace rankrt::cuda
