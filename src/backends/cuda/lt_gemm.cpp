// cuBLASLt GEMM: row-major Y = X·W computed as column-major Yᵀ = Wᵀ·Xᵀ (no transposes needed).
#include "backends/cuda/lt_gemm.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "backends/cuda/cuda_check.h"
#include "backends/cuda/device_buffer.h"

namespace rankrt::cuda {

namespace {

struct Types {
  cudaDataType_t operand;
  cublasComputeType_t compute;
  cudaDataType_t scale = CUDA_R_32F;   // alpha, beta
  cudaDataType_t output = CUDA_R_32F;  // C and D
};

Types types_of(GemmPrecision p) {
  switch (p) {
    case GemmPrecision::kFp32:
      return {CUDA_R_32F, CUBLAS_COMPUTE_32F};  // no TF32 in cuBLASLt
    case GemmPrecision::kTf32:
    case GemmPrecision::kTf32x3:
      return {CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32};
    case GemmPrecision::kFp16:
      return {CUDA_R_16F, CUBLAS_COMPUTE_32F};
    case GemmPrecision::kBf16:
      return {CUDA_R_16BF, CUBLAS_COMPUTE_32F};
    case GemmPrecision::kInt8:
      return {CUDA_R_8I, CUBLAS_COMPUTE_32I, CUDA_R_32I, CUDA_R_32I};
    case GemmPrecision::kFp8:
      return {CUDA_R_8F_E4M3, CUBLAS_COMPUTE_32F};
  }
  return {CUDA_R_32F, CUBLAS_COMPUTE_32F};
}

// alpha = 1, beta = 0 in the precision's scale type.
struct Scalars {
  explicit Scalars(GemmPrecision p) : integer(types_of(p).scale == CUDA_R_32I) {}
  const void* alpha() const { return integer ? static_cast<const void*>(&i_one) : &f_one; }
  const void* beta() const { return integer ? static_cast<const void*>(&i_zero) : &f_zero; }
  bool integer;
  float f_one = 1.0f, f_zero = 0.0f;
  int32_t i_one = 1, i_zero = 0;
};

// Descriptors built on the stack (cublasLt*Init): no allocation on the request path.
struct Descriptors {
  cublasLtMatmulDescOpaque_t op;
  cublasLtMatrixLayoutOpaque_t a, b, c;
};

void init_descriptors(Descriptors& d, GemmPrecision p, int64_t k, int64_t m, int64_t rows,
                      const std::string& layer, cublasLtEpilogue_t epilogue) {
  const Types t = types_of(p);
  RANKRT_CUDA_CHECK(cublasLtMatmulDescInit(&d.op, t.compute, t.scale), layer);
  if (weight_transposed(p)) {
    const cublasOperation_t trans = CUBLAS_OP_T;
    RANKRT_CUDA_CHECK(
        cublasLtMatmulDescSetAttribute(&d.op, CUBLASLT_MATMUL_DESC_TRANSA, &trans, sizeof trans), layer);
  }
  if (epilogue != CUBLASLT_EPILOGUE_DEFAULT) {
    RANKRT_CUDA_CHECK(
        cublasLtMatmulDescSetAttribute(&d.op, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof epilogue),
        layer);
    const cudaDataType_t bias_type = CUDA_R_32F;
    RANKRT_CUDA_CHECK(cublasLtMatmulDescSetAttribute(&d.op, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &bias_type,
                                                     sizeof bias_type),
                      layer);
  }
  if (weight_transposed(p))  // W stored [M, K]: column-major K x M, transposed by the op
    RANKRT_CUDA_CHECK(cublasLtMatrixLayoutInit(&d.a, t.operand, uint64_t(k), uint64_t(m), k), layer);
  else  // W stored [K, M]: column-major M x K = Wᵀ
    RANKRT_CUDA_CHECK(cublasLtMatrixLayoutInit(&d.a, t.operand, uint64_t(m), uint64_t(k), m), layer);
  RANKRT_CUDA_CHECK(cublasLtMatrixLayoutInit(&d.b, t.operand, uint64_t(k), uint64_t(rows), k), layer);  // Xᵀ
  RANKRT_CUDA_CHECK(cublasLtMatrixLayoutInit(&d.c, t.output, uint64_t(m), uint64_t(rows), m), layer);  // Yᵀ
}

}  // namespace

const char* precision_name(GemmPrecision p) {
  switch (p) {
    case GemmPrecision::kFp32:
      return "fp32";
    case GemmPrecision::kTf32:
      return "tf32";
    case GemmPrecision::kFp16:
      return "fp16";
    case GemmPrecision::kBf16:
      return "bf16";
    case GemmPrecision::kInt8:
      return "int8";
    case GemmPrecision::kFp8:
      return "fp8";
    case GemmPrecision::kTf32x3:
      return "tf32x3";
  }
  return "?";
}

size_t operand_bytes(GemmPrecision p) {
  if (p == GemmPrecision::kFp16 || p == GemmPrecision::kBf16) return 2;
  return weight_transposed(p) ? 1 : 4;
}

bool weight_transposed(GemmPrecision p) { return p == GemmPrecision::kInt8 || p == GemmPrecision::kFp8; }

LtGemm::LtGemm(cublasLtHandle_t handle, int64_t k, int64_t m, int64_t max_rows, GemmPrecision precision,
               std::string layer, cublasLtEpilogue_t epilogue, bool tune)
    : k_(k),
      m_(m),
      max_rows_(max_rows),
      precision_(precision),
      layer_(std::move(layer)),
      epilogue_(epilogue) {
  cublasLtMatmulPreferenceOpaque_t pref;
  RANKRT_CUDA_CHECK(cublasLtMatmulPreferenceInit(&pref), layer_);
  const uint64_t ws = kGemmWorkspaceBytes;
  RANKRT_CUDA_CHECK(
      cublasLtMatmulPreferenceSetAttribute(&pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws),
      layer_);
  algos_.resize(size_t(max_rows));
  for (int64_t rows = 1; rows <= max_rows; ++rows) {
    Descriptors d;
    init_descriptors(d, precision_, k_, m_, rows, layer_, epilogue_);
    cublasLtMatmulHeuristicResult_t result{};
    int found = 0;
    RANKRT_CUDA_CHECK(
        cublasLtMatmulAlgoGetHeuristic(handle, &d.op, &d.a, &d.b, &d.c, &d.c, &pref, 1, &result, &found),
        layer_);
    if (found == 0)
      fail(ErrorCode::kUnsupported, "cuBLASLt has no {} algorithm for layer '{}' ({}x{} · {}x{})",
           precision_name(precision_), layer_, rows, k_, k_, m_);
    algos_[size_t(rows - 1)] = result.algo;
  }
  if (tune) this->tune(handle, pref);
}

namespace {

// `algo` itself, plus its split-K forms (2..16 slices of K summed in float32) where it supports
// them: small-row products otherwise leave most SMs idle.
void add_split_k_variants(const cublasLtMatmulAlgo_t& algo, std::vector<cublasLtMatmulAlgo_t>& out) {
  out.push_back(algo);
  int32_t split_support = 0;
  uint32_t schemes = 0;
  size_t written = 0;
  if (cublasLtMatmulAlgoCapGetAttribute(&algo, CUBLASLT_ALGO_CAP_SPLITK_SUPPORT, &split_support,
                                        sizeof split_support, &written) != CUBLAS_STATUS_SUCCESS ||
      !split_support ||
      cublasLtMatmulAlgoCapGetAttribute(&algo, CUBLASLT_ALGO_CAP_REDUCTION_SCHEME_MASK, &schemes,
                                        sizeof schemes, &written) != CUBLAS_STATUS_SUCCESS)
    return;
  uint32_t scheme = 0;
  for (uint32_t s :
       {uint32_t(CUBLASLT_REDUCTION_SCHEME_INPLACE), uint32_t(CUBLASLT_REDUCTION_SCHEME_COMPUTE_TYPE),
        uint32_t(CUBLASLT_REDUCTION_SCHEME_OUTPUT_TYPE)})
    if (schemes & s) {
      scheme = s;
      break;
    }
  if (!scheme) return;
  for (int32_t splits : {2, 4, 8, 16}) {
    cublasLtMatmulAlgo_t variant = algo;
    if (cublasLtMatmulAlgoConfigSetAttribute(&variant, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, &splits,
                                             sizeof splits) == CUBLAS_STATUS_SUCCESS &&
        cublasLtMatmulAlgoConfigSetAttribute(&variant, CUBLASLT_ALGO_CONFIG_REDUCTION_SCHEME, &scheme,
                                             sizeof scheme) == CUBLAS_STATUS_SUCCESS)
      out.push_back(variant);
  }
}

}  // namespace

void LtGemm::tune(cublasLtHandle_t handle, cublasLtMatmulPreferenceOpaque_t& pref) {
  constexpr int kCandidates = 8, kWarmup = 2, kTimed = 10;
  const size_t op = operand_bytes(precision_);
  // Operands with arbitrary finite contents (the timing of these kernels does not depend on values).
  DeviceBuffer x(size_t(max_rows_ * k_) * op, layer_), w(size_t(k_ * m_) * op, layer_),
      y(size_t(max_rows_ * m_) * sizeof(float), layer_), bias(size_t(m_) * sizeof(float), layer_),
      workspace(kGemmWorkspaceBytes, layer_);
  for (const DeviceBuffer* b : {&x, &w, &y, &bias})
    RANKRT_CUDA_CHECK(cudaMemset(b->get(), 0x3c, b->bytes()), layer_);
  cudaStream_t stream = nullptr;
  cudaEvent_t start = nullptr, stop = nullptr;
  RANKRT_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), layer_);
  const std::unique_ptr<CUstream_st, decltype(&cudaStreamDestroy)> stream_owner(stream, cudaStreamDestroy);
  RANKRT_CUDA_CHECK(cudaEventCreate(&start), layer_);
  const std::unique_ptr<CUevent_st, decltype(&cudaEventDestroy)> start_owner(start, cudaEventDestroy);
  RANKRT_CUDA_CHECK(cudaEventCreate(&stop), layer_);
  const std::unique_ptr<CUevent_st, decltype(&cudaEventDestroy)> stop_owner(stop, cudaEventDestroy);
  const Scalars scalars(precision_);
  const bool with_bias = epilogue_ == CUBLASLT_EPILOGUE_BIAS || epilogue_ == CUBLASLT_EPILOGUE_RELU_BIAS;
  // Mean time of one product with `algo` at `rows`, or a negative number when it fails to run.
  auto time = [&](const cublasLtMatmulAlgo_t& algo, int64_t rows) -> float {
    Descriptors d;
    init_descriptors(d, precision_, k_, m_, rows, layer_, epilogue_);
    const void* b = bias.get();
    if (with_bias)
      RANKRT_CUDA_CHECK(
          cublasLtMatmulDescSetAttribute(&d.op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &b, sizeof b), layer_);
    auto launch = [&] {
      return cublasLtMatmul(handle, &d.op, scalars.alpha(), w.get(), &d.a, x.get(), &d.b, scalars.beta(),
                            y.get(), &d.c, y.get(), &d.c, &algo, workspace.get(), kGemmWorkspaceBytes,
                            stream);
    };
    for (int i = 0; i < kWarmup; ++i)
      if (launch() != CUBLAS_STATUS_SUCCESS) return -1;
    RANKRT_CUDA_CHECK(cudaEventRecord(start, stream), layer_);
    for (int i = 0; i < kTimed; ++i) launch();
    RANKRT_CUDA_CHECK(cudaEventRecord(stop, stream), layer_);
    RANKRT_CUDA_CHECK(cudaEventSynchronize(stop), layer_);
    float ms = 0;
    RANKRT_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop), layer_);
    return ms / kTimed;
  };
  // Whether `algo` supports `rows` (a bucket's winner may not fit every smaller row count).
  auto supports = [&](const cublasLtMatmulAlgo_t& algo, int64_t rows) {
    Descriptors d;
    init_descriptors(d, precision_, k_, m_, rows, layer_, epilogue_);
    cublasLtMatmulHeuristicResult_t result{};
    return cublasLtMatmulAlgoCheck(handle, &d.op, &d.a, &d.b, &d.c, &d.c, &algo, &result) ==
               CUBLAS_STATUS_SUCCESS &&
           result.workspaceSize <= kGemmWorkspaceBytes;
  };
  for (int64_t low = 1, bucket = 1; low <= max_rows_;
       low = bucket + 1, bucket = std::min(bucket * 2, max_rows_)) {
    Descriptors d;
    init_descriptors(d, precision_, k_, m_, bucket, layer_, epilogue_);
    cublasLtMatmulHeuristicResult_t results[kCandidates] = {};
    int found = 0;
    RANKRT_CUDA_CHECK(cublasLtMatmulAlgoGetHeuristic(handle, &d.op, &d.a, &d.b, &d.c, &d.c, &pref,
                                                     kCandidates, results, &found),
                      layer_);
    std::vector<cublasLtMatmulAlgo_t> candidates;
    for (int i = 0; i < found; ++i) add_split_k_variants(results[i].algo, candidates);
    std::optional<cublasLtMatmulAlgo_t> best;
    float best_ms = 0;
    for (const cublasLtMatmulAlgo_t& algo : candidates) {
      const float ms = supports(algo, bucket) ? time(algo, bucket) : -1;
      if (ms >= 0 && (!best || ms < best_ms)) best = algo, best_ms = ms;
    }
    if (best)
      for (int64_t rows = low; rows <= bucket; ++rows)
        if (supports(*best, rows)) algos_[size_t(rows - 1)] = *best;
  }
}

