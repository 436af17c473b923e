// The CUDA kernels beyond Dense / elementwise (reductions, normalisations, data movement,
// activation x activation MatMul, Gemm) against the FP64 reference on fresh random inputs.
#include "gpu/gpu_test_util.h"

namespace rankrt::test {

namespace {

// One node over graph input "x" [N, dims...] (plus `extra` inputs / initializers) -> "y".
struct OneNode {
  Graph g;
  OneNode(const std::string& op, std::vector<int64_t> dims, AttributeMap attrs = {}) {
    g.source = op + "-test";
    Shape shape{Dim::sym("N")};
    for (int64_t d : dims) shape.push_back(Dim(d));
    g.inputs.push_back({"x", DType::kF32, shape, true});
    g.nodes.push_back({"node", op, {"x"}, {"y"}, std::move(attrs)});
    g.outputs.push_back({"y", DType::kF32, {}, false});
  }
  OneNode& constant(const std::string& name, Tensor t) {
    g.initializers[name] = std::move(t);
    g.nodes[0].inputs.push_back(name);
    return *this;
  }
  OneNode& omitted() {
    g.nodes[0].inputs.push_back("");
    return *this;
  }
  OneNode& input(const std::string& name, DType dtype, Shape shape) {
    g.inputs.push_back({name, dtype, std::move(shape), true});
    g.nodes[0].inputs.push_back(name);
    return *this;
  }
};

Tensor ints(std::vector<int64_t> v) { return Tensor::from_vector<int64_t>({int64_t(v.size())}, v); }

// Runs `g` at several row counts with random x of shape [rows, dims...] and extra random inputs.
void expect_matches(const Graph& g, std::mt19937& rng, double tol, const std::string& what) {
  for (int64_t rows : {1, 5, 64, 300}) {
    TensorMap in;
    for (const ValueInfo& v : g.inputs) {
      std::vector<int64_t> dims;
      for (const Dim& d : v.shape) dims.push_back(d.is_known() ? d.value : rows);
      if (v.dtype == DType::kBool) {
        std::vector<bool> bits;
        for (int64_t i = 0, n = num_elements(dims); i < n; ++i) bits.push_back(rng() % 2 == 0);
        in[v.name] = Tensor::from_vector<bool>(dims, bits);
      } else if (v.dtype == DType::kI32) {
        std::vector<int32_t> idx;
        for (int64_t i = 0, n = num_elements(dims); i < n; ++i) idx.push_back(int32_t(rng() % 40) - 20);
        in[v.name] = Tensor::from_vector<int32_t>(dims, idx);
      } else {
        in[v.name] = random_tensor(rng, v.dtype, dims);
      }
    }
    EXPECT_LT(cuda_vs_reference(g, in), tol) << what << " rows=" << rows;
  }
}

}  // namespace

TEST(CudaKernels, Softmax) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(21);
  for (int64_t axis : {-1, 1, 0, 2})
    expect_matches(OneNode("Softmax", {6, 33}, {{"axis", axis}}).g, rng, 1e-5, "softmax");
}

TEST(CudaKernels, Reductions) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(22);
  for (const std::string op : {"ReduceSum", "ReduceMean", "ReduceMax"}) {
    for (const std::vector<int64_t>& axes :
         std::vector<std::vector<int64_t>>{{2}, {1, 2}, {-2}, {0}, {0, 1}}) {
      for (int64_t keep : {0, 1}) {
        OneNode n(op, {4, 300}, {{"keepdims", keep}});
        n.constant("axes", ints(axes));
        expect_matches(n.g, rng, 1e-5, op);
      }
    }
  }
}

TEST(CudaKernels, LayerAndBatchNormalization) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(23);
  for (int64_t axis : {-1, -2}) {
    for (bool bias : {false, true}) {
      const std::vector<int64_t> norm = axis == -1 ? std::vector<int64_t>{40} : std::vector<int64_t>{3, 40};
      OneNode n("LayerNormalization", {3, 40}, {{"axis", axis}, {"epsilon", 1e-3}});
      n.constant("scale", random_tensor(rng, DType::kF32, norm, 0.5, 1.5));
      if (bias) n.constant("bias", random_tensor(rng, DType::kF32, norm));
      expect_matches(n.g, rng, 1e-5, "layernorm");
    }
  }
  OneNode bn("BatchNormalization", {3, 7}, {{"epsilon", 1e-3}});
  bn.constant("scale", random_tensor(rng, DType::kF32, {3}))
      .constant("B", random_tensor(rng, DType::kF32, {3}))
      .constant("mean", random_tensor(rng, DType::kF32, {3}))
      .constant("var", random_tensor(rng, DType::kF32, {3}, 0.5, 2.0));
  expect_matches(bn.g, rng, 1e-5, "batchnorm");
}

