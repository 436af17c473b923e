// DenseLayer: oneDNN matmul with runtime M, bias and eltwise post-op; user-managed scratchpad;
// f32, bf16 or int8 (input quantized with a calibrated or per-request scale, runtime output scales)
// arithmetic.
#include "backends/cpu/dense_layer.h"

#include <algorithm>
#include <cmath>

#include "backends/cpu/cpu_kernels.h"
#include "core/error.h"

namespace rankrt::cpu {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using Type = memory::data_type;

memory::desc matrix(memory::dim rows, memory::dim cols, Type type = Type::f32) {
  return memory::desc({rows, cols}, type, Tag::ab);
}

// The matmul's input and weight dtype.
Type operand_type(DensePrecision p) {
  switch (p) {
    case DensePrecision::kF32:
      return Type::f32;
    case DensePrecision::kBF16:
      return Type::bf16;
    case DensePrecision::kInt8:
      return Type::s8;
  }
  return Type::f32;
}

const char* precision_name(DensePrecision p) {
  return p == DensePrecision::kF32 ? "fp32" : p == DensePrecision::kBF16 ? "bf16" : "int8";
}

const char* isa_name(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41:
      return "sse41";
    case dnnl::cpu_isa::avx:
      return "avx";
    case dnnl::cpu_isa::avx2:
      return "avx2";
    case dnnl::cpu_isa::avx2_vnni:
      return "avx2_vnni";
    case dnnl::cpu_isa::avx512_core:
      return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni:
      return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16:
      return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx:
      return "avx512_core_amx";
    default:
      return "other";
  }
}

void check(dnnl_status_t status, const std::string& layer, const char* what) {
  if (status != dnnl_success)
    fail(ErrorCode::kRuntime, "layer '{}': oneDNN {} failed (status {})", layer, what, int(status));
}

}  // namespace

// Without VNNI (vpdpbusd) oneDNN sums pairs of u8 x s8 products in int16 (vpmaddubsw): measured
// under ONEDNN_MAX_CPU_ISA=AVX512_CORE and AVX2, s8 x s8 matmuls with weights of +-127 return wrong
// sums, with +-63 exact ones.
int int8_weight_levels() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::avx512_core_vnni:
    case dnnl::cpu_isa::avx512_core_bf16:
    case dnnl::cpu_isa::avx512_core_amx:
    case dnnl::cpu_isa::avx2_vnni:
      return 127;
    default:
      return 63;
  }
}

bool native_bf16() {
  const dnnl::cpu_isa isa = dnnl::get_effective_cpu_isa();
  return isa == dnnl::cpu_isa::avx512_core_bf16 || isa == dnnl::cpu_isa::avx512_core_amx;
}

DenseLayer::DenseLayer(const dnnl::engine& engine, const DenseSpec& spec) : spec_(spec) {
  const memory::dim rows = spec.fixed_rows > 0 ? spec.fixed_rows : DNNL_RUNTIME_DIM_VAL;
  const Type type = operand_type(spec.precision);
  dnnl::post_ops ops;
  if (spec.eltwise) ops.append_eltwise(1.0f, *spec.eltwise, spec.eltwise_alpha, 0.0f);
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  if (spec.precision == DensePrecision::kInt8) attr.set_output_scales(1 << 1, {DNNL_RUNTIME_F32_VAL});
  const memory::desc bias = spec.bias ? matrix(1, spec.m) : memory::desc();
  try {
    pd_ = dnnl::matmul::primitive_desc(
        dnnl::matmul::desc(matrix(rows, spec.k, type), matrix(spec.k, spec.m, type), bias,
                           matrix(rows, spec.m)),
        attr, engine);
    primitive_ = dnnl::matmul(pd_);
  } catch (const dnnl::error& e) {
    fail(ErrorCode::kUnsupported,
         "layer '{}': oneDNN cannot create a {} matmul [{},{}] x [{},{}] on this CPU (oneDNN ISA {}{}): {}",
         spec.name, precision_name(spec.precision),
         spec.fixed_rows > 0 ? std::to_string(spec.fixed_rows) : "N", spec.k, spec.k, spec.m,
         isa_name(dnnl::get_effective_cpu_isa()),
         spec.precision == DensePrecision::kBF16 ? "; bf16 needs avx512_core or newer" : "", e.what());
  }
  pack_weights(engine);
  spec_.weight = nullptr;  // the caller's buffer is not kept
}

