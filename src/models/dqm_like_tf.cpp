// DQM-like model as a TensorFlow frozen graph with the real DQM graph's op patterns and names.
#include "import/tf/tf_writer.h"
#include "models/dqm_like.h"

namespace rankrt {

namespace {

tf::AttrValue f32_type() { return tf_type_attr(DType::kF32); }
tf::AttrValue f16_type() { return tf_type_attr(DType::kF16); }
tf::AttrValue i32_type() { return tf_type_attr(DType::kI32); }

// Float32 element-wise op.
std::string f32_op(TfGraphBuilder& b, const std::string& name, const std::string& op,
                   const std::vector<std::string>& inputs) {
  return b.add(name, op, inputs, {{"T", f32_type()}});
}

std::string matmul(TfGraphBuilder& b, const std::string& p, const Tensor& weight, const std::string& x) {
  return b.add(
      p + "/MatMul", "MatMul", {x, b.constant(p + "/MatMul/b", weight)},
      {{"T", f32_type()}, {"transpose_a", tf_bool_attr(false)}, {"transpose_b", tf_bool_attr(false)}});
}

// Shape(x)[begin] as an int32 scalar (StridedSlice with shrink_axis_mask).
std::string shape_dim(TfGraphBuilder& b, const std::string& shape_name, const std::string& slice_name,
                      const std::string& x, DType x_dtype, int32_t begin) {
  const std::string shape =
      b.add(shape_name, "Shape", {x}, {{"T", tf_type_attr(x_dtype)}, {"out_type", i32_type()}});
  auto index = [&](const std::string& suffix, int32_t v) {
    return b.constant(slice_name + suffix, Tensor::from_vector<int32_t>({1}, {v}));
  };
  const std::vector<std::string> inputs = {shape, index("/stack", begin), index("/stack_1", begin + 1),
                                           index("/stack_2", 1)};
  return b.add(slice_name, "StridedSlice", inputs,
               {{"Index", i32_type()},
                {"T", i32_type()},
                {"begin_mask", tf_int_attr(0)},
                {"ellipsis_mask", tf_int_attr(0)},
                {"end_mask", tf_int_attr(0)},
                {"new_axis_mask", tf_int_attr(0)},
                {"shrink_axis_mask", tf_int_attr(1)}});
}

std::string concat(TfGraphBuilder& b, const std::string& name, const std::vector<std::string>& inputs,
                   const tf::AttrValue& type) {
  std::vector<std::string> all = inputs;
  all.push_back(b.constant(name + "/axis", Tensor::scalar<int32_t>(1)));
  return b.add(name, "ConcatV2", all,
               {{"N", tf_int_attr(int64_t(inputs.size()))}, {"T", type}, {"Tidx", i32_type()}});
}

std::string batch_norm(TfGraphBuilder& b, const std::string& p, const DqmBatchNorm& bn,
                       const std::string& x) {
  const std::string rsqrt = f32_op(b, p + "/Rsqrt", "Rsqrt", {b.constant(p + "/Rsqrt/x", bn.variance)});
  const std::string scale = f32_op(b, p + "/mul", "Mul", {rsqrt, b.constant(p + "/mul/y", bn.gamma)});
  const std::string scaled_mean =
      f32_op(b, p + "/mul_1", "Mul", {scale, b.constant(p + "/mul_1/y", bn.mean)});
  const std::string shift = f32_op(b, p + "/sub", "Sub", {b.constant(p + "/sub/x", bn.beta), scaled_mean});
  return f32_op(b, p + "/add", "AddV2", {f32_op(b, p + "/mul_2", "Mul", {scale, x}), shift});
}

std::string prelu_layer(TfGraphBuilder& b, const std::string& p, const DqmPreluLayer& layer,
                        const std::string& x) {
  const std::string biased =
      f32_op(b, p + "/add", "AddV2", {matmul(b, p, layer.weight, x), b.constant(p + "/add/y", layer.bias)});
  const std::string bn = batch_norm(b, p + "/" + p + "/bn", layer.bn, biased);
  const Tensor zero = Tensor::scalar<float>(0.f);
  const std::string pos = f32_op(b, p + "/Maximum", "Maximum", {b.constant(p + "/Maximum/x", zero), bn});
  const std::string neg = f32_op(b, p + "/Minimum", "Minimum", {b.constant(p + "/Minimum/x", zero), bn});
  const std::string scaled = f32_op(b, p + "/mul", "Mul", {b.constant(p + "/mul/x", layer.alpha), neg});
  return f32_op(b, p + "/add_1", "AddV2", {pos, scaled});
}

std::string dice_layer(TfGraphBuilder& b, const std::string& p, const DqmDiceLayer& layer,
                       const std::string& x) {
  const std::string biased =
      f32_op(b, p + "/add", "AddV2", {matmul(b, p, layer.weight, x), b.constant(p + "/add/y", layer.bias)});
  const std::string rsqrt = f32_op(b, p + "/Rsqrt", "Rsqrt", {b.constant(p + "/Rsqrt/x", layer.variance)});
  const std::string centered = f32_op(b, p + "/sub", "Sub", {biased, b.constant(p + "/sub/y", layer.mean)});
  const std::string prob =
      f32_op(b, p + "/Sigmoid", "Sigmoid", {f32_op(b, p + "/mul", "Mul", {rsqrt, centered})});
  const std::string one_minus =
      f32_op(b, p + "/sub_1", "Sub", {b.constant(p + "/sub_1/x", Tensor::scalar<float>(1.f)), prob});
  const std::string neg_part = f32_op(b, p + "/mul_1", "Mul", {one_minus, biased});
  const std::string scaled =
      f32_op(b, p + "/Mul_2", "Mul", {b.constant(p + "/Mul_2/x", layer.alpha), neg_part});
  return f32_op(b, p + "/add_1", "AddV2", {scaled, f32_op(b, p + "/mul_3", "Mul", {prob, biased})});
}

}  // namespace

tf::GraphDef dqm_like_graphdef(const DqmLikeModel& model) {
  TfGraphBuilder b;
  const std::string comm = b.placeholder("comm", DType::kF16, {1, DqmLikeModel::kCommWidth});
  const std::string ncomm = b.placeholder("ncomm", DType::kF16, {-1, DqmLikeModel::kNcommWidth});
  // Tile comm to one row per candidate, append the candidate features, cast to float32.
  const std::string rows = shape_dim(b, "Shape", "strided_slice", ncomm, DType::kF16, 0);
  const std::string multiples =
      b.add("Tile/multiples", "Pack", {rows, b.constant("Tile/multiples/1", Tensor::scalar<int32_t>(1))},
            {{"N", tf_int_attr(2)}, {"T", i32_type()}, {"axis", tf_int_attr(0)}});
  const std::string tiled =
      b.add("Tile", "Tile", {comm, multiples}, {{"T", f16_type()}, {"Tmultiples", i32_type()}});
  const std::string joined = concat(b, "concat", {tiled, ncomm}, f16_type());
  std::string x = b.add("Cast", "Cast", {joined},
                        {{"DstT", f32_type()}, {"SrcT", f16_type()}, {"Truncate", tf_bool_attr(false)}});

  x = batch_norm(b, "dqm_bn", model.input_bn, x);
  for (size_t i = 0; i < model.prelu.size(); ++i)
    x = prelu_layer(b, fmt::format("fc{}_dqm", i + 1), model.prelu[i], x);
  x = dice_layer(b, "fc5_dqm", model.dice, x);
  const std::string z = matmul(b, "fc6_dqm", model.fc6_weight, x);
  // The real graph also computes Shape(z)[1] without using it; kept so importers see the same graph.
  shape_dim(b, "Shape_1", "strided_slice_1", z, DType::kF32, 1);

  // concat_1 = [zeros_like(z) + 1e-7, 0.01 * (|z| + 1e-7)]
  const Tensor epsilon = Tensor::scalar<float>(1e-7f);
  const std::string first =
      f32_op(b, "add", "AddV2", {f32_op(b, "zeros_like", "ZerosLike", {z}), b.constant("add/y", epsilon)});
  const std::string abs_eps =
      f32_op(b, "add_1", "AddV2", {f32_op(b, "Abs", "Abs", {z}), b.constant("add_1/y", epsilon)});
  const std::string second =
      f32_op(b, "mul", "Mul", {abs_eps, b.constant("mul/y", Tensor::scalar<float>(0.01f))});
  concat(b, "concat_1", {first, second}, f32_type());

  tf::GraphDef graph = b.graph();
  graph.mutable_versions()->set_producer(134);
  return graph;
}

}  // namespace rankrt
