// Engine plans end to end on the CPU: build -> save -> load gives bit-identical outputs; the
// cache reuses matching plans and rebuilds stale, corrupt or foreign ones, saying why; concurrent
// writers of one entry always leave a valid plan.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "io/samples.h"
#include "models/model_files.h"
#include "plan/plan_cache.h"
#include "plan/plan_test_util.h"

namespace rankrt::plan::testing {
namespace {

constexpr size_t kSamples = 6;

PlanRequest dqm_request(const SampleFile& samples) {
  PlanRequest r;
  r.model = dqm_files().model;
  r.outputs = samples.output_names;
  r.engine.backend = "cpu";
  r.engine.threads = 1;
  return r;
}

void expect_bit_identical(const TensorMap& a, const TensorMap& b) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, t] : a) {
    const Tensor& u = b.at(name);
    ASSERT_EQ(t.dtype(), u.dtype()) << name;
    ASSERT_EQ(t.dims(), u.dims()) << name;
    EXPECT_EQ(0, std::memcmp(t.raw(), u.raw(), t.nbytes())) << name;
  }
}

void copy_file(const std::string& from, const std::string& to) {
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

TEST(PlanEngine, SavedPlanRunsBitIdenticalToTheBuiltEngine) {
  const SampleFile samples = read_samples(dqm_files().samples);
  const PlanRequest request = dqm_request(samples);
  BuiltEngine built = build_engine_and_plan(request, make_plan_key(request));
  TempDir dir;
  write_plan_file(dir.file("dqm.plan"), built.plan);
  const std::unique_ptr<Engine> loaded =
      engine_from_plan(read_plan_file(dir.file("dqm.plan")), request.engine, "dqm.plan");
  EXPECT_EQ(graph_to_string(loaded->graph()), graph_to_string(built.engine->graph()));
  auto a = built.engine->create_context();
  auto b = loaded->create_context();
  for (size_t i = 0; i < std::min(kSamples, samples.samples.size()); ++i)
    expect_bit_identical(a->run(samples.samples[i]), b->run(samples.samples[i]));
}

// Load = plan file read to first request possible; the lead's budget is 50 ms for DQM on the CPU.
TEST(PlanEngine, PlanKeepsTheFinalPrecisionOfEveryLayer) {
  const SampleFile samples = read_samples(dqm_files().samples);
  PlanRequest request = dqm_request(samples);
  request.engine.layer_precision.rules = " fc1* = fp32 ";
  const PlanKey key = make_plan_key(request);
  EXPECT_EQ(key.layer_precision, "fc1*=fp32");
  BuiltEngine built = build_engine_and_plan(request, key);
  ASSERT_EQ(built.plan.layer_precision.size(), 7u);  // fc1 (and its hoisted common row) .. fc6
  for (const auto& [layer, p] : built.plan.layer_precision) EXPECT_EQ(p, "fp32") << layer;
  TempDir dir;
  write_plan_file(dir.file("dqm.plan"), built.plan);
  Plan loaded = read_plan_file(dir.file("dqm.plan"));
  EXPECT_EQ(loaded.layer_precision, built.plan.layer_precision);
  // A plan whose layers the backend cannot run as stored is refused, not run otherwise.
  loaded.layer_precision.at("fc2_dqm/MatMul") = "fp16";
  try {
    engine_from_plan(std::move(loaded), request.engine, "dqm.plan");
    ADD_FAILURE() << "a cpu plan with an fp16 layer loaded";
  } catch (const Error& e) {
    EXPECT_NE(
        std::string(e.what()).find("layer 'fc2_dqm/MatMul': backend cpu runs every layer in its precision "
                                   "fp32, not fp16"),
        std::string::npos)
        << e.what();
  }
}

TEST(PlanEngine, CpuPlanLoadsWithoutImportOrOptimization) {
  const SampleFile samples = read_samples(dqm_files().samples);
  PlanRequest request = dqm_request(samples);
  using Clock = std::chrono::steady_clock;
  const auto ms = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
  };
  const auto t0 = Clock::now();
  BuiltEngine built = build_engine_and_plan(request, make_plan_key(request));
  const auto t1 = Clock::now();
  TempDir dir;
  write_plan_file(dir.file("dqm.plan"), built.plan);
  // A plan needs no model file.
  request.model = dir.file("gone.pb");
  const auto t2 = Clock::now();
  Plan plan = read_plan_file(dir.file("dqm.plan"));
  const auto t3 = Clock::now();
  const std::unique_ptr<Engine> loaded = engine_from_plan(std::move(plan), request.engine, "dqm.plan");
  const auto t4 = Clock::now();
  const std::unique_ptr<ExecutionContext> context = loaded->create_context();
  const auto t5 = Clock::now();
  std::printf(
      "[ timing ] build %.1f ms, save %.1f ms (%ju bytes); load %.1f ms = read+verify %.1f + engine %.1f + "
      "context %.1f\n",
      ms(t0, t1), ms(t1, t2), uintmax_t(fs::file_size(dir.file("dqm.plan"))), ms(t2, t5), ms(t2, t3),
      ms(t3, t4), ms(t4, t5));
  RecordProperty("load_ms", std::to_string(ms(t2, t5)));
  EXPECT_NE(context, nullptr);
}

