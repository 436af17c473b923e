// One Dense layer on oneDNN: a matmul primitive over a runtime row count (created once at engine
// build time) with the bias and the activations oneDNN's eltwise post-ops express fused in.
#pragma once
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <string>
#include <vector>

namespace rankrt::cpu {

struct DenseSpec {
  std::string name;  // the node (errors name it)
  int64_t k = 0, m = 0;
  const float* weight = nullptr;           // [k, m] row-major
  bool bias = false;                       // a [1, m] bias read per request (constant or computed)
  std::optional<dnnl::algorithm> eltwise;  // fused activation
  float eltwise_alpha = 0.0f;
  int64_t max_rows = 1;
  int64_t fixed_rows = 0;  // > 0: the layer always sees this many rows
};

class DenseLayer {
 public:
  DenseLayer(const dnnl::engine& engine, const DenseSpec& spec);

  // A context's memory objects over its arena: created once per context, so that a request
  // only picks the pair for its row count.
  class Binding {
   public:
    Binding(const DenseLayer& layer, const dnnl::engine& engine, const void* x, void* y, const void* bias);
    void run(dnnl_stream_t stream, int64_t rows);

   private:
    const DenseLayer& layer_;
    std::vector<dnnl::memory> src_, dst_;  // by row count (index rows - 1, or 0 for fixed rows)
    dnnl::memory weights_, bias_, scratchpad_;
    std::vector<std::byte> scratch_bytes_;
  };

  const DenseSpec& spec() const { return spec_; }
  std::string implementation() const { return pd_.impl_info_str(); }

 private:
  DenseSpec spec_;
  dnnl::matmul::primitive_desc pd_;
  dnnl::matmul primitive_;
  std::vector<float> packed_weights_;  // the weights in the primitive's layout
};

}  // namespace rankrt::cpu
