// The request path of a CPU execution context allocates nothing in rankrt's code: counts every
// operator new / malloc / calloc / aligned allocation across 1,000 requests through execute().
#include <atomic>
#include <cstdlib>
#include <new>

#include "backends/cpu/cpu_engine.h"
#include "backends/cpu_test_util.h"
#include "passes/pipeline.h"
#include "sanitized.h"

namespace {
std::atomic<int64_t> g_allocations{0};
}

#if !RANKRT_SANITIZED
extern "C" void* __libc_malloc(size_t);
extern "C" void* __libc_calloc(size_t, size_t);
extern "C" void* __libc_memalign(size_t, size_t);

extern "C" void* malloc(size_t n) {
  ++g_allocations;
  return __libc_malloc(n);
}
extern "C" void* calloc(size_t count, size_t n) {
  ++g_allocations;
  return __libc_calloc(count, n);
}
extern "C" int posix_memalign(void** p, size_t alignment, size_t n) {
  ++g_allocations;
  *p = __libc_memalign(alignment, n);
  return *p ? 0 : ENOMEM;
}
extern "C" void* aligned_alloc(size_t alignment, size_t n) {
  ++g_allocations;
  return __libc_memalign(alignment, n);
}
void* operator new(size_t n) {
  ++g_allocations;
  if (void* p = __libc_malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
#endif

namespace rankrt::test {

namespace {

// Allocations made by 1,000 requests of 1..64 rows through the zero-allocation API (threads > 1:
// those of >= 2 rows split into row slices).
int64_t allocations_over_requests(const Graph& graph, std::mt19937& rng, int64_t* dense_layers,
                                  const std::string& precision = "fp32", int threads = 1) {
  Graph g = graph;
  optimize(g);  // as build_engine does
  cpu::CpuOptions options;
  options.threads = threads;
  options.precision = precision;
  options.profile = {1, 64, 64};
  options.split_rows = 2;
  auto engine = cpu::build_cpu_engine(g, options);
  auto context = engine->create_context();
  auto* ctx = dynamic_cast<cpu::CpuExecutionContext*>(context.get());
  EXPECT_NE(ctx, nullptr);
  if (!ctx) return -1;
  std::vector<Tensor> inputs;
  for (const ValueInfo& in : g.inputs)
    inputs.push_back(random_tensor(rng, in.dtype, {64, in.shape[1].value}));
  std::vector<int64_t> rows(1000);
  for (int64_t& r : rows) r = std::uniform_int_distribution<int64_t>(1, 64)(rng);
  ctx->execute(64);  // warm-up: oneDNN's first run and OpenMP's thread pool
  *dense_layers = 0;
  for (const Node& n : g.nodes) *dense_layers += n.op == "Dense";
  const int64_t before = g_allocations.load();
  for (int64_t r : rows) {
    for (size_t i = 0; i < inputs.size(); ++i)
      std::memcpy(ctx->input_buffer(i), inputs[i].raw(), size_t(r) * inputs[i].nbytes() / 64);
    ctx->execute(r);
  }
  return g_allocations.load() - before;
}

}  // namespace

// Casts, elementwise ops, Expand and Concat (every step but oneDNN's): no allocation at all.
TEST(CpuAllocation, OwnStepsAllocateNothing) {
  if (RANKRT_SANITIZED) GTEST_SKIP() << "the sanitizer owns malloc: allocations are not counted";
  std::mt19937 rng(31);
  Graph g;
  g.source = "alloc-test";
  g.inputs.push_back({"h", DType::kF16, {Dim::sym("N"), 8}, true});
  g.initializers["s"] = random_tensor(rng, DType::kF32, {1, 8});
  g.initializers["eps"] = Tensor::from_vector<float>({1, 1}, {1e-7f});
  g.nodes.push_back({"cast", "Cast", {"h"}, {"x"}, {{"to", int64_t(DType::kF32)}}});
  g.nodes.push_back({"mul", "Mul", {"x", "s"}, {"m"}, {}});
  g.nodes.push_back({"abs", "Abs", {"m"}, {"a"}, {}});
  g.nodes.push_back({"shape", "Shape", {"a"}, {"a_shape"}, {}});
  g.nodes.push_back({"eps_n", "Expand", {"eps", "a_shape"}, {"e"}, {}});
  g.nodes.push_back({"concat", "Concat", {"a", "e"}, {"y"}, {{"axis", int64_t(1)}}});
  g.outputs.push_back({"y", DType::kF32, {}, false});
  int64_t dense = 0;
  EXPECT_EQ(allocations_over_requests(g, rng, &dense), 0);
  EXPECT_EQ(allocations_over_requests(g, rng, &dense, "fp32", 2), 0);  // row slices on two threads
}

// With Dense layers the only allocations are oneDNN's own per primitive execution (the argument
// map dnnl_primitive_execute builds): at most 6 per layer and request in fp32 and bf16 (whose input
// conversion allocates nothing); in int8 oneDNN 2.6's s8 gemm path allocates more inside
// dnnl_primitive_execute (measured per execution: 9.5 with VNNI, 14.5 under
// ONEDNN_MAX_CPU_ISA=AVX2; the quantization allocates nothing).
TEST(CpuAllocation, DenseRequestsAllocateOnlyInsideOneDnn) {
  if (RANKRT_SANITIZED) GTEST_SKIP() << "the sanitizer owns malloc: allocations are not counted";
  std::mt19937 rng(32);
  Graph g;
  g.source = "alloc-dense-test";
  g.inputs.push_back({"x", DType::kF32, {Dim::sym("N"), 32}, true});
  g.initializers["w1"] = random_tensor(rng, DType::kF32, {32, 16});
  g.initializers["b1"] = random_tensor(rng, DType::kF32, {16});
  g.initializers["a1"] = random_tensor(rng, DType::kF32, {16});
  g.initializers["w2"] = random_tensor(rng, DType::kF32, {16, 8});
  g.initializers["d0"] = random_tensor(rng, DType::kF32, {8});
  g.initializers["d1"] = random_tensor(rng, DType::kF32, {8});
  g.initializers["d2"] = random_tensor(rng, DType::kF32, {8});
  g.nodes.push_back({"fc1", "Dense", {"x", "w1", "b1", "a1"}, {"h"}, {{"activation", std::string("prelu")}}});
  g.nodes.push_back(
      {"fc2", "Dense", {"h", "w2", "", "d0", "d1", "d2"}, {"y"}, {{"activation", std::string("dice")}}});
  g.outputs.push_back({"y", DType::kF32, {}, false});
  for (const auto& [precision, limit] : {std::pair{"fp32", 6}, std::pair{"bf16", 6}, std::pair{"int8", 16}}) {
    if (precision == std::string("bf16") && !cpu_bf16_supported()) continue;
    int64_t dense = 0;
    const int64_t allocations = allocations_over_requests(g, rng, &dense, precision);
    std::printf("%s: 1,000 requests, %lld Dense layers: %lld allocations (%.1f per oneDNN execution)\n",
                precision, static_cast<long long>(dense), static_cast<long long>(allocations),
                double(allocations) / (1000.0 * double(dense)));
    EXPECT_EQ(dense, 2);
    EXPECT_LE(allocations, 1000 * dense * limit) << precision;
  }
  // Row slices on two threads: each slice executes every layer.
  int64_t dense = 0;
  const int64_t allocations = allocations_over_requests(g, rng, &dense, "fp32", 2);
  std::printf("fp32, 2 row slices: 1,000 requests: %lld allocations\n", static_cast<long long>(allocations));
  EXPECT_LE(allocations, 1000 * dense * 2 * 6);
}

}  // namespace rankrt::test