// The plan keeps the profile: the loaded engine serves exactly the built engine's candidate counts.
TEST(PlanEngine, PlanKeepsTheShapeProfile) {
  const SampleFile samples = read_samples(dqm_files().samples);
  PlanRequest request = dqm_request(samples);
  request.engine.profile = {2, 8, 600};
  BuiltEngine built = build_engine_and_plan(request, make_plan_key(request));
  EXPECT_EQ(built.plan.key.profile, (ShapeProfile{2, 8, 600}));
  TempDir dir;
  write_plan_file(dir.file("dqm.plan"), built.plan);
  request.engine.profile = {};  // runtime options do not override the plan's profile
  const std::unique_ptr<Engine> loaded =
      engine_from_plan(read_plan_file(dir.file("dqm.plan")), request.engine, "dqm.plan");
  auto context = loaded->create_context();
  TensorMap one_row;
  for (const auto& [name, t] : samples.samples[0]) one_row[name] = t;
  for (const ValueInfo& in : loaded->graph().inputs) {
    if (in.shape.empty() || !in.shape[0].is_symbolic()) continue;
    const Tensor& t = samples.samples[0].at(in.name);
    std::vector<int64_t> dims = t.dims();
    dims[0] = 1;
    Tensor first(t.dtype(), dims);
    std::memcpy(first.raw(), t.raw(), first.nbytes());
    one_row[in.name] = std::move(first);
  }
  try {
    context->run(one_row);
    FAIL() << "N=1 is outside N=2:8:600";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kShape);
    EXPECT_NE(std::string(e.what()).find("=1 is outside the engine's shape profile N=2:8:600"),
              std::string::npos)
        << e.what();
  }
}

class PlanCache : public ::testing::Test {
 protected:
  // Two different models (a, b), generated once.
  static const TempDir& models() {
    static TempDir dir;
    static const bool written = [] {
      write_dqm_like_files(dir.file("a"), {.seed = 1, .samples = 2});
      write_dqm_like_files(dir.file("b"), {.seed = 2, .samples = 2});
      return true;
    }();
    EXPECT_TRUE(written);
    return dir;
  }
  void SetUp() override {
    copy_file(models().file("a/frozen_graph.pb"), model());
    samples_ = read_samples(models().file("a/samples.pb"));
    request_.model = model();
    request_.outputs = samples_.output_names;
    request_.engine.threads = 1;
  }
  std::string model() const { return work_.file("model.pb"); }
  std::string cache() const { return work_.file("cache"); }
  CachedEngine load() { return load_or_build_cached(request_, cache()); }

