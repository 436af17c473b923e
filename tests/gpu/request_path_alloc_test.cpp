// The zero-allocation request path: after a warm-up that captures the CUDA graphs, 1,000
// requests through input_staging / enqueue / wait make no heap and no CUDA allocation on the
// requesting thread (the CUDA driver's own helper threads may allocate now and then: reported).
#include <cstring>

#include "backends/cuda/cuda_engine.h"
#include "gpu/alloc_counter.h"
#include "gpu/dqm_like_graph.h"

namespace rankrt::test {

TEST(RequestPath, NoAllocationOverAThousandRequests) {
  if (RANKRT_SANITIZED) GTEST_SKIP() << "the sanitizer owns malloc: allocations are not counted";
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(41);
  Graph g = dqm_like_graph(rng);
  infer_shapes(g);
  const std::vector<int64_t> counts{1, 7, 64, 100, 256};
  const Tensor x = random_tensor(rng, DType::kF32, {256, 24}), comm = random_tensor(rng, DType::kF32, {1, 8});
  for (bool buckets : {false, true}) {
    auto engine = dqm_like_cuda_engine(g, buckets);
    auto owner = engine->create_context();
    auto& ctx = dynamic_cast<cuda::CudaExecutionContext&>(*owner);
    std::memcpy(ctx.input_staging(1), comm.raw(), comm.nbytes());
    auto request = [&](int64_t rows) {
      std::memcpy(ctx.input_staging(0), x.raw(), size_t(rows * 24) * sizeof(float));
      ctx.enqueue(rows);
      ctx.wait();
    };
    for (int64_t rows : counts) request(rows);  // warm-up: captures the graphs
    start_counting_allocations();
    for (int i = 0; i < 1000; ++i) request(counts[size_t(i) % counts.size()]);
    const AllocCounts c = stop_counting_allocations();
    EXPECT_EQ(c.heap_allocs, 0) << "buckets=" << buckets;
    EXPECT_EQ(c.heap_frees, 0) << "buckets=" << buckets;
    EXPECT_EQ(c.cuda_allocs, 0) << "buckets=" << buckets;
    EXPECT_EQ(c.cuda_frees, 0) << "buckets=" << buckets;
    std::printf(
        "request path (%s): %lld heap allocs, %lld cuda allocs over 1000 requests (%lld heap allocs by other "
        "threads)\n",
        engine->description().c_str(), static_cast<long long>(c.heap_allocs),
        static_cast<long long>(c.cuda_allocs), static_cast<long long>(c.other_thread_heap_allocs));
  }
}

}  // namespace rankrt::test
