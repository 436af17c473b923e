// Calibration caches and calibrated build requests: the cache file round trip and one clear error
// per bad cache (corrupt, truncated, foreign, other version, mistyped field, bad amax); a request
// reuses a valid cache, recalibrates a stale one when it has samples and refuses it otherwise;
// calibrated int8 plans keep their amax, load bit-identical and rebuild when the calibration changes.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/samples.h"
#include "models/model_files.h"
#include "plan/calibration_cache.h"
#include "plan/format/sha256.h"
#include "plan/plan_cache.h"
#include "plan/plan_test_util.h"
#include "plan/request_calibration.h"

namespace rankrt::plan::testing {
namespace {

CalibrationCache example_cache() {
  return {"percentile:99.9", std::string(64, 'a'), std::string(64, 'b'), {{"fc1", 3.25f}, {"fc2", 0.1f}}};
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// The message of the error `f` throws, checking its code ("" when it does not throw).
template <typename F>
std::string error_of(F f, ErrorCode code) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(CalibrationCache, RoundTripIsExact) {
  TempDir dir;
  const CalibrationCache cache = example_cache();
  write_calibration_cache(dir.file("c.json"), cache);
  EXPECT_EQ(read_calibration_cache(dir.file("c.json")), cache);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1)
      << "no temporary file left";
  const std::string text = calibration_cache_json(cache);
  EXPECT_NE(text.find("\"format\": \"rankrt-calibration-cache\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"version\": 1"), std::string::npos) << text;
}

TEST(CalibrationCache, EachBadCacheIsOneClearError) {
  const std::string good = calibration_cache_json(example_cache());
  auto parse_error = [](const std::string& text) {
    return error_of([&] { parse_calibration_cache(text, "c.json"); }, ErrorCode::kParse);
  };
  EXPECT_NE(
      parse_error(good.substr(0, good.size() / 2)).find("c.json: corrupt or truncated calibration cache"),
      std::string::npos);
  EXPECT_NE(parse_error("").find("c.json: corrupt or truncated calibration cache"), std::string::npos);
  EXPECT_NE(parse_error("[1, 2]").find("c.json: not a rankrt calibration cache"), std::string::npos);
  EXPECT_NE(parse_error(R"({"format": "other"})").find("not a rankrt calibration cache"), std::string::npos);
  nlohmann::json doc = nlohmann::json::parse(good);
  doc["version"] = 2;
  EXPECT_NE(parse_error(doc.dump()).find("c.json: calibration cache version 2, this rankrt reads version 1"),
            std::string::npos);
  doc = nlohmann::json::parse(good);
  doc.erase("model_sha256");
  EXPECT_NE(parse_error(doc.dump())
                .find("c.json: corrupt calibration cache: \"model_sha256\" is missing, not a string"),
            std::string::npos);
  doc = nlohmann::json::parse(good);
  doc["activation_amax"] = 3;
  EXPECT_NE(parse_error(doc.dump()).find("\"activation_amax\" is number, not an object"), std::string::npos);
  for (const char* bad : {"-1", "\"x\"", "null", "1e+39"}) {
    doc = nlohmann::json::parse(good);
    doc["activation_amax"]["fc2"] = nlohmann::json::parse(bad);
    EXPECT_NE(parse_error(doc.dump()).find("the amax of layer 'fc2' is " + std::string(bad)),
              std::string::npos)
        << bad;
  }
  const std::string missing = error_of([] { read_calibration_cache("/nonexistent/c.json"); }, ErrorCode::kIo);
  EXPECT_NE(missing.find("/nonexistent/c.json"), std::string::npos);
}

// A calibrated request over the demo model (CPU int8).
class RequestCalibration : public ::testing::Test {
 protected:
  static const TempDir& models() {
    static TempDir dir;
    static const bool written = [] {
      write_dqm_like_files(dir.file("a"), {.seed = 1, .samples = 3});
      write_dqm_like_files(dir.file("b"), {.seed = 2, .samples = 3});
      return true;
    }();
    EXPECT_TRUE(written);
    return dir;
  }
  void SetUp() override {
    fs::copy_file(models().file("a/frozen_graph.pb"), model());
    request_.model = model();
    request_.engine.precision = "int8";
    request_.engine.threads = 1;
    source_.samples = models().file("a/samples.pb");
    source_.cache = work_.file("calibration.json");
  }
  std::string model() const { return work_.file("model.pb"); }
  // A fresh request calibrated from `source`; returns the message.
  std::string calibrate(const CalibrationSource& source) {
    PlanRequest r = request_;
    const std::string message = calibrate_request(r, source);
    amax_ = r.engine.activation_amax;
    return message;
  }