  TempDir work_;
  SampleFile samples_;
  PlanRequest request_;
};

TEST_F(PlanCache, BuildsThenReuses) {
  const CachedEngine first = load();
  EXPECT_FALSE(first.reused);
  EXPECT_NE(first.message.find("no plan for"), std::string::npos) << first.message;
  EXPECT_NE(first.message.find("building; saved"), std::string::npos) << first.message;
  const CachedEngine second = load();
  EXPECT_TRUE(second.reused) << second.message;
  EXPECT_EQ(second.message, "plan cache: reused " + cache_entry_path(cache(), request_));
  expect_bit_identical(first.engine->create_context()->run(samples_.samples[0]),
                       second.engine->create_context()->run(samples_.samples[0]));
}

TEST_F(PlanCache, RebuildsWhenTheModelChanges) {
  load();
  copy_file(models().file("b/frozen_graph.pb"), model());
  const CachedEngine again = load();
  EXPECT_FALSE(again.reused);
  EXPECT_NE(again.message.find("model changed (sha256 "), std::string::npos) << again.message;
  EXPECT_NE(again.message.find("): rebuilding; saved"), std::string::npos) << again.message;
  EXPECT_TRUE(load().reused);
}

TEST_F(PlanCache, RebuildsWhenOptionsChange) {
  load();
  request_.engine.precision = "fp64";
  const CachedEngine again = load();
  EXPECT_FALSE(again.reused);
  EXPECT_NE(again.message.find("precision changed fp32 -> fp64: rebuilding"), std::string::npos)
      << again.message;
  request_.engine.disabled_passes = {"fold_affine"};
  EXPECT_NE(load().message.find("disabled passes changed none -> fold_affine"), std::string::npos);
}

TEST_F(PlanCache, RebuildsWhenTheLayerPrecisionChanges) {
  load();
  request_.engine.layer_precision.rules = "fc[2-4]*=fp32";
  const CachedEngine again = load();
  EXPECT_FALSE(again.reused);
  EXPECT_NE(again.message.find("layer precision changed none -> 'fc[2-4]*=fp32': rebuilding; saved"),
            std::string::npos)
      << again.message;
  const Plan stored = read_plan_file(cache_entry_path(cache(), request_));
  EXPECT_EQ(stored.key.layer_precision, "fc[2-4]*=fp32");
  EXPECT_EQ(stored.layer_precision.at("fc3_dqm/MatMul"), "fp32");
  EXPECT_TRUE(load().reused);
}

TEST_F(PlanCache, RebuildsWhenTheProfileChanges) {
  load();
  request_.engine.profile = {1, 256, 511};
  const CachedEngine again = load();
  EXPECT_FALSE(again.reused);
  EXPECT_NE(again.message.find("profile changed N=1:512:512 -> N=1:256:511: rebuilding; saved"),
            std::string::npos)
      << again.message;
  EXPECT_EQ(read_plan_file(cache_entry_path(cache(), request_)).key.profile, (ShapeProfile{1, 256, 511}));
  EXPECT_TRUE(load().reused);
}

TEST_F(PlanCache, DefaultDirectoryIsBesideTheModel) {
  EXPECT_EQ(default_cache_dir("/models/dqm/frozen_graph.pb"), "/models/dqm/rankrt-plans");
  EXPECT_EQ(default_cache_dir("model.onnx"), "rankrt-plans");
}

TEST_F(PlanCache, RebuildsForAnotherGpu) {
  PlanKey a100 = make_plan_key(request_);
  a100.device = {"NVIDIA A100-SXM4-80GB", 80, 12040, 12030, 120301};
  load_or_build_cached(request_, cache(), a100);
  PlanKey h100 = a100;
  h100.device = {"NVIDIA H100 80GB HBM3", 90, 12040, 12030, 120301};
  const CachedEngine again = load_or_build_cached(request_, cache(), h100);
  EXPECT_FALSE(again.reused);
  EXPECT_NE(again.message.find("plan built for sm_80, this GPU is sm_90: rebuilding"), std::string::npos)
      << again.message;
  EXPECT_TRUE(load_or_build_cached(request_, cache(), h100).reused);
}

