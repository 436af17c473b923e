// The CUDA context's caller-pinned I/O path (no staging copy; copies outside the graph) and its
// CUDA-event device timing: same outputs as run(), and a plausible H2D / compute / D2H split.
#include <cstring>

#include "backends/cuda/cuda_engine.h"
#include "backends/cuda/device_buffer.h"
#include "gpu/dqm_like_graph.h"

namespace rankrt::test {

TEST(HostIo, PinnedBuffersMatchStagedRunsAndAreTimed) {
  RANKRT_REQUIRE_GPU();
#ifdef RANKRT_HAVE_CUDA  // the pinned buffers need the CUDA runtime at link time
  std::mt19937 rng(43);
  Graph g = dqm_like_graph(rng);
  infer_shapes(g);
  const Tensor x = random_tensor(rng, DType::kF32, {256, 24}), comm = random_tensor(rng, DType::kF32, {1, 8});
  for (bool buckets : {false, true}) {
    auto engine = dqm_like_cuda_engine(g, buckets);
    auto owner = engine->create_context();
    auto& ctx = dynamic_cast<cuda::CudaExecutionContext&>(*owner);
    ctx.enable_device_timing();
    cuda::PinnedBuffer in_x(x.nbytes(), "test"), in_comm(comm.nbytes(), "test");
    std::memcpy(in_x.get(), x.raw(), x.nbytes());
    std::memcpy(in_comm.get(), comm.raw(), comm.nbytes());
    const std::string output = g.outputs.at(0).name;
    cuda::PinnedBuffer out(size_t(256) * 1024, "test");
    for (int64_t rows : {1, 7, 100, 256}) {
      Tensor head(DType::kF32, {rows, 24});
      std::memcpy(head.raw(), x.raw(), head.nbytes());
      TensorMap inputs{{g.inputs[0].name, head}, {g.inputs[1].name, comm}};
      const Tensor expected = ctx.run(inputs).at(output);
      const void* in[] = {in_x.get(), in_comm.get()};
      void* outs[] = {out.get()};
      ctx.enqueue(rows, in, outs);
      ctx.wait();
      EXPECT_EQ(std::memcmp(out.get(), expected.raw(), expected.nbytes()), 0) << "rows " << rows;
      const std::optional<DeviceTimes> t = ctx.device_times();
      ASSERT_TRUE(t.has_value());
      EXPECT_GT(t->h2d_us, 0);
      EXPECT_GT(t->compute_us, 0);
      EXPECT_GT(t->d2h_us, 0);
      EXPECT_LT(t->h2d_us + t->compute_us + t->d2h_us, 1e6);
    }
  }
#endif
}

// run() copies page-locked inputs (Engine::pin_host_memory) without staging: same outputs.
TEST(HostIo, PageLockedSamplesMatchPageableOnes) {
  RANKRT_REQUIRE_GPU();
  std::mt19937 rng(44);
  Graph g = dqm_like_graph(rng);
  infer_shapes(g);
  auto engine = dqm_like_cuda_engine(g, false);
  auto ctx = engine->create_context();
  std::vector<TensorMap> samples;
  for (int64_t rows : {1, 9, 256})
    samples.push_back({{g.inputs[0].name, random_tensor(rng, DType::kF32, {rows, 24})},
                       {g.inputs[1].name, random_tensor(rng, DType::kF32, {1, 8})}});
  std::vector<Tensor> expected;
  for (const TensorMap& s : samples) expected.push_back(ctx->run(s).at(g.outputs[0].name));
  const std::shared_ptr<void> pinned = engine->pin_host_memory(samples);
  ASSERT_TRUE(pinned);
  for (size_t i = 0; i < samples.size(); ++i) {
    const Tensor out = ctx->run(samples[i]).at(g.outputs[0].name);
    EXPECT_EQ(std::memcmp(out.raw(), expected[i].raw(), out.nbytes()), 0) << i;
  }
}

}  // namespace rankrt::test
