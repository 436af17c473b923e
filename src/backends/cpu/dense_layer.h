// One Dense layer on oneDNN: a matmul primitive over a runtime row count (created once at engine
// build time) with the bias and the activations oneDNN's eltwise post-ops express fused in; in
// float32, bfloat16 or int8 (f32 accumulation or dequantization, f32 bias, post-ops and output).
#pragma once
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace rankrt::cpu {

// The arithmetic of a Dense layer (EngineOptions::precision on the cpu backend):
// kF32: f32 x f32;
// kBF16: the input rounded to bf16 per request, bf16 weights (rounded once), f32 accumulation;
// kInt8: s8 weights with a symmetric scale per output column (computed at build, int8_weight_levels()
//   steps each side), s8 inputs with one symmetric scale: amax / 127 for a calibrated amax (static
//   quantization; larger |x| saturate), else max |x| of each request / 127 (dynamic quantization);
//   s32 accumulation, output scale act_scale * weight_scale[c].
enum class DensePrecision { kF32, kBF16, kInt8 };

struct DenseSpec {
  std::string name;  // the node (errors name it)
  int64_t k = 0, m = 0;
  const float* weight = nullptr;           // [k, m] row-major
  bool bias = false;                       // a [1, m] bias read per request (constant or computed)
  std::optional<dnnl::algorithm> eltwise;  // fused activation
  float eltwise_alpha = 0.0f;
  int64_t max_rows = 1;
  int64_t fixed_rows = 0;  // > 0: the layer always sees this many rows
  DensePrecision precision = DensePrecision::kF32;
  std::optional<float> activation_amax;  // kInt8: the calibrated max |x| (unset: per request)
};

class DenseLayer {
 public:
  DenseLayer(const dnnl::engine& engine, const DenseSpec& spec);

  // The dtype the matmul reads its input in: kF32 (x in place), or kBF16 / kI8, into which each
  // request converts x first.
  DType input_dtype() const;

  // A context's memory objects over its arena: created once per context, so that a request
  // only picks the pair for its row count. `converted`: max_rows * k elements of input_dtype()
  // (null for kF32).
  class Binding {
   public:
    Binding(const DenseLayer& layer, const dnnl::engine& engine, const void* x, void* y, const void* bias,
            void* converted);
    void run(dnnl_stream_t stream, int64_t rows);

   private:
    // kInt8: quantizes the input, sets the output scales and the bias divided by them.
    void quantize(int64_t rows);

    const DenseLayer& layer_;
    const float* x_;
    void* converted_;
    const float* bias_in_;
    std::vector<dnnl::memory> src_, dst_;  // by row count (index rows - 1, or 0 for fixed rows)
    dnnl::memory weights_, bias_, scales_, scratchpad_;
    std::vector<float> output_scales_, scaled_bias_;  // kInt8: per column, set per request
    std::vector<std::byte> scratch_bytes_;
  };

  const DenseSpec& spec() const { return spec_; }
  std::string implementation() const { return pd_.impl_info_str(); }

 private:
  void pack_weights(const dnnl::engine& engine);

  DenseSpec spec_;
  dnnl::matmul::primitive_desc pd_;
  dnnl::matmul primitive_;
  std::vector<std::byte> packed_weights_;  // the weights in the primitive's layout and dtype
  std::vector<float> weight_scales_;       // kInt8: per output column
};

// The largest |weight| of an int8 layer: 127, or 63 where oneDNN's int8 kernels lack VNNI (their
// int16 pair sums would saturate).
int int8_weight_levels();

// Whether oneDNN runs bf16 matmuls natively on this CPU (avx512_bf16 / AMX); elsewhere it emulates
// them in f32 arithmetic (much slower than f32).
bool native_bf16();

}  // namespace rankrt::cpu
