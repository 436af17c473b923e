// Load generation: producers, bounded request queue, workers with one execution context each.
#include "runtime/load_generator.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include "runtime/request_queue.h"

namespace rankrt {

namespace {

using Clock = std::chrono::steady_clock;

struct Request {
  size_t sample = 0;
  Clock::time_point submitted;
  std::optional<std::promise<void>> done;  // closed loop: the producer waits on it
};

struct WorkerStats {
  int64_t requests = 0, candidates = 0;
  std::vector<double> latencies_ms;
};

// Candidates of a request: the largest leading dimension of its inputs (N of [N, ...] inputs).
int64_t candidate_count(const TensorMap& sample) {
  int64_t rows = 1;
  for (const auto& [name, t] : sample)
    if (t.rank() > 0) rows = std::max(rows, t.dims().front());
  return rows;
}

}  // namespace

LoadResult run_load(const Engine& engine, const std::vector<TensorMap>& samples, const LoadOptions& options) {
  if (samples.empty()) fail(ErrorCode::kData, "no samples to run");
  std::vector<int64_t> candidates;
  for (const TensorMap& sample : samples) candidates.push_back(candidate_count(sample));
  RequestQueue<Request> queue(options.queue_capacity);
  std::vector<WorkerStats> stats(size_t(options.predictors));
  std::atomic<bool> failed = false;
  std::exception_ptr first_error;
  std::mutex error_mutex;

  auto worker = [&](WorkerStats& s, std::unique_ptr<ExecutionContext> context) {
    while (std::optional<Request> request = queue.pop()) {
      if (failed) {
        if (request->done) request->done->set_exception(first_error);
        continue;
      }
      try {
        context->run(samples[request->sample]);
        s.latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - request->submitted).count());
        s.requests += 1;
        s.candidates += candidates[request->sample];
        if (request->done) request->done->set_value();
      } catch (...) {
        {
          std::lock_guard lock(error_mutex);
          if (!first_error) first_error = std::current_exception();
        }
        failed = true;
        queue.close();
        if (request->done) request->done->set_exception(std::current_exception());
      }
    }
  };

  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.duration_s));
  // Paced: each producer submits every producers/qps seconds.
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.qps > 0 ? options.producers / options.qps : 0.0));
  auto producer = [&](int p) {
    Clock::time_point next = start;
    for (size_t i = size_t(p); !failed; i += size_t(options.producers)) {
      if (options.qps > 0) {
        next += interval;
        if (next >= deadline) break;
        std::this_thread::sleep_until(next);
      } else if (Clock::now() >= deadline) {
        break;
      }
      Request request{i % samples.size(), Clock::now(), std::nullopt};
      std::future<void> done;
      if (options.qps <= 0) done = request.done.emplace().get_future();
      if (!queue.push(std::move(request))) break;
      if (!done.valid()) continue;
      try {
        done.get();
      } catch (...) {
        break;  // the worker recorded the error
      }
    }
  };

  std::vector<std::thread> workers, producers;
  for (WorkerStats& s : stats) workers.emplace_back(worker, std::ref(s), engine.create_context());
  for (int p = 0; p < options.producers; ++p) producers.emplace_back(producer, p);
  for (std::thread& t : producers) t.join();
  queue.close();
  for (std::thread& t : workers) t.join();
  if (first_error) std::rethrow_exception(first_error);

  LoadResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> latencies;
  for (const WorkerStats& s : stats) {
    result.requests += s.requests;
    result.candidates += s.candidates;
    latencies.insert(latencies.end(), s.latencies_ms.begin(), s.latencies_ms.end());
  }
  result.latency_ms = summarize_latencies(std::move(latencies));
  return result;
}

}  // namespace rankrt
