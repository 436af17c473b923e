// MatMul (1-D promotion, batch broadcasting, integers) and Gemm (transposes, alpha/beta, C
// broadcast) against naive double-precision loops.
#include "op_test_util.h"

namespace rankrt::test {
namespace {

// Reference batched matmul on [B?, M, K] x [B?, K, N] with independent batch broadcasting.
std::vector<double> matmul_ref(const Tensor& a, const Tensor& b, const std::vector<int64_t>& out_batch,
                               int64_t m, int64_t k, int64_t n) {
  std::vector<int64_t> a_batch(a.dims().begin(), a.dims().end() - std::min<int64_t>(2, a.rank()));
  std::vector<int64_t> b_batch(b.dims().begin(), b.dims().end() - std::min<int64_t>(2, b.rank()));
  if (a.rank() == 1) a_batch.clear();
  if (b.rank() == 1) b_batch.clear();
  std::vector<double> out;
  for (int64_t bi = 0; bi < num_elements(out_batch); ++bi) {
    const int64_t ab = broadcast_source_index(a_batch, out_batch, bi),
                  bb = broadcast_source_index(b_batch, out_batch, bi);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t p = 0; p < k; ++p)
          acc += a.as_double(ab * m * k + i * k + p) * b.as_double(bb * k * n + p * n + j);
        out.push_back(acc);
      }
  }
  return out;
}

struct MatMulCase {
  std::vector<int64_t> a, b, out_batch, out;
  int64_t m, k, n;
};

TEST(MatMulOps, NumpySemantics) {
  const std::vector<MatMulCase> cases = {
      {{3, 5}, {5, 4}, {}, {3, 4}, 3, 5, 4},
      {{2, 3, 5}, {5, 4}, {2}, {2, 3, 4}, 3, 5, 4},
      {{3, 5}, {2, 5, 4}, {2}, {2, 3, 4}, 3, 5, 4},
      {{2, 1, 3, 5}, {4, 5, 2}, {2, 4}, {2, 4, 3, 2}, 3, 5, 2},
      {{5}, {5, 4}, {}, {4}, 1, 5, 4},
      {{3, 5}, {5}, {}, {3}, 3, 5, 1},
      {{5}, {5}, {}, {}, 1, 5, 1},
      {{2, 3, 5}, {5}, {2}, {2, 3}, 3, 5, 1},
  };
  uint32_t seed = 200;
  for (const MatMulCase& c : cases) {
    SCOPED_TRACE(dims_to_string(c.a) + " x " + dims_to_string(c.b));
    Tensor a = random_tensor(DType::kF32, c.a, -2, 2, seed++);
    Tensor b = random_tensor(DType::kF32, c.b, -2, 2, seed++);
    const std::vector<double> expected = matmul_ref(a, b, c.out_batch, c.m, c.k, c.n);
    expect_tensor_near(run_op("MatMul", {a, b}, {}, DType::kF32), c.out, expected, 1e-5, 1e-5);
    expect_tensor_near(run_op("MatMul", {a, b}, {}, DType::kF64), c.out, expected, 1e-13, 1e-13);
  }
}

TEST(MatMulOps, IntegerMatMul) {
  Tensor a = Tensor::from_vector<int32_t>({2, 2}, {1, 2, 3, 4});
  Tensor b = Tensor::from_vector<int32_t>({2, 2}, {5, -6, 7, 8});
  Tensor y = run_op("MatMul", {a, b}, {}, DType::kF32);
  EXPECT_EQ(y.dtype(), DType::kI32);
  EXPECT_EQ(y.to_int64_vector(), (std::vector<int64_t>{19, 10, 43, 14}));
}

