// CUDA engine plans: build -> save -> load gives bit-identical outputs on every DQM sample, the
// loaded engine reuses the stored GEMM algorithms, and loading is fast.
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "gpu/gpu_test_util.h"
#include "io/samples.h"
#include "plan/plan_builder.h"

namespace rankrt::test {

TEST(CudaPlan, RoundTripIsBitIdenticalAndLoadsFast) {
  RANKRT_REQUIRE_GPU();
  const char* env = std::getenv("RANKRT_DQM_DIR");
  const std::string dir = env ? env : RANKRT_SOURCE_DIR "/../shared/models/dqm";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no DQM model at " << dir;
  const SampleFile samples = read_samples(dir + "/samples.pb");
  plan::PlanRequest request{dir + "/frozen_graph.pb", samples.output_names, {}};
  request.engine.backend = "cuda";
  const auto build_start = std::chrono::steady_clock::now();
  plan::BuiltEngine built = plan::build_engine_and_plan(request, plan::make_plan_key(request));
  const double build_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - build_start).count();
  const std::string path = std::filesystem::temp_directory_path() / "rankrt-cuda-dqm.plan";
  plan::write_plan_file(path, built.plan);

  const auto load_start = std::chrono::steady_clock::now();
  std::unique_ptr<Engine> loaded = plan::engine_from_plan(plan::read_plan_file(path), {}, path);
  auto loaded_ctx = loaded->create_context();
  const double load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - load_start).count();
  std::printf("DQM cuda plan: build %.1f ms, load (file read to first context) %.1f ms, %zu bytes\n",
              build_ms, load_ms, size_t(std::filesystem::file_size(path)));
  EXPECT_LT(load_ms, 50.0);
  EXPECT_EQ(loaded->gemm_algorithms(), built.engine->gemm_algorithms());

  auto ctx = built.engine->create_context();
  for (const TensorMap& s : samples.samples) {
    const TensorMap a = ctx->run(s), b = loaded_ctx->run(s);
    for (const auto& [name, t] : a) {
      ASSERT_EQ(t.nbytes(), b.at(name).nbytes());
      EXPECT_EQ(std::memcmp(t.raw(), b.at(name).raw(), t.nbytes()), 0) << name;
    }
  }
  std::filesystem::remove(path);
}

}  // namespace rankrt::test
