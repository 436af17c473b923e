// Per-layer analysis for `rankrt inspect`: shapes, fused epilogue, original nodes, precision,
// FLOPs as a function of the candidate count N, and weight bytes.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace rankrt {

struct LayerInfo {
  std::string name, op;
  std::vector<std::string> fused;         // epilogue folded into the op (bias, activation, post-ops)
  std::vector<std::string> source_nodes;  // original node names the layer stands for
  // "fp32", "fp16", ...: a GEMM layer's final precision when given, else the output's dtype.
  std::string precision;
  std::vector<ValueInfo> inputs, outputs;  // activations (symbolic shapes)
  std::vector<ValueInfo> weights;          // constant inputs
  int64_t weight_bytes = 0;
  // FLOPs = flops_per_candidate * N + flops_fixed, N the graph's symbolic dim (candidates).
  double flops_per_candidate = 0;
  double flops_fixed = 0;
};

// One entry per node. Needs g.value_info (infer_shapes). FLOPs: 2*K per output element of
// MatMul/Gemm/Dense (plus one per element for a bias, for each elementwise op of a fused
// activation and for each post-op), one per output element of other compute ops, none for data
// movement and shape ops (Pad included).
// `layer_precision`: the final precision of GEMM layers (an engine's resolved per-layer precision).
std::vector<LayerInfo> layer_table(const Graph& g,
                                   const std::map<std::string, std::string>& layer_precision = {});

}  // namespace rankrt