TEST(CudaKernels, ClipGeluWhere) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(24);
  OneNode clip("Clip", {17});
  clip.constant("min", Tensor::scalar<float>(-0.3f)).constant("max", Tensor::scalar<float>(0.6f));
  expect_matches(clip.g, rng, 1e-6, "clip");
  OneNode clip_max("Clip", {17});
  clip_max.omitted().constant("max", Tensor::scalar<float>(0.2f));
  expect_matches(clip_max.g, rng, 1e-6, "clip max only");
  for (const std::string approximate : {"none", "tanh"})
    expect_matches(OneNode("Gelu", {3, 9}, {{"approximate", approximate}}).g, rng, 1e-5,
                   "gelu " + approximate);
  Graph where;
  where.source = "where-test";
  where.inputs.push_back({"c", DType::kBool, {Dim::sym("N"), 8}, true});
  where.inputs.push_back({"x", DType::kF32, {Dim::sym("N"), 1}, true});
  where.initializers["y"] = random_tensor(rng, DType::kF32, {8});
  where.nodes.push_back({"node", "Where", {"c", "x", "y"}, {"out"}, {}});
  where.outputs.push_back({"out", DType::kF32, {}, false});
  expect_matches(where, rng, 1e-7, "where");
}

TEST(CudaKernels, TransposeSliceSplitTile) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(25);
  expect_matches(OneNode("Transpose", {3, 4, 5}, {{"perm", std::vector<int64_t>{2, 0, 3, 1}}}).g, rng, 1e-7,
                 "transpose");
  expect_matches(OneNode("Transpose", {3, 4}).g, rng, 1e-7, "transpose default perm");
  struct SliceCase {
    std::vector<int64_t> starts, ends, axes, steps;
  };
  for (const SliceCase& c : std::vector<SliceCase>{{{1, 2}, {9, -1}, {1, 2}, {1, 2}},
                                                   {{-1}, {-100}, {1}, {-1}},
                                                   {{8, 6}, {0, 1}, {-2, -1}, {-3, -2}},
                                                   {{2}, {100}, {2}, {3}}}) {
    OneNode n("Slice", {10, 8});
    n.constant("starts", ints(c.starts)).constant("ends", ints(c.ends)).constant("axes", ints(c.axes));
    n.constant("steps", ints(c.steps));
    expect_matches(n.g, rng, 1e-7, "slice");
  }
  OneNode split("Split", {10, 3}, {{"axis", int64_t(1)}});
  split.constant("split", ints({3, 7}));
  split.g.nodes[0].outputs = {"y", "z"};
  split.g.outputs.push_back({"z", DType::kF32, {}, false});
  expect_matches(split.g, rng, 1e-7, "split");
  OneNode tile("Tile", {2, 3});
  tile.constant("repeats", ints({1, 3, 2}));
  expect_matches(tile.g, rng, 1e-7, "tile");
}

TEST(CudaKernels, GatherConstantAndRuntimeIndices) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(26);
  OneNode constant("Gather", {12, 4}, {{"axis", int64_t(1)}});
  constant.constant("indices", ints({5, -1, 0, 11, -12}));
  expect_matches(constant.g, rng, 1e-7, "gather constant indices");
  Graph lookup;  // an embedding lookup: table [20, 6] (constant) indexed by int32 ids [N, 2]
  lookup.source = "gather-test";
  lookup.inputs.push_back({"ids", DType::kI32, {Dim::sym("N"), 2}, true});
  lookup.initializers["table"] = random_tensor(rng, DType::kF32, {20, 6});
  lookup.nodes.push_back({"node", "Gather", {"table", "ids"}, {"y"}, {{"axis", int64_t(0)}}});
  lookup.outputs.push_back({"y", DType::kF32, {}, false});
  expect_matches(lookup, rng, 1e-7, "gather runtime indices");
}

TEST(CudaKernels, ActivationMatMulAndGemm) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(27);
  OneNode bmm("MatMul", {4, 5});
  bmm.input("b", DType::kF32, {1, 5, 3});
  expect_matches(bmm.g, rng, 1e-5, "batched matmul, broadcast b");
  OneNode bmm2("MatMul", {4, 5});
  bmm2.input("b", DType::kF32, {Dim::sym("N"), 5, 7});
  expect_matches(bmm2.g, rng, 1e-5, "batched matmul");
  for (int64_t trans_b : {0, 1}) {
    OneNode gemm("Gemm", {16}, {{"transB", trans_b}, {"alpha", 0.5}, {"beta", 2.0}});
    gemm.constant("B", random_tensor(rng, DType::kF32,
                                     trans_b ? std::vector<int64_t>{8, 16} : std::vector<int64_t>{16, 8}));
    gemm.constant("C", random_tensor(rng, DType::kF32, {8}));
    expect_matches(gemm.g, rng, 1e-5, "gemm transB=" + std::to_string(trans_b));
  }
}

}  // namespace rankrt::test