LtGemm::LtGemm(int64_t k, int64_t m, GemmPrecision precision, std::string layer,
               std::vector<cublasLtMatmulAlgo_t> algorithms, cublasLtEpilogue_t epilogue)
    : k_(k),
      m_(m),
      max_rows_(int64_t(algorithms.size())),
      precision_(precision),
      layer_(std::move(layer)),
      algos_(std::move(algorithms)),
      epilogue_(epilogue) {}

void LtGemm::run(cublasLtHandle_t handle, const void* x, const void* w, void* y, int64_t rows,
                 void* workspace, cudaStream_t stream, const float* bias) const {
  if (rows < 1 || rows > max_rows_)
    fail(ErrorCode::kShape, "layer '{}': {} rows is outside the engine's profile 1..{}", layer_, rows,
         max_rows_);
  Descriptors d;
  init_descriptors(d, precision_, k_, m_, rows, layer_, epilogue_);
  if (bias)
    RANKRT_CUDA_CHECK(
        cublasLtMatmulDescSetAttribute(&d.op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias), layer_);
  const Scalars scalars(precision_);
  RANKRT_CUDA_CHECK(
      cublasLtMatmul(handle, &d.op, scalars.alpha(), w, &d.a, x, &d.b, scalars.beta(), y, &d.c, y, &d.c,
                     &algos_[size_t(rows - 1)], workspace, kGemmWorkspaceBytes, stream),
      layer_);
}

}  // namespace rankrt::cuda
