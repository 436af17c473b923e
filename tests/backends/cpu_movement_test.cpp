// Data movement on the CPU backend for every dtype it stores (float16, bfloat16, float32, int32,
// int64, bool): Expand and Tile by broadcast (shapes from Shape of a per-candidate input, as in
// DQM before the Cast to float32), ConstantOfShape and Concat, exact against the reference.
#include "backends/cpu_test_util.h"

namespace rankrt::test {
namespace {

// comm [1,3] broadcast to b's [N,3] by Expand and by Tile([N,1]), a fill of b's shape, then
// Concat(expanded, tiled, fill, b) along the columns: [N,12] of `dtype`.
Graph movement_graph(DType dtype) {
  Graph g;
  g.source = "movement-test";
  g.inputs.push_back({"comm", dtype, {1, 3}, true});
  g.inputs.push_back({"b", dtype, {Dim::sym("N"), 3}, true});
  g.initializers["zero"] = Tensor::from_vector<int64_t>({1}, {0});
  g.initializers["one"] = Tensor::from_vector<int64_t>({1}, {1});
  g.nodes.push_back({"shape", "Shape", {"b"}, {"s"}, {}});
  g.nodes.push_back({"rows", "Slice", {"s", "zero", "one"}, {"n"}, {}});
  g.nodes.push_back({"repeats", "Concat", {"n", "one"}, {"r"}, {{"axis", int64_t(0)}}});
  g.nodes.push_back({"tile", "Tile", {"comm", "r"}, {"t"}, {}});
  g.nodes.push_back({"expand", "Expand", {"comm", "s"}, {"e"}, {}});
  g.nodes.push_back({"concat", "Concat", {"e", "t", "b"}, {"y"}, {{"axis", int64_t(1)}}});
  g.outputs.push_back({"y", dtype, {}, false});
  if (!is_float(dtype) || dtype == DType::kF32) {  // a float16 fill value is stored as float32
    g.nodes.push_back({"fill", "ConstantOfShape", {"s"}, {"f"}, {{"value", Tensor(dtype, {1})}}});
    g.nodes.back().attrs["value"] = Tensor::from_vector<int64_t>({1}, {7}).to(dtype);
    g.outputs.push_back({"f", dtype, {}, false});
  }
  return g;
}

TEST(CpuMovement, BroadcastTileFillConcatEveryDtype) {
  std::mt19937 rng(31);
  for (DType dtype : {DType::kF16, DType::kBF16, DType::kF32, DType::kI32, DType::kI64, DType::kBool}) {
    const Graph g = movement_graph(dtype);
    for (int64_t rows : {1, 5, 300}) {
      const TensorMap in{{"comm", random_tensor(rng, dtype, {1, 3}, -50, 50)},
                         {"b", random_tensor(rng, dtype, {rows, 3}, -50, 50)}};
      EXPECT_EQ(cpu_vs_reference(g, in), 0.0) << dtype_name(dtype) << " N=" << rows;
    }
  }
}

}  // namespace
}  // namespace rankrt::test