  TempDir work_;
  PlanRequest request_;
  CalibrationSource source_;
  std::map<std::string, float> amax_;
};

TEST_F(RequestCalibration, CalibratesSavesAndReuses) {
  std::string message = calibrate(source_);
  EXPECT_NE(message.find("calibration: entropy over 3 samples of " + source_.samples + ": 7 layers, saved " +
                         source_.cache),
            std::string::npos)
      << message;
  ASSERT_EQ(amax_.size(), 7u);  // cpu int8: every Dense layer
  const CalibrationCache stored = read_calibration_cache(source_.cache);
  EXPECT_EQ(stored.calibrator, "entropy");
  EXPECT_EQ(stored.model_sha256, to_hex(sha256_file(model())));
  EXPECT_EQ(stored.samples_sha256, to_hex(sha256_file(source_.samples)));
  EXPECT_EQ(stored.activation_amax, amax_);
  const std::map<std::string, float> first = amax_;
  message = calibrate({"", source_.cache, "entropy"});  // the cache alone serves
  EXPECT_EQ(message, "calibration cache " + source_.cache + ": reused (entropy, 7 layers)");
  EXPECT_EQ(amax_, first);
  EXPECT_EQ(calibrate(source_), message);  // so does it with the same samples
}

TEST_F(RequestCalibration, StaleCachesRecalibrateWithSamplesAndFailWithout) {
  calibrate(source_);
  // Another model: recalibrated with a message when samples are given.
  fs::copy_file(models().file("b/frozen_graph.pb"), model(), fs::copy_options::overwrite_existing);
  const std::string cache_only = error_of(
      [&] {
        calibrate({"", source_.cache, "entropy"});
      },
      ErrorCode::kUsage);
  EXPECT_NE(cache_only.find(source_.cache + ": calibrated for another model (sha256 "), std::string::npos)
      << cache_only;
  EXPECT_NE(cache_only.find("give --calibrate SAMPLES to recalibrate"), std::string::npos) << cache_only;
  std::string message = calibrate(source_);
  EXPECT_NE(message.find("calibration cache " + source_.cache + ": calibrated for another model"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(": recalibrating\ncalibration: entropy over 3 samples"), std::string::npos)
      << message;
  EXPECT_EQ(read_calibration_cache(source_.cache).model_sha256, to_hex(sha256_file(model())));
  // Another calibrator, other samples.
  EXPECT_NE(error_of(
                [&] {
                  calibrate({"", source_.cache, "minmax"});
                },
                ErrorCode::kUsage)
                .find("calibrated with entropy, not minmax"),
            std::string::npos);
  message = calibrate({models().file("b/samples.pb"), source_.cache, "minmax"});
  EXPECT_NE(message.find("calibrated with entropy, not minmax: recalibrating"), std::string::npos) << message;
  message = calibrate({models().file("a/samples.pb"), source_.cache, "minmax"});
  EXPECT_NE(message.find("calibrated on other samples than " + models().file("a/samples.pb")),
            std::string::npos)
      << message;
}

TEST_F(RequestCalibration, BadSourcesAreClearErrors) {
  write_text(source_.cache, "{\"format\": \"rankrt-calibration-cache\", \"version\": 1, \"calib");
  // A corrupt cache is never overwritten, samples or not.
  EXPECT_NE(error_of([&] { calibrate(source_); }, ErrorCode::kParse)
                .find(source_.cache + ": corrupt or truncated calibration cache"),
            std::string::npos);
  EXPECT_NE(error_of(
                [&] {
                  calibrate({"", work_.file("none.json"), "entropy"});
                },
                ErrorCode::kUsage)
                .find(work_.file("none.json") + ": no such calibration cache: give --calibrate SAMPLES"),
            std::string::npos);
  EXPECT_NE(error_of(
                [&] {
                  calibrate({source_.samples, "", "kl"});
                },
                ErrorCode::kUsage)
                .find("--calibrator: unknown calibrator 'kl'"),
            std::string::npos);
  request_.engine.precision = "fp32";
  EXPECT_NE(
      error_of(
          [&] {
            calibrate({source_.samples, "", "entropy"});
          },
          ErrorCode::kUsage)
          .find("--calibrate / --calibration-cache: backend cpu precision fp32 runs no int8 or fp8 layer"),
      std::string::npos);
  // cuda int8 / fp8 layers need calibration (checked before any GPU is touched).
  request_.engine.backend = "cuda";
  request_.engine.layer_precision.rules = "fc2*=fp8";
  EXPECT_NE(error_of([&] { calibrate({}); }, ErrorCode::kUsage)
                .find(model() + ": backend cuda runs int8 / fp8 layers with calibrated activation scales"),
            std::string::npos);
  // cpu int8 without calibration: per-request scales, nothing to do.
  request_.engine = {};
  request_.engine.precision = "int8";
  EXPECT_EQ(calibrate({}), "");
  EXPECT_TRUE(amax_.empty());
}

TEST_F(RequestCalibration, CalibratedPlansKeepTheirAmaxAndRebuildWhenItChanges) {
  calibrate(source_);
  request_.engine.activation_amax = amax_;
  const SampleFile samples = read_samples(source_.samples);
  request_.outputs = samples.output_names;
  BuiltEngine built = build_engine_and_plan(request_, make_plan_key(request_));
  EXPECT_EQ(built.plan.key.activation_amax, amax_);
  EXPECT_NE(built.engine->description().find("s8 inputs with calibrated scales"), std::string::npos)
      << built.engine->description();
  write_plan_file(work_.file("int8.plan"), built.plan);
  const std::unique_ptr<Engine> loaded =
      engine_from_plan(read_plan_file(work_.file("int8.plan")), request_.engine, "int8.plan");
  const TensorMap a = built.engine->create_context()->run(samples.samples[0]);
  const TensorMap b = loaded->create_context()->run(samples.samples[0]);
  for (const auto& [name, t] : a) EXPECT_EQ(0, std::memcmp(t.raw(), b.at(name).raw(), t.nbytes())) << name;

  const std::string dir = work_.file("plans");
  EXPECT_FALSE(load_or_build_cached(request_, dir).reused);
  EXPECT_TRUE(load_or_build_cached(request_, dir).reused);
  request_.engine.activation_amax["fc2_dqm/MatMul"] *= 2;
  const CachedEngine again = load_or_build_cached(request_, dir);
  EXPECT_FALSE(again.reused);
  EXPECT_NE(again.message.find("calibration changed (fc2_dqm/MatMul amax "), std::string::npos)
      << again.message;
  EXPECT_NE(again.message.find("): rebuilding; saved"), std::string::npos) << again.message;
  EXPECT_EQ(read_plan_file(cache_entry_path(dir, request_)).key.activation_amax,
            request_.engine.activation_amax);
}

}  // namespace
}  // namespace rankrt::plan::testing
