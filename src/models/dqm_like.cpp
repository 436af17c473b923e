// DQM-like model: weight generation, IR graph and sample requests.
#include "models/dqm_like.h"

#include "models/portable_rng.h"

namespace rankrt {

namespace {

using Model = DqmLikeModel;

Tensor random_tensor(PortableRng& rng, std::vector<int64_t> dims, auto draw) {
  Tensor t(DType::kF32, std::move(dims));
  for (float& v : t.span<float>()) v = float(draw(rng));
  return t;
}

DqmBatchNorm random_batch_norm(PortableRng& rng, int64_t c, double mean_center, double mean_spread) {
  constexpr double kEpsilon = 1e-3;
  DqmBatchNorm bn;
  bn.variance = random_tensor(rng, {c}, [](PortableRng& r) { return r.uniform(0.5, 2.0) + kEpsilon; });
  bn.gamma = random_tensor(rng, {c}, [](PortableRng& r) { return r.uniform(0.5, 1.5); });
  bn.mean = random_tensor(rng, {c}, [&](PortableRng& r) { return r.normal(mean_center, mean_spread); });
  bn.beta = random_tensor(rng, {c}, [](PortableRng& r) { return r.normal(0.0, 0.2); });
  return bn;
}

// He-initialised [in,out] weight.
Tensor he_weight(PortableRng& rng, int64_t in, int64_t out) {
  const double stddev = std::sqrt(2.0 / double(in));
  return random_tensor(rng, {in, out}, [&](PortableRng& r) { return r.normal(0.0, stddev); });
}

Tensor random_bias(PortableRng& rng, int64_t c) {
  return random_tensor(rng, {c}, [](PortableRng& r) { return r.uniform(0.05, 0.15); });
}

// Appends IR nodes whose single output is named like the node.
class IrBuilder {
 public:
  explicit IrBuilder(Graph& g) : g_(g) {}
  std::string constant(const std::string& name, Tensor t) {
    g_.initializers[name] = std::move(t);
    return name;
  }
  std::string scalar(const std::string& name, float v) { return constant(name, Tensor::scalar<float>(v)); }
  std::string node(const std::string& name, const std::string& op, std::vector<std::string> inputs,
                   AttributeMap attrs = {}) {
    g_.nodes.push_back(Node{name, op, std::move(inputs), {name}, std::move(attrs)});
    return name;
  }
  // rsqrt(x) as Reciprocal(Sqrt(x)), named like TensorFlow's Rsqrt node.
  std::string rsqrt(const std::string& name, const std::string& x) {
    return node(name, "Reciprocal", {node(name + "/sqrt", "Sqrt", {x})});
  }