TEST_F(PlanCache, RebuildsCorruptTruncatedAndForeignEntries) {
  load();
  const std::string entry = cache_entry_path(cache(), request_);
  const auto size = fs::file_size(entry);
  {
    std::fstream f(entry, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(size / 2));
    f.put('\x5a');
  }
  CachedEngine again = load();
  EXPECT_FALSE(again.reused);
  EXPECT_NE(again.message.find("checksum mismatch"), std::string::npos) << again.message;
  fs::resize_file(entry, size / 3);
  EXPECT_NE(load().message.find("truncated"), std::string::npos);
  std::ofstream(entry, std::ios::binary) << "GIF89a not a plan";
  EXPECT_NE(load().message.find("bad magic"), std::string::npos);
  EXPECT_TRUE(load().reused);
}

TEST_F(PlanCache, UnwritableCacheStillGivesAnEngine) {
  std::ofstream(cache()) << "a file, not a directory";
  const CachedEngine cached = load();
  ASSERT_NE(cached.engine, nullptr);
  EXPECT_NE(cached.message.find("not saved"), std::string::npos) << cached.message;
}

// Read-only by mode bits (a shared model directory): nothing is written, even by root.
TEST_F(PlanCache, ReadOnlyDirectoryIsReportedAndLeftAlone) {
  const fs::perms write = fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write;
  fs::create_directories(cache());
  fs::permissions(cache(), write, fs::perm_options::remove);
  const CachedEngine cached = load();
  fs::permissions(cache(), fs::perms::owner_write, fs::perm_options::add);
  ASSERT_NE(cached.engine, nullptr);
  EXPECT_NE(cached.message.find("building; not saved: " + cache() + " is not writable"), std::string::npos)
      << cached.message;
  EXPECT_TRUE(fs::is_empty(cache()));

  fs::permissions(work_.path(), write, fs::perm_options::remove);
  const CachedEngine missing = load_or_build_cached(request_, work_.file("new/cache"));
  fs::permissions(work_.path(), fs::perms::owner_write, fs::perm_options::add);
  ASSERT_NE(missing.engine, nullptr);
  EXPECT_NE(missing.message.find("not saved: cannot create " + work_.file("new/cache") + ": " +
                                 work_.path().string() + " is not writable"),
            std::string::npos)
      << missing.message;
  EXPECT_FALSE(fs::exists(work_.file("new")));
}

TEST_F(PlanCache, ConcurrentWritersAlwaysLeaveAValidPlan) {
  const CachedEngine first = load();
  const std::string entry = cache_entry_path(cache(), request_);
  const Plan plan = read_plan_file(entry);
  std::vector<pid_t> children;  // forked before any thread starts
  for (int p = 0; p < 3; ++p) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (int i = 0; i < 10; ++i) write_plan_file(entry, plan);
      ::_exit(0);
    }
    children.push_back(pid);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0}, bad_reads{0};
  std::thread reader([&] {
    while (!stop) {
      try {
        read_plan_file(entry);
        ++reads;
      } catch (const Error&) {
        ++bad_reads;
      }
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t)
    writers.emplace_back([&] {
      for (int i = 0; i < 3; ++i) load_or_build_cached(request_, cache());
    });
  for (std::thread& w : writers) w.join();
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  stop = true;
  reader.join();
  EXPECT_EQ(bad_reads, 0);
  EXPECT_GT(reads, 0);
  EXPECT_TRUE(load().reused);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(cache())) names.push_back(e.path().filename().string());
  EXPECT_EQ(names.size(), 1u) << "temporary files left behind";
}

}  // namespace
}  // namespace rankrt::plan::testing