// Weights in the primitive's layout and dtype (a reorder: f32 -> bf16 rounds to nearest even);
// int8: quantized here with one symmetric scale per output column.
void DenseLayer::pack_weights(const dnnl::engine& engine) {
  const DenseSpec& s = spec_;
  packed_weights_.resize(pd_.weights_desc().get_size());
  std::vector<int8_t> quantized;
  memory src(matrix(s.k, s.m), engine, const_cast<float*>(s.weight));
  if (s.precision == DensePrecision::kInt8) {
    const float levels = float(int8_weight_levels());
    weight_scales_.assign(size_t(s.m), 0.0f);
    for (int64_t i = 0; i < s.k; ++i)
      for (int64_t c = 0; c < s.m; ++c) {
        const float w = s.weight[i * s.m + c];
        if (!std::isfinite(w))
          fail(ErrorCode::kUnsupported,
               "layer '{}': weight [{}, {}] is {}: int8 quantizes finite weights only", s.name, i, c, w);
        weight_scales_[c] = std::max(weight_scales_[c], std::abs(w));
      }
    for (float& scale : weight_scales_) scale = scale > 0 ? scale / levels : 1.0f;
    quantized.resize(size_t(s.k * s.m));
    for (int64_t i = 0; i < s.k; ++i)
      for (int64_t c = 0; c < s.m; ++c)
        quantized[i * s.m + c] = int8_t(std::nearbyint(s.weight[i * s.m + c] / weight_scales_[c]));
    src = memory(matrix(s.k, s.m, Type::s8), engine, quantized.data());
  }
  memory dst(pd_.weights_desc(), engine, packed_weights_.data());
  dnnl::stream stream(engine);
  dnnl::reorder(src, dst).execute(stream, src, dst);
  stream.wait();
}

DType DenseLayer::input_dtype() const {
  switch (spec_.precision) {
    case DensePrecision::kF32:
      return DType::kF32;
    case DensePrecision::kBF16:
      return DType::kBF16;
    case DensePrecision::kInt8:
      return DType::kI8;
  }
  return DType::kF32;
}

DenseLayer::Binding::Binding(const DenseLayer& layer, const dnnl::engine& engine, const void* x, void* y,
                             const void* bias, void* converted)
    : layer_(layer),
      x_(static_cast<const float*>(x)),
      converted_(converted),
      bias_in_(static_cast<const float*>(bias)) {
  const DenseSpec& s = layer.spec_;
  const Type type = operand_type(s.precision);
  void* src = s.precision == DensePrecision::kF32 ? const_cast<void*>(x) : converted;
  const int64_t first = s.fixed_rows > 0 ? s.fixed_rows : 1,
                last = s.fixed_rows > 0 ? s.fixed_rows : s.max_rows;
  for (int64_t r = first; r <= last; ++r) {
    src_.emplace_back(matrix(r, s.k, type), engine, src);
    dst_.emplace_back(matrix(r, s.m), engine, y);
  }
  weights_ = memory(layer.pd_.weights_desc(), engine, const_cast<std::byte*>(layer.packed_weights_.data()));
  if (s.precision == DensePrecision::kInt8) {
    output_scales_.resize(size_t(s.m));
    scales_ = memory(memory::desc({s.m}, Type::f32, Tag::a), engine, output_scales_.data());
    if (bias) scaled_bias_.resize(size_t(s.m));
  }
  if (bias)
    bias_ =
        memory(matrix(1, s.m), engine, scaled_bias_.empty() ? const_cast<void*>(bias) : scaled_bias_.data());
  scratch_bytes_.resize(layer.pd_.scratchpad_desc().get_size());
  scratchpad_ = memory(layer.pd_.scratchpad_desc(), engine, scratch_bytes_.data());
}

// oneDNN 2.x scales the bias with the output scales (dst = scale * (src x weights + bias)): the
// bias is divided by them first. A calibrated scale saturates larger inputs (NaN to 127).
void DenseLayer::Binding::quantize(int64_t rows) {
  const DenseSpec& s = layer_.spec_;
  const float largest = s.activation_amax ? *s.activation_amax : max_abs(x_, rows * s.k);
  const float act_scale = largest == 0 ? 1.0f : largest / 127.0f;  // NaN input, per request: NaN output
  quantize_s8(x_, rows * s.k, 1.0f / act_scale, static_cast<int8_t*>(converted_));
  for (int64_t c = 0; c < s.m; ++c) output_scales_[c] = act_scale * layer_.weight_scales_[c];
  if (!scaled_bias_.empty())
    for (int64_t c = 0; c < s.m; ++c) scaled_bias_[c] = bias_in_[c] / output_scales_[c];
}

void DenseLayer::Binding::run(dnnl_stream_t stream, int64_t rows) {
  const DenseSpec& s = layer_.spec_;
  if (s.precision == DensePrecision::kBF16) cast(DType::kF32, DType::kBF16, x_, converted_, rows * s.k);
  if (s.precision == DensePrecision::kInt8) quantize(rows);
  const size_t index = s.fixed_rows > 0 ? 0 : size_t(rows - 1);
  dnnl_exec_arg_t args[6] = {{DNNL_ARG_SRC, src_[index].get()},
                             {DNNL_ARG_WEIGHTS, weights_.get()},
                             {DNNL_ARG_DST, dst_[index].get()},
                             {DNNL_ARG_SCRATCHPAD, scratchpad_.get()}};
  int count = 4;
  if (s.bias) args[count++] = {DNNL_ARG_BIAS, bias_.get()};
  if (s.precision == DensePrecision::kInt8) args[count++] = {DNNL_ARG_ATTR_OUTPUT_SCALES, scales_.get()};
  check(dnnl_primitive_execute(layer_.primitive_.get(), stream, count, args), s.name, "matmul");
}

}  // namespace rankrt::cpu
