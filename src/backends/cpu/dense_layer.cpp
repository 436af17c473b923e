// DenseLayer: oneDNN matmul with runtime M, bias and eltwise post-op; user-managed scratchpad.
#include "backends/cpu/dense_layer.h"

#include "core/error.h"

namespace rankrt::cpu {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;
constexpr auto kF32 = memory::data_type::f32;

memory::desc matrix(memory::dim rows, memory::dim cols) { return memory::desc({rows, cols}, kF32, Tag::ab); }

void check(dnnl_status_t status, const std::string& layer, const char* what) {
  if (status != dnnl_success)
    fail(ErrorCode::kRuntime, "layer '{}': oneDNN {} failed (status {})", layer, what, int(status));
}

}  // namespace

DenseLayer::DenseLayer(const dnnl::engine& engine, const DenseSpec& spec) : spec_(spec) {
  const memory::dim rows = spec.fixed_rows > 0 ? spec.fixed_rows : DNNL_RUNTIME_DIM_VAL;
  dnnl::post_ops ops;
  if (spec.eltwise) ops.append_eltwise(1.0f, *spec.eltwise, spec.eltwise_alpha, 0.0f);
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const memory::desc bias = spec.bias ? matrix(1, spec.m) : memory::desc();
  try {
    pd_ = dnnl::matmul::primitive_desc(
        dnnl::matmul::desc(matrix(rows, spec.k), matrix(spec.k, spec.m), bias, matrix(rows, spec.m)), attr,
        engine);
    primitive_ = dnnl::matmul(pd_);
  } catch (const dnnl::error& e) {
    fail(ErrorCode::kUnsupported, "layer '{}': oneDNN matmul [{},{}] x [{},{}]: {}", spec.name, rows, spec.k,
         spec.k, spec.m, e.what());
  }
  // Weights in the primitive's layout (a reorder when it is not plain row-major).
  packed_weights_.resize(pd_.weights_desc().get_size() / sizeof(float));
  memory src(matrix(spec.k, spec.m), engine, const_cast<float*>(spec.weight));
  memory dst(pd_.weights_desc(), engine, packed_weights_.data());
  dnnl::stream stream(engine);
  dnnl::reorder(src, dst).execute(stream, src, dst);
  stream.wait();
  spec_.weight = nullptr;  // the caller's buffer is not kept
}

DenseLayer::Binding::Binding(const DenseLayer& layer, const dnnl::engine& engine, const void* x, void* y,
                             const void* bias)
    : layer_(layer) {
  const DenseSpec& s = layer.spec_;
  const int64_t first = s.fixed_rows > 0 ? s.fixed_rows : 1,
                last = s.fixed_rows > 0 ? s.fixed_rows : s.max_rows;
  for (int64_t r = first; r <= last; ++r) {
    src_.emplace_back(matrix(r, s.k), engine, const_cast<void*>(x));
    dst_.emplace_back(matrix(r, s.m), engine, y);
  }
  weights_ = memory(layer.pd_.weights_desc(), engine, const_cast<float*>(layer.packed_weights_.data()));
  if (bias) bias_ = memory(matrix(1, s.m), engine, const_cast<void*>(bias));
  scratch_bytes_.resize(layer.pd_.scratchpad_desc().get_size());
  scratchpad_ = memory(layer.pd_.scratchpad_desc(), engine, scratch_bytes_.data());
}

void DenseLayer::Binding::run(dnnl_stream_t stream, int64_t rows) {
  const DenseSpec& s = layer_.spec_;
  const size_t index = s.fixed_rows > 0 ? 0 : size_t(rows - 1);
  dnnl_exec_arg_t args[5] = {{DNNL_ARG_SRC, src_[index].get()},
                             {DNNL_ARG_WEIGHTS, weights_.get()},
                             {DNNL_ARG_DST, dst_[index].get()},
                             {DNNL_ARG_SCRATCHPAD, scratchpad_.get()},
                             {DNNL_ARG_BIAS, s.bias ? bias_.get() : nullptr}};
  check(dnnl_primitive_execute(layer_.primitive_.get(), stream, s.bias ? 5 : 4, args), s.name, "matmul");
}

}  // namespace rankrt::cpu
