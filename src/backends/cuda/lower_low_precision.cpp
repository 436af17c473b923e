// Lowering of the GEMM precisions beyond cuBLASLt's float inputs: int8 and FP8 E4M3 layers
// (quantized operands, dequantizing epilogue) and the tf32x3 split weight.
#include <cuda_fp8.h>

#include <cmath>

#include "backends/cuda/kernels/gemm_operands.h"
#include "backends/cuda/lowering.h"

namespace rankrt::cuda {

namespace {

int64_t round_up(int64_t v, int64_t to) { return (v + to - 1) / to * to; }

// cuBLASLt's int8 and FP8 kernels want K, M and the leading dimensions in multiples of 16 bytes:
// operands are zero-padded to that.
constexpr int64_t kQuantAlign = 16;

uint8_t quantize(QuantKind kind, float v) {
  if (kind == QuantKind::kInt8) return uint8_t(int8_t(std::nearbyint(std::clamp(v, -127.0f, 127.0f))));
  return __nv_cvt_float_to_fp8(v, __NV_SATFINITE, __NV_E4M3);
}

}  // namespace

Tensor split_tf32_weight(const Tensor& w) {
  const int64_t k = w.dims()[0], m = w.dims()[1];
  const Tensor w32 = w.to(DType::kF32);
  Tensor out(DType::kF32, {3 * k, m});
  const float* src = w32.data<float>();
  float* dst = out.data<float>();
  for (int64_t i = 0; i < k * m; ++i) {
    const float hi = round_to_tf32(src[i]);
    dst[i] = hi;
    dst[k * m + i] = round_to_tf32(src[i] - hi);
    dst[2 * k * m + i] = hi;
  }
  return out;
}

void Lowering::lower_quantized_gemm(const Node& n, size_t x, const std::string& key, const Tensor& w,
                                    const Epilogue& epilogue) {
  const GemmPrecision precision = precision_of(n);
  const QuantKind kind = precision == GemmPrecision::kInt8 ? QuantKind::kInt8 : QuantKind::kFp8E4M3;
  const float qmax = quant_max(kind);
  auto range = options_.activation_amax.find(n.name);
  if (range == options_.activation_amax.end())
    fail(ErrorCode::kUsage,
         "{}: layer '{}' in {} needs the calibrated range of its input (calibrate on samples: --calibrate "
         "SAMPLES or --calibration-cache FILE)",
         graph_.source, n.name, precision_name(precision));
  if (!(range->second > 0) || !std::isfinite(range->second))
    fail(ErrorCode::kUsage, "{}: layer '{}': calibrated input range {} is not a positive finite number",
         graph_.source, n.name, range->second);
  const float x_scale = range->second / qmax;
  const int64_t k = w.dims()[0], m = w.dims()[1];
  const int64_t kp = round_up(k, kQuantAlign), mp = round_up(m, kQuantAlign);
  // W [K, M] -> quantized Wᵀ [mp, kp], one symmetric scale per output column; dequant[c] is the
  // product of the input's and the column's scales.
  const Tensor w64 = w.to(DType::kF64);
  Tensor wq(DType::kU8, {mp, kp});
  Tensor dequant(DType::kF32, {m});
  std::fill_n(wq.data<uint8_t>(), wq.numel(), uint8_t(0));
  for (int64_t c = 0; c < m; ++c) {
    double amax = 0;
    for (int64_t i = 0; i < k; ++i) amax = std::max(amax, std::fabs(w64.data<double>()[i * m + c]));
    const double w_scale = amax > 0 ? amax / qmax : 1.0;
    for (int64_t i = 0; i < k; ++i)
      wq.data<uint8_t>()[c * kp + i] = quantize(kind, float(w64.data<double>()[i * m + c] / w_scale));
    dequant.data<float>()[c] = float(double(x_scale) * w_scale);
  }
  const size_t wv = value_as(key + "#" + precision_name(precision), wq, DType::kU8);
  const size_t scale_v = upload_weight(n.name + "/dequant", dequant, DType::kF32);
  const size_t y = output(n);
  const int64_t max_rows = max_rows_of(x, k);
  program_->gemms.push_back(make_gemm(kp, mp, max_rows, precision, n.name, CUBLASLT_EPILOGUE_DEFAULT));
  const LtGemm* gemm = program_->gemms.back().get();
  // Scratch: the quantized input, then (when M is padded) the accumulators; otherwise they are
  // written into y and dequantized in place.
  const int64_t acc_offset = round_up(max_rows * kp, 256);
  program_->scratch_bytes =
      std::max(program_->scratch_bytes, acc_offset + (mp != m ? max_rows * mp * int64_t(sizeof(float)) : 0));
  const bool int32 = kind == QuantKind::kInt8;
  const float inv_scale = 1.0f / x_scale;
  const Program* prog = program_.get();
  const std::string layer = n.name;
  add_step(n, [=](const RunState& s) {
    const int64_t rows = prog->values[x].dims(s.rows).numel() / k;
    launch_quantize(kind, static_cast<const float*>(prog->pointer(s, x)), s.scratch, rows, k, kp, inv_scale,
                    s.stream);
    RANKRT_CUDA_CHECK_LAUNCH(layer);
    float* out = static_cast<float*>(prog->pointer(s, y));
    void* acc = mp != m ? static_cast<std::byte*>(s.scratch) + acc_offset : static_cast<void*>(out);
    gemm->run(s.lt, s.scratch, prog->pointer(s, wv), acc, rows, s.workspace, s.stream);
    epilogue.launch(*prog, s, out, rows, m,
                    {acc, mp, int32, static_cast<const float*>(prog->pointer(s, scale_v))});
    RANKRT_CUDA_CHECK_LAUNCH(layer);
  });
}

}  // namespace rankrt::cuda
