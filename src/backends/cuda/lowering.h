// The Lowering of a graph to a CUDA Program, shared by the lowering files (one per op family:
// cuda_lowering.cpp core + elementwise, lower_matmul.cpp, lower_movement.cpp, lower_normalize.cpp).
#pragma once
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "backends/cuda/cuda_program.h"
#include "backends/cuda/kernels/movement.h"

namespace rankrt::cuda {

// Element strides of `in` broadcast into `out` (right-aligned, 0 = broadcast).
void broadcast_strides(const Dims& in, const Dims& out, int64_t* strides);

// The IR ops the elementwise kernels implement (cuda_lowering.cpp); view ops, Expand and Tile
// map to UnaryOp::kCopy.
const std::map<std::string, UnaryOp>& unary_ops();
const std::map<std::string, BinaryOp>& binary_ops();

// Chains of elementwise nodes run as one fused kernel: each node maps to the last node of its
// chain (lower_fused.cpp). Chains have at most kMaxFusedOps nodes and kMaxFusedInputs inputs.
std::map<const Node*, const Node*> plan_elementwise_fusion(const Graph& g, const std::set<const Node*>& skip);

// A GEMM layer's epilogue run by our bias + activation kernel: its per-column operands (values
// bound per request), activation and post-ops.
struct Epilogue {
  Activation act = Activation::kNone;
  ColumnParam bias;
  size_t bias_value = SIZE_MAX;  // SIZE_MAX: none
  std::array<ColumnParam, 3> params{};
  std::array<size_t, 3> param_values{SIZE_MAX, SIZE_MAX, SIZE_MAX};
  PostOps<float> post;
  // y[rows, m] = post(act(acc * scale + bias; params)).
  void launch(const Program& prog, const RunState& s, float* y, int64_t rows, int64_t m,
              Accumulator acc) const;
};

// [W_hi; W_lo; W_hi] ([3K, M]) of a float32 weight W [K, M] for tf32x3 GEMMs (gemm_operands.h).
Tensor split_tf32_weight(const Tensor& w);

class Lowering {
 public:
  Lowering(const Graph& g, const CudaOptions& o, cublasLtHandle_t lt);
  std::unique_ptr<Program> run();

 private:
  // Core (cuda_lowering.cpp).
  [[noreturn]] void unsupported(const Node& n, const std::string& why) const;
  const ValueInfo& info(const std::string& name, const std::string& layer) const;
  void check_shape(const Shape& s, const std::string& name, const std::string& layer);
  size_t add_activation(const std::string& name, DType dtype, const Shape& shape, const std::string& layer);
  size_t upload_weight(const std::string& name, const Tensor& t, DType device_dtype);
  size_t value(const std::string& name, const std::string& layer);
  size_t value_as(const std::string& name, const Tensor& t, DType dtype);
  size_t output(const Node& n, size_t i = 0);
  void require_f32(const Node& n, size_t v) const;
  // The GEMM precision of a GEMM layer: its entry in CudaOptions::layer_precision, else the engine's.
  GemmPrecision precision_of(const Node& n) const;
  // A constant input (initializer or Constant node) or nullptr.
  const Tensor* constant(const std::string& name) const;
  // The int64 elements of constant input i; unsupported() when it is not a constant.
  std::vector<int64_t> constant_ints(const Node& n, size_t i) const;
  // Whether the value has the profile symbol at `axis` (negative: at any axis).
  bool symbolic_at(size_t v, int64_t axis = -1) const;
  int64_t axis_of(const Node& n, size_t v, int64_t axis) const;
  void add_step(const Node& n, std::function<void(const RunState&)> fn, bool row_independent = true);
  void lower(const Node& n);
  void lower_cast(const Node& n);
  void lower_copy(const Node& n, size_t x, size_t y);
  void lower_unary(const Node& n);
  void lower_unary_op(const Node& n, size_t x, size_t y, UnaryOp op, float alpha);
  void lower_fill(const Node& n);
  void lower_binary(const Node& n);
  void lower_concat(const Node& n);
  void plan_arena();
  void check_bucketable();

  // GEMMs (lower_matmul.cpp).
  ColumnParam column_param(const Node& n, size_t v, int64_t m);
  void lower_dense(const Node& n);
  void lower_gemm(const Node& n);
  // y = act(x · w + bias; params) through cuBLASLt, w [K, M] constant (uploaded under `key`).
  std::unique_ptr<LtGemm> make_gemm(int64_t k, int64_t m, int64_t max_rows, GemmPrecision precision,
                                    const std::string& layer, cublasLtEpilogue_t epilogue);
  Epilogue epilogue_of(const Node& n, std::optional<size_t> bias, Activation act,
                       const std::vector<size_t>& params, int64_t m);
  void lower_lt_gemm(const Node& n, size_t x, const std::string& key, const Tensor& w,
                     std::optional<size_t> bias, Activation act, const std::vector<size_t>& params);
  // int8 / fp8 (lower_quantized_gemm.cpp): x quantized per tensor with its calibrated range
  // (CudaOptions::activation_amax), w per output column; the epilogue dequantizes.
  void lower_quantized_gemm(const Node& n, size_t x, const std::string& key, const Tensor& w,
                            const Epilogue& epilogue);
  void lower_batched_matmul(const Node& n);
  // A score head (ir/score_head.h) as one kernel; fp32 / tf32x3 layers only (they compute in double).
  void lower_dense_head(const Node& n, const Node& second);
  HeadLayer head_layer(const Node& n, std::array<size_t, 4>& values);
  int64_t max_rows_of(size_t x, int64_t k) const;

  // Fused elementwise chains (lower_fused.cpp): `chain` in topological order, ending at its root.
  void lower_fused(const std::vector<const Node*>& chain);

  // Data movement (lower_movement.cpp).
  void lower_strided(const Node& n, size_t x, size_t y,
                     std::function<void(const Dims&, const Dims&, StridedIndex&)> fill, bool row_independent);
  void lower_transpose(const Node& n);
  void lower_slice(const Node& n);
  void lower_split(const Node& n);
  void lower_gather(const Node& n);
  void lower_tile(const Node& n);
  void lower_pad(const Node& n);

  // Reductions, normalisations and other pointwise ops (lower_normalize.cpp).
  void lower_reduce(const Node& n);
  void lower_softmax(const Node& n);
  void lower_layer_norm(const Node& n);
  void lower_batch_norm(const Node& n);
  void lower_pointwise(const Node& n);
  void lower_where(const Node& n);

  const Graph& graph_;
  const CudaOptions& options_;
  cublasLtHandle_t lt_;
  GemmPrecision precision_;  // the engine's; GEMM layers: precision_of()
  std::unique_ptr<Program> program_;
  std::map<std::string, size_t> index_;
  std::map<std::string, const Node*> producers_;
  std::vector<int> first_use_, last_use_;
  std::set<const Node*> fused_into_head_;  // second layers of score heads
};

}  // namespace rankrt::cuda
