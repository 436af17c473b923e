// `rankrt run` / `bench` / `build` / `inspect` with shape profiles and the default plan cache: the
// cache beside a (temporary) model is created, then reused; a profile change rebuilds it;
// --no-plan-cache and no_plan_cache write nothing; a read-only model directory still runs.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "bench_test_util.h"
#include "cli_helpers.h"

namespace rankrt {
namespace {

namespace fs = std::filesystem;
using testing::make_bench_dir;
using testing::run_rankrt;
using testing::ScratchDir;
using testing::write_file;

// A temporary copy of the small demo model (samples with N = 1, 511, 2).
class PlanCacheCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto r = run_rankrt(fmt::format("make-model dqm-like --out {} --samples 3", dir_.path().string()));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  testing::CommandResult run(const std::string& extra) const {
    return run_rankrt(fmt::format("run --model {} --samples {} --baseline {} {}", dir_ / "frozen_graph.pb",
                                  dir_ / "samples.pb", dir_ / "baseline.txt", extra));
  }
  fs::path cache() const { return dir_.path() / "rankrt-plans"; }
  size_t entries() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(cache())) ++n;
    return n;
  }

  ScratchDir dir_{"plan-cache"};
};

TEST_F(PlanCacheCli, DefaultCacheBesideTheModelIsCreatedThenReused) {
  auto r = run("");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("plan cache: no plan for"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("building; saved " + (cache() / "frozen_graph.pb.cpu-").string()),
            std::string::npos)
      << r.output;
  ASSERT_EQ(entries(), 1u);
  r = run("");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("plan cache: reused " + (cache() / "frozen_graph.pb.cpu-").string()),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("accuracy: PASS"), std::string::npos) << r.output;
  EXPECT_EQ(entries(), 1u);
}

TEST_F(PlanCacheCli, ProfileChangeRebuildsThePlan) {
  ASSERT_EQ(run("").exit_code, 0);
  auto r = run("--profile N=1:256:511");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("plan cache: profile changed N=1:512:512 -> N=1:256:511: rebuilding; saved"),
            std::string::npos)
      << r.output;
  r = run("--profile N=1:256:511");
  EXPECT_NE(r.output.find("plan cache: reused"), std::string::npos) << r.output;
  EXPECT_EQ(entries(), 1u);
}

TEST_F(PlanCacheCli, NoPlanCacheWritesNothing) {
  auto r = run("--no-plan-cache");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("plan cache"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(cache()));
  r = run("--no-plan-cache --plan-cache " + (dir_ / "elsewhere"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = run("--plan-cache " + (dir_ / "elsewhere"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(fs::exists(cache()));
  EXPECT_TRUE(fs::exists(dir_.path() / "elsewhere"));
}

TEST_F(PlanCacheCli, ReadOnlyModelDirectoryStillRuns) {
  const fs::perms write = fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write;
  fs::permissions(dir_.path(), write, fs::perm_options::remove);
  const auto r = run("");
  fs::permissions(dir_.path(), fs::perms::owner_write, fs::perm_options::add);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("building; not saved: cannot create " + cache().string() + ": " +
                          dir_.path().string() + " is not writable"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("accuracy: PASS"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(cache()));
}

TEST_F(PlanCacheCli, CandidateCountOutsideTheProfileIsOneClearError) {
  auto r = run("--no-plan-cache --profile N=2:8:600");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("rankrt: error: " + (dir_ / "samples.pb") +
                          ": sample 0: N=1 is outside the engine's shape profile N=2:8:600"),
            std::string::npos)
      << r.output;
  r = run("--no-plan-cache --profile N=1:8:16");
  EXPECT_NE(r.output.find("sample 1: N=511 is outside the engine's shape profile N=1:8:16"),
            std::string::npos)
      << r.output;
  r = run("--profile N=5:3:2");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("rankrt: error: --profile 'N=5:3:2': opt 3 is below min 5"), std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(cache()));
}

TEST_F(PlanCacheCli, BuildKeepsTheProfileAndInspectShowsIt) {
  const std::string plan = dir_ / "m.plan";
  auto r = run_rankrt(
      fmt::format("build --model {} --plan {} --profile N=1:64:511", dir_ / "frozen_graph.pb", plan));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("profile N=1:64:511"), std::string::npos) << r.output;
  r = run_rankrt("inspect " + plan);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.rfind("plan: cpu fp32, profile N=1:64:511", 0), 0u) << r.output;
  r = run_rankrt("inspect --json " + plan);
  EXPECT_NE(r.output.find("\"profile\": \"N=1:64:511\""), std::string::npos) << r.output;
  r = run_rankrt(fmt::format("run --plan {} --samples {} --baseline {}", plan, dir_ / "samples.pb",
                             dir_ / "baseline.txt"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = run_rankrt(fmt::format("run --plan {} --samples {} --profile N=1:2:3", plan, dir_ / "samples.pb"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--profile needs --model"), std::string::npos) << r.output;
}

TEST(PlanCacheBench, DefaultCacheAndNoPlanCache) {
  ScratchDir dir("plan-cache-bench");
  make_bench_dir(dir, "frozen_graph: \"frozen_graph.pb\"", "duration: 0\nprofile: \"N=1:256:511\"\n");
  auto r = run_rankrt("bench " + (dir / "conf"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("plan cache: no plan for"), std::string::npos) << r.output;
  r = run_rankrt("bench " + (dir / "conf"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("plan cache: reused " + (dir / "rankrt-plans/frozen_graph.pb.cpu-")),
            std::string::npos)
      << r.output;
  r = run_rankrt("bench " + (dir / "conf") + " --profile N=1:128:511");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("plan cache: profile changed N=1:256:511 -> N=1:128:511: rebuilding"),
            std::string::npos)
      << r.output;
  r = run_rankrt("bench " + (dir / "conf") + " --profile N=0:1:2");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("rankrt: error: --profile 'N=0:1:2': min must be >= 1"), std::string::npos)
      << r.output;

  ScratchDir off("plan-cache-bench-off");
  make_bench_dir(off, "frozen_graph: \"frozen_graph.pb\"", "duration: 0\nno_plan_cache: true\n");
  r = run_rankrt("bench " + (off / "conf"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("plan cache"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(off.path() / "rankrt-plans"));
  r = run_rankrt("bench " + (off / "conf") + " --plan-cache " + (off / "chosen"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("building; saved " + (off / "chosen/frozen_graph.pb.cpu-")), std::string::npos)
      << r.output;
  r = run_rankrt("bench " + (dir / "conf") + " --no-plan-cache");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("plan cache"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace rankrt
