// The load generator on tiny engines: closed and open loop counts, Poisson rate, drops with a tiny
// queue, failing and NaN requests counted without stopping, hot swaps losing no request, dynamic
// batching merging launches, and a stop request ending the run early.
#include "runtime/load_generator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "runtime_test_util.h"

namespace rankrt {
namespace {

using namespace std::chrono_literals;

std::vector<TensorMap> tiny_samples(int count, bool shared_comm) {
  std::mt19937 rng(7);
  const Tensor comm = testing::random_comm(rng);
  std::vector<TensorMap> samples;
  for (int i = 0; i < count; ++i)
    samples.push_back(testing::tiny_request(1 + i % 5, shared_comm ? comm : testing::random_comm(rng), rng));
  return samples;
}

LoadResult run(std::shared_ptr<const Engine> engine, const std::vector<TensorMap>& samples,
               const LoadOptions& o, const EngineFactory& reload = nullptr) {
  StopSignal stop;
  return run_load(std::move(engine), reload, samples, o, stop);
}

// Every accepted request ends as a completion or an error.
void expect_accounted(const LoadResult& r) { EXPECT_EQ(r.submitted, r.requests + r.errors); }

TEST(LoadGenerator, ClosedLoopServesEveryRequest) {
  LoadOptions o;
  o.producers = 3;
  o.predictors = 2;
  o.in_flight = 2;
  o.queue_capacity = 6;
  o.duration_s = 0.3;
  const LoadResult r = run(testing::tiny_engine(), tiny_samples(8, false), o);
  EXPECT_GT(r.requests, 10);
  EXPECT_EQ(r.errors, 0) << r.first_error;
  EXPECT_EQ(r.dropped, 0);
  EXPECT_EQ(r.launches, r.requests);
  expect_accounted(r);
  EXPECT_GT(r.latency_us.p50, 0);
  EXPECT_LE(r.latency_us.p50, r.latency_us.p99);
  EXPECT_LE(r.latency_us.p99, r.latency_us.max);
}

TEST(LoadGenerator, OpenLoopArrivalRateIsRoughlyTheTarget) {
  LoadOptions o;
  o.producers = 2;
  o.qps = 400;
  o.duration_s = 1;
  o.queue_capacity = 1000;
  const LoadResult r = run(testing::tiny_engine(), tiny_samples(4, false), o);
  const int64_t arrivals = r.submitted + r.dropped;
  EXPECT_GT(arrivals, 300);  // Poisson: 400 +- 20 (one sigma)
  EXPECT_LT(arrivals, 500);
  EXPECT_EQ(r.dropped, 0);
  expect_accounted(r);
}

TEST(LoadGenerator, TinyQueueCountsDrops) {
  LoadOptions o;
  o.qps = 2000;
  o.duration_s = 0.5;
  o.queue_capacity = 1;
  const auto slow = std::make_shared<testing::SlowEngine>(testing::tiny_engine(), 5ms);
  const LoadResult r = run(slow, tiny_samples(4, false), o);
  EXPECT_GT(r.dropped, 300);
  EXPECT_GT(r.requests, 10);
  expect_accounted(r);
  // Open loop latency counts from the arrival, so the queue wait shows: at least the service time.
  EXPECT_GE(r.latency_us.p50, 5000);
}

TEST(LoadGenerator, FailingAndNonFiniteRequestsAreCountedWithoutStopping) {
  std::vector<TensorMap> samples = tiny_samples(4, false);
  samples[1].erase("comm");  // a bad sample: the engine rejects it
  samples[2]["rows"].data<float>()[0] = std::numeric_limits<float>::quiet_NaN();
  LoadOptions o;
  o.producers = 2;
  o.predictors = 2;
  o.duration_s = 0.3;
  const LoadResult r = run(testing::tiny_engine(), samples, o);
  EXPECT_GT(r.errors, 2);
  EXPECT_GT(r.requests, 10);  // samples 0 and 3 kept running (half of the requests)
  EXPECT_NE(r.first_error.find("request of sample"), std::string::npos) << r.first_error;
  expect_accounted(r);
}

TEST(LoadGenerator, HotSwapLosesNoRequest) {
  LoadOptions o;
  o.producers = 2;
  o.predictors = 2;
  o.duration_s = 1;
  o.switch_interval_s = 0.15;
  std::atomic<int> builds = 0;
  const EngineFactory reload = [&] {
    ++builds;
    return testing::tiny_engine();
  };
  const LoadResult r = run(testing::tiny_engine(), tiny_samples(6, false), o, reload);
  EXPECT_GE(r.switches, 4);
  EXPECT_EQ(r.switches, builds.load());
  EXPECT_EQ(r.switch_failures, 0);
  EXPECT_EQ(r.errors, 0) << r.first_error;
  EXPECT_GT(r.requests, 100);
  expect_accounted(r);
}

TEST(LoadGenerator, FailedReloadKeepsServingTheOldEngine) {
  LoadOptions o;
  o.duration_s = 0.5;
  o.switch_interval_s = 0.1;
  const EngineFactory reload = []() -> std::shared_ptr<const Engine> {
    fail(ErrorCode::kIo, "model.onnx: cannot open");
  };
  const LoadResult r = run(testing::tiny_engine(), tiny_samples(3, false), o, reload);
  EXPECT_EQ(r.switches, 0);
  EXPECT_GE(r.switch_failures, 2);
  EXPECT_NE(r.switch_error.find("model.onnx"), std::string::npos);
  EXPECT_EQ(r.errors, 0);
  expect_accounted(r);
}

TEST(LoadGenerator, DynamicBatchingMergesLaunches) {
  LoadOptions o;
  o.producers = 4;
  o.in_flight = 4;
  o.queue_capacity = 16;
  o.duration_s = 0.5;
  o.batch_rows = 64;
  o.batch_delay_us = 2000;
  const auto slow = std::make_shared<testing::SlowEngine>(testing::tiny_engine(), 1ms);
  const LoadResult r = run(slow, tiny_samples(8, true), o);
  EXPECT_EQ(r.errors, 0) << r.first_error;
  EXPECT_LT(r.launches * 2, r.requests);  // most launches carry several requests
  expect_accounted(r);
}

TEST(LoadGenerator, DynamicBatchingKeepsDifferentSharedInputsApart) {
  LoadOptions o;
  o.producers = 2;
  o.in_flight = 2;
  o.duration_s = 0.3;
  o.batch_rows = 64;
  o.batch_delay_us = 500;
  const LoadResult r = run(testing::tiny_engine(), tiny_samples(4, false), o);
  EXPECT_EQ(r.errors, 0) << r.first_error;
  expect_accounted(r);
}

TEST(LoadGenerator, StopRequestEndsTheRunEarly) {
  LoadOptions o;
  o.duration_s = 30;
  StopSignal stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(200ms);
    stop.request_stop();
  });
  const auto start = std::chrono::steady_clock::now();
  const LoadResult r = run_load(testing::tiny_engine(), nullptr, tiny_samples(2, false), o, stop);
  stopper.join();
  EXPECT_TRUE(r.interrupted);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_GT(r.requests, 0);
  expect_accounted(r);
}

TEST(LoadGenerator, ProgressIsReportedEverySecond) {
  LoadOptions o;
  o.duration_s = 2.2;
  std::vector<LoadProgress> reports;
  o.on_progress = [&](const LoadProgress& p) { reports.push_back(p); };
  const LoadResult r = run(testing::tiny_engine(), tiny_samples(2, false), o);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_GT(reports[0].requests_per_s, 0);
  EXPECT_GT(reports[1].candidates_per_s, reports[1].requests_per_s - 1);
  EXPECT_GT(reports[1].elapsed_s, 1.9);
  expect_accounted(r);
}

}  // namespace
}  // namespace rankrt