TEST(MatMulOps, SymbolicInference) {
  ValueState x = state(DType::kF32, {Dim::sym("N"), Dim(560)});
  ValueState w = state(DType::kF32, {Dim(560), Dim(832)});
  EXPECT_EQ(infer_single_op("MatMul", {&x, &w}, {})[0].shape, (Shape{Dim::sym("N"), Dim(832)}));
  ValueState bad = state(DType::kF32, {Dim(561), Dim(8)});
  EXPECT_THROW(infer_single_op("MatMul", {&x, &bad}, {}), Error);
  ValueState scalar = state(DType::kF32, {});
  EXPECT_THROW(infer_single_op("MatMul", {&scalar, &w}, {}), Error);
  ValueState batched = state(DType::kF32, {Dim::sym("B"), Dim(1), Dim(3), Dim(560)});
  EXPECT_EQ(infer_single_op("MatMul", {&batched, &w}, {})[0].shape,
            (Shape{Dim::sym("B"), Dim(1), Dim(3), Dim(832)}));
}

TEST(MatMulOps, GemmTransposesAlphaBetaAndBroadcastC) {
  const int64_t m = 3, k = 4, n = 5;
  uint32_t seed = 300;
  for (int ta = 0; ta < 2; ++ta) {
    for (int tb = 0; tb < 2; ++tb) {
      for (const std::vector<int64_t>& cd : std::vector<std::vector<int64_t>>{{}, {n}, {m, 1}, {m, n}, {1}}) {
        SCOPED_TRACE(fmt::format("transA={} transB={} C={}", ta, tb, dims_to_string(cd)));
        Tensor a = random_tensor(DType::kF32, ta ? std::vector<int64_t>{k, m} : std::vector<int64_t>{m, k},
                                 -2, 2, seed++);
        Tensor b = random_tensor(DType::kF32, tb ? std::vector<int64_t>{n, k} : std::vector<int64_t>{k, n},
                                 -2, 2, seed++);
        Tensor c = random_tensor(DType::kF32, cd, -2, 2, seed++);
        const double alpha = 0.75, beta = -1.5;
        std::vector<double> expected;
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) {
            double acc = 0;
            for (int64_t p = 0; p < k; ++p)
              acc += a.as_double(ta ? p * m + i : i * k + p) * b.as_double(tb ? j * k + p : p * n + j);
            expected.push_back(alpha * acc +
                               beta * c.as_double(broadcast_source_index(cd, {m, n}, i * n + j)));
          }
        const AttributeMap attrs = {
            {"transA", int64_t(ta)}, {"transB", int64_t(tb)}, {"alpha", alpha}, {"beta", beta}};
        expect_tensor_near(run_op("Gemm", {a, b, c}, attrs, DType::kF32), {m, n}, expected, 1e-5, 1e-5);
        expect_tensor_near(run_op("Gemm", {a, b, c}, attrs, DType::kF64), {m, n}, expected, 1e-13, 1e-13);
      }
    }
  }
}

TEST(MatMulOps, GemmWithoutC) {
  Tensor a = random_tensor(DType::kF32, {2, 3}, -2, 2, 401);
  Tensor b = random_tensor(DType::kF32, {3, 4}, -2, 2, 402);
  const std::vector<double> expected = matmul_ref(a, b, {}, 2, 3, 4);
  expect_tensor_near(run_op("Gemm", {a, b}, {}, DType::kF64), {2, 4}, expected, 1e-13, 1e-13);
  ValueState as = state(DType::kF32, {Dim::sym("N"), Dim(3)});
  ValueState bs = state(DType::kF32, {Dim(3), Dim(4)});
  ValueState cbad = state(DType::kF32, {Dim(3)});
  EXPECT_EQ(infer_single_op("Gemm", {&as, &bs}, {})[0].shape, (Shape{Dim::sym("N"), Dim(4)}));
  EXPECT_THROW(infer_single_op("Gemm", {&as, &bs, &cbad}, {}), Error);
  EXPECT_THROW(infer_single_op("Gemm", {&as, &bs}, {{"transB", int64_t(1)}}), Error);
}

}  // namespace
}  // namespace rankrt::test
