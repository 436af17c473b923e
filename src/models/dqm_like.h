// A synthetic model with the architecture of DQM (the real ranking model in shared/models/dqm):
// deterministic weights from a seed, its IR graph, its TensorFlow frozen graph and sample requests.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "io/samples.h"
#include "ir/graph.h"
#include "proto/tf_graph.pb.h"

namespace rankrt {

// Batch norm folded the way the frozen graph stores it: y = x*rsqrt(v)*gamma + (beta - mean*rsqrt(v)*gamma),
// with v = moving variance + epsilon. All [C] float32.
struct DqmBatchNorm {
  Tensor variance, gamma, mean, beta;
};

// fc1..fc4: MatMul + bias, batch norm, PReLU max(0,x) + alpha*min(0,x).
struct DqmPreluLayer {
  Tensor weight, bias, alpha;  // [in,out], [out], [out]
  DqmBatchNorm bn;
};

// fc5: MatMul + bias, Dice p = sigmoid(rsqrt(variance)*(x-mean)), alpha*(1-p)*x + p*x.
struct DqmDiceLayer {
  Tensor weight, bias, variance, mean, alpha;  // [64,32], [32], [32], [32], [1,32]
};

struct DqmLikeModel {
  static constexpr int64_t kCommWidth = 176, kNcommWidth = 384;
  static constexpr std::array<int64_t, 6> kWidths = {560, 832, 256, 128, 64, 32};
  DqmBatchNorm input_bn;
  std::array<DqmPreluLayer, 4> prelu;  // fc1..fc4
  DqmDiceLayer dice;                   // fc5
  Tensor fc6_weight;                   // [32,1], no bias
};

// Weights drawn from `seed` (He init, batch norm variances ~U(0.5,2), PReLU alphas ~U(0.1,0.25)).
DqmLikeModel make_dqm_like_model(uint64_t seed);

// The model in IR form (ONNX semantics), inputs comm f16 [1,176] and ncomm f16 [N,384], output
// concat_1 f32 [N,2]. Node names follow the real frozen graph (dqm_bn, fc1_dqm..fc6_dqm, concat_1).
Graph dqm_like_graph(const DqmLikeModel& model);

// The model as a TensorFlow frozen graph with the real graph's ops and names.
tf::GraphDef dqm_like_graphdef(const DqmLikeModel& model);

// `count` requests drawn from `seed`: sample 0, 1, 2 have N = 1, 511, 2, the rest N ~U(1..511); inputs
// drawn from the input batch norm's mean and variance and rounded to float16.
SampleFile dqm_like_samples(const DqmLikeModel& model, uint64_t seed, int64_t count);

}  // namespace rankrt