 private:
  Graph& g_;
};

std::string batch_norm_ir(IrBuilder& b, const std::string& p, const DqmBatchNorm& bn, const std::string& x) {
  const std::string scale = b.node(
      p + "/mul", "Mul",
      {b.rsqrt(p + "/Rsqrt", b.constant(p + "/Rsqrt/x", bn.variance)), b.constant(p + "/mul/y", bn.gamma)});
  const std::string scaled_mean = b.node(p + "/mul_1", "Mul", {scale, b.constant(p + "/mul_1/y", bn.mean)});
  const std::string shift = b.node(p + "/sub", "Sub", {b.constant(p + "/sub/x", bn.beta), scaled_mean});
  return b.node(p + "/add", "Add", {b.node(p + "/mul_2", "Mul", {scale, x}), shift});
}

std::string prelu_layer_ir(IrBuilder& b, const std::string& p, const DqmPreluLayer& layer,
                           const std::string& x) {
  const std::string mm = b.node(p + "/MatMul", "MatMul", {x, b.constant(p + "/MatMul/b", layer.weight)});
  const std::string biased = b.node(p + "/add", "Add", {mm, b.constant(p + "/add/y", layer.bias)});
  const std::string bn = batch_norm_ir(b, p + "/" + p + "/bn", layer.bn, biased);
  const std::string pos = b.node(p + "/Maximum", "Max", {b.scalar(p + "/Maximum/x", 0.f), bn});
  const std::string neg = b.node(p + "/Minimum", "Min", {b.scalar(p + "/Minimum/x", 0.f), bn});
  const std::string scaled = b.node(p + "/mul", "Mul", {b.constant(p + "/mul/x", layer.alpha), neg});
  return b.node(p + "/add_1", "Add", {pos, scaled});
}

std::string dice_layer_ir(IrBuilder& b, const std::string& p, const DqmDiceLayer& layer,
                          const std::string& x) {
  const std::string mm = b.node(p + "/MatMul", "MatMul", {x, b.constant(p + "/MatMul/b", layer.weight)});
  const std::string biased = b.node(p + "/add", "Add", {mm, b.constant(p + "/add/y", layer.bias)});
  const std::string rsqrt = b.rsqrt(p + "/Rsqrt", b.constant(p + "/Rsqrt/x", layer.variance));
  const std::string centered = b.node(p + "/sub", "Sub", {biased, b.constant(p + "/sub/y", layer.mean)});
  const std::string prob = b.node(p + "/Sigmoid", "Sigmoid", {b.node(p + "/mul", "Mul", {rsqrt, centered})});
  const std::string one_minus = b.node(p + "/sub_1", "Sub", {b.scalar(p + "/sub_1/x", 1.f), prob});
  const std::string neg_part = b.node(p + "/mul_1", "Mul", {one_minus, biased});
  const std::string scaled = b.node(p + "/Mul_2", "Mul", {b.constant(p + "/Mul_2/x", layer.alpha), neg_part});
  return b.node(p + "/add_1", "Add", {scaled, b.node(p + "/mul_3", "Mul", {prob, biased})});
}

}  // namespace

DqmLikeModel make_dqm_like_model(uint64_t seed) {
  PortableRng rng(seed);
  const auto& w = Model::kWidths;
  DqmLikeModel m;
  m.input_bn = random_batch_norm(rng, w[0], 0.0, 1.0);
  for (size_t i = 0; i < m.prelu.size(); ++i) {
    DqmPreluLayer& layer = m.prelu[i];
    layer.weight = he_weight(rng, w[i], w[i + 1]);
    layer.bias = random_bias(rng, w[i + 1]);
    layer.bn = random_batch_norm(rng, w[i + 1], 0.1, 0.3);
    layer.alpha = random_tensor(rng, {w[i + 1]}, [](PortableRng& r) { return r.uniform(0.1, 0.25); });
  }
  DqmDiceLayer& dice = m.dice;
  dice.weight = he_weight(rng, w[4], w[5]);
  dice.bias = random_bias(rng, w[5]);
  dice.variance = random_tensor(rng, {w[5]}, [](PortableRng& r) { return r.uniform(0.5, 2.0); });
  dice.mean = random_tensor(rng, {w[5]}, [](PortableRng& r) { return r.normal(0.1, 0.3); });
  dice.alpha = random_tensor(rng, {1, w[5]}, [](PortableRng& r) { return r.uniform(0.1, 0.25); });
  const double glorot = std::sqrt(2.0 / double(w[5] + 1));
  m.fc6_weight = random_tensor(rng, {w[5], 1}, [&](PortableRng& r) { return r.normal(0.0, glorot); });
  return m;
}

Graph dqm_like_graph(const DqmLikeModel& model) {
  Graph g;
  g.source = "dqm-like";
  g.inputs = {ValueInfo{"comm", DType::kF16, {1, Model::kCommWidth}},
              ValueInfo{"ncomm", DType::kF16, {Dim::sym("N"), Model::kNcommWidth}}};
  g.outputs = {ValueInfo{"concat_1", DType::kF32, {Dim::sym("N"), 2}}};
  IrBuilder b(g);
  // Tile comm to one row per candidate, append the candidate features, cast to float32.
  const std::string rows =
      b.node("strided_slice", "Slice",
             {b.node("Shape", "Shape", {"ncomm"}),
              b.constant("strided_slice/stack", Tensor::from_vector<int64_t>({1}, {0})),
              b.constant("strided_slice/stack_1", Tensor::from_vector<int64_t>({1}, {1}))});
  const std::string multiples = b.node(
      "Tile/multiples", "Concat",
      {rows, b.constant("Tile/multiples/1", Tensor::from_vector<int64_t>({1}, {1}))}, {{"axis", int64_t(0)}});
  const std::string tiled = b.node("Tile", "Tile", {"comm", multiples});
  const std::string joined = b.node("concat", "Concat", {tiled, "ncomm"}, {{"axis", int64_t(1)}});
  std::string x = b.node("Cast", "Cast", {joined}, {{"to", int64_t(DType::kF32)}});

  x = batch_norm_ir(b, "dqm_bn", model.input_bn, x);
  for (size_t i = 0; i < model.prelu.size(); ++i)
    x = prelu_layer_ir(b, fmt::format("fc{}_dqm", i + 1), model.prelu[i], x);
  x = dice_layer_ir(b, "fc5_dqm", model.dice, x);
  const std::string z =
      b.node("fc6_dqm/MatMul", "MatMul", {x, b.constant("fc6_dqm/MatMul/b", model.fc6_weight)});

  // concat_1 = [zeros_like(z) + 1e-7, 0.01 * (|z| + 1e-7)]
  const std::string zeros =
      b.node("zeros_like", "ConstantOfShape", {b.node("zeros_like/shape", "Shape", {z})},
             {{"value", Tensor::from_vector<float>({1}, {0.f})}});
  const std::string first = b.node("add", "Add", {zeros, b.scalar("add/y", 1e-7f)});
  const std::string abs_eps = b.node("add_1", "Add", {b.node("Abs", "Abs", {z}), b.scalar("add_1/y", 1e-7f)});
  const std::string second = b.node("mul", "Mul", {abs_eps, b.scalar("mul/y", 0.01f)});
  b.node("concat_1", "Concat", {first, second}, {{"axis", int64_t(1)}});
  return g;
}

SampleFile dqm_like_samples(const DqmLikeModel& model, uint64_t seed, int64_t count) {
  constexpr int64_t kMaxRows = 511;
  PortableRng rng(seed ^ 0x5A4D504C45535F31ull);  // a stream independent of the weights' stream
  const Tensor& mean = model.input_bn.mean;
  const Tensor& variance = model.input_bn.variance;
  auto feature = [&](int64_t column) {
    return rng.normal(mean.as_double(column), std::sqrt(variance.as_double(column)));
  };
  SampleFile file;
  file.output_names = {"concat_1"};
  for (int64_t s = 0; s < count; ++s) {
    const int64_t rows = s == 0 ? 1 : s == 1 ? kMaxRows : s == 2 ? 2 : rng.uniform_int(1, kMaxRows);
    Tensor comm(DType::kF32, {1, Model::kCommWidth});
    for (int64_t c = 0; c < Model::kCommWidth; ++c) comm.data<float>()[c] = float(feature(c));
    Tensor ncomm(DType::kF32, {rows, Model::kNcommWidth});
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < Model::kNcommWidth; ++c)
        ncomm.data<float>()[r * Model::kNcommWidth + c] = float(feature(Model::kCommWidth + c));
    file.samples.push_back(TensorMap{{"comm", comm.to(DType::kF16)}, {"ncomm", ncomm.to(DType::kF16)}});
  }
  return file;
}

}  // namespace rankrt
