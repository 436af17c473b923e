// Load generation: producers (closed loop with a fixed number of requests in flight, or Poisson
// open loop), a bounded request queue, and workers that own one execution context each.
#include "runtime/load_generator.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include "io/samples.h"
#include "runtime/dynamic_batcher.h"
#include "runtime/load_metrics.h"
#include "runtime/request_queue.h"

namespace rankrt {

namespace {

using Clock = std::chrono::steady_clock;

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

// A producer's outstanding requests (closed loop) and the condition it waits on (both loops).
struct ProducerSlot {
  std::mutex mutex;
  std::condition_variable changed;
  int in_flight = 0;
};

struct Request {
  size_t sample = 0;
  Clock::time_point arrival;
  ProducerSlot* slot = nullptr;  // closed loop: released at completion
};

// Candidates of a request: the largest leading dimension of its inputs (N of [N, ...] inputs).
int64_t candidate_count(const TensorMap& sample) {
  int64_t rows = 1;
  for (const auto& [name, t] : sample)
    if (t.rank() > 0) rows = std::max(rows, t.dims().front());
  return rows;
}

class LoadRun {
 public:
  LoadRun(std::shared_ptr<const Engine> engine, const EngineFactory& reload,
          const std::vector<TensorMap>& samples, const LoadOptions& options)
      : samples_(samples),
        options_(options),
        switcher_(std::move(engine), reload, options.switch_interval_s),
        queue_(options.queue_capacity) {
    for (const TensorMap& sample : samples) candidates_.push_back(candidate_count(sample));
    for (int p = 0; p < options.producers; ++p) slots_.push_back(std::make_unique<ProducerSlot>());
    if (options.batch_rows > 0) prepare_batching(switcher_.current(&generation_at_start_)->graph());
  }

  LoadResult run(StopSignal& stop) {
    const std::shared_ptr<const Engine> engine = switcher_.current(&generation_at_start_);
    std::vector<std::unique_ptr<ExecutionContext>> contexts;
    for (int w = 0; w < options_.predictors; ++w) {
      contexts.push_back(engine->create_context());
      contexts.back()->enable_device_timing();
    }

    LoadResult result;
    start_ = Clock::now();
    std::vector<std::thread> workers, producers;
    for (auto& context : contexts)
      workers.emplace_back(
          [this, &context, engine] { serve(engine, generation_at_start_, std::move(context)); });
    for (int p = 0; p < options_.producers; ++p) producers.emplace_back([this, p] { produce(p); });
    result.interrupted = control(stop);
    stop_producers();
    for (std::thread& t : producers) t.join();
    queue_.close();  // workers serve what is queued, then return
    for (std::thread& t : workers) t.join();
    switcher_.stop();
    result.seconds = std::chrono::duration<double>(Clock::now() - start_).count();

    MetricsTotals totals = metrics_.totals();
    result.submitted = submitted_;
    result.requests = totals.requests;
    result.candidates = totals.candidates;
    result.dropped = totals.dropped;
    result.errors = totals.errors;
    result.launches = totals.launches;
    result.first_error = totals.first_error;
    result.switches = switcher_.switches();
    result.switch_failures = switcher_.failures();
    result.switch_error = switcher_.last_error();
    result.latency_us = summarize_latencies(std::move(totals.latencies_us));
    if (totals.timed_launches > 0) {
      const double n = double(totals.timed_launches);
      result.device_time_us =
          DeviceTimes{totals.device_time_us.h2d_us / n, totals.device_time_us.compute_us / n,
                      totals.device_time_us.d2h_us / n};
    }
    return result;
  }

 private:
  // Reports progress every second until the duration ends or a stop is requested (returns true).
  bool control(StopSignal& stop) {
    const Clock::time_point deadline = start_ + seconds(options_.duration_s);
    Clock::time_point tick = start_ + std::chrono::seconds(1);
    for (;;) {
      if (stop.wait_until(std::min(tick, deadline))) return true;
      const Clock::time_point now = Clock::now();
      if (now >= deadline) return false;
      if (now < tick) continue;  // woken early by the clock's granularity
      report_progress(now);
      tick += std::chrono::seconds(1);
    }
  }

  void report_progress(Clock::time_point now) {
    if (!options_.on_progress) return;
    MetricsWindow window = metrics_.take_window();
    const double span = std::chrono::duration<double>(now - last_report_.value_or(start_)).count();
    last_report_ = now;
    LoadProgress p;
    p.elapsed_s = std::chrono::duration<double>(now - start_).count();
    p.requests_per_s = double(window.requests) / span;
    p.candidates_per_s = double(window.candidates) / span;
    p.p99_us = summarize_latencies(std::move(window.latencies_us)).p99;
    p.queue_depth = queue_.size();
    p.dropped = metrics_.dropped();
    p.errors = metrics_.errors();
    options_.on_progress(p);
  }

  void stop_producers() {
    stopping_ = true;
    for (auto& slot : slots_) {
      { std::lock_guard lock(slot->mutex); }  // a waiter has either seen the flag or is waiting
      slot->changed.notify_all();
    }
    queue_.close();  // wakes producers blocked on a full queue
  }

  void produce(int p) {
    ProducerSlot& slot = *slots_[size_t(p)];
    std::mt19937_64 rng(options_.seed + uint64_t(p));
    std::exponential_distribution<double> gap(options_.qps > 0 ? options_.qps / options_.producers : 1.0);
    Clock::time_point next = start_;
    for (size_t i = size_t(p);; i += size_t(options_.producers)) {
      Request request{i % samples_.size(), {}, nullptr};
      if (options_.qps > 0) {
        next += seconds(gap(rng));
        {
          std::unique_lock lock(slot.mutex);
          if (slot.changed.wait_until(lock, next, [&] { return stopping_.load(); })) return;
        }
        request.arrival = next;
        if (queue_.try_push(request))
          ++submitted_;
        else
          metrics_.record_drop();
        continue;
      }
      {
        std::unique_lock lock(slot.mutex);
        slot.changed.wait(lock, [&] { return stopping_ || slot.in_flight < options_.in_flight; });
        if (stopping_) return;
        ++slot.in_flight;
      }
      request.slot = &slot;
      request.arrival = Clock::now();
      if (!queue_.push(request)) {
        release(request);
        return;
      }
      ++submitted_;
    }
  }

  static void release(const Request& request) {
    if (!request.slot) return;
    {
      std::lock_guard lock(request.slot->mutex);
      --request.slot->in_flight;
    }
    request.slot->changed.notify_all();
  }

  // A worker: `context` belongs to `engine` (kept alive while in use) of switcher generation `generation`.
  void serve(std::shared_ptr<const Engine> engine, int64_t generation,
             std::unique_ptr<ExecutionContext> context) {
    std::optional<Request> carried;
    for (;;) {
      std::optional<Request> first = carried ? std::exchange(carried, std::nullopt) : queue_.pop();
      if (!first) return;
      std::vector<Request> batch{*first};
      if (batcher_ && batchable_[first->sample]) carried = gather(batch);
      if (switcher_.newer_than(generation)) switch_engine(engine, generation, context);
      execute(*context, batch);
    }
  }

  // Between requests: the newest engine and a context of it (the old pair stays on failure).
  void switch_engine(std::shared_ptr<const Engine>& engine, int64_t& generation,
                     std::unique_ptr<ExecutionContext>& context) {
    int64_t newest = 0;
    std::shared_ptr<const Engine> fresh = switcher_.current(&newest);
    try {
      std::unique_ptr<ExecutionContext> fresh_context = fresh->create_context();
      fresh_context->enable_device_timing();
      context = std::move(fresh_context);
      engine = std::move(fresh);
      generation = newest;
    } catch (const std::exception& e) {
      metrics_.record_error(fmt::format("execution context of the reloaded engine: {}", e.what()));
      generation = newest;  // keep serving on the old engine
    }
  }

  void prepare_batching(const Graph& graph) {
    batcher_.emplace(graph);
    for (const TensorMap& sample : samples_) {
      try {
        rows_.push_back(batcher_->rows(sample));
        batchable_.push_back(rows_.back() > 0 && rows_.back() <= options_.batch_rows &&
                             batcher_->compatible(sample, sample));
      } catch (const Error&) {
        rows_.push_back(0);
        batchable_.push_back(false);
      }
    }
  }

  // Adds queued requests that merge with the batch, until the row limit or the delay; returns a
  // popped request that did not fit (served next).
  std::optional<Request> gather(std::vector<Request>& batch) {
    const TensorMap& first = samples_[batch.front().sample];
    int64_t rows = rows_[batch.front().sample];
    const Clock::time_point deadline = Clock::now() + std::chrono::microseconds(options_.batch_delay_us);
    while (rows < options_.batch_rows) {
      std::optional<Request> next = queue_.pop_until(deadline);
      if (!next) return std::nullopt;
      const size_t s = next->sample;
      if (!batchable_[s] || rows + rows_[s] > options_.batch_rows ||
          !batcher_->compatible(first, samples_[s]))
        return next;
      rows += rows_[s];
      batch.push_back(*next);
    }
    return std::nullopt;
  }

  void execute(ExecutionContext& context, const std::vector<Request>& batch) {
    if (batch.size() > 1) {
      try {
        std::vector<const TensorMap*> inputs;
        std::vector<int64_t> rows;
        for (const Request& r : batch) {
          inputs.push_back(&samples_[r.sample]);
          rows.push_back(rows_[r.sample]);
        }
        metrics_.record_launch();
        const std::vector<TensorMap> outputs = batcher_->split(context.run(batcher_->merge(inputs)), rows);
        record_device_times(context);
        for (size_t i = 0; i < batch.size(); ++i) complete(batch[i], outputs[i]);
        return;
      } catch (const std::exception&) {
        // Run the requests one by one below, so that a failure is counted against its own sample.
      }
    }
    for (const Request& r : batch) {
      try {
        metrics_.record_launch();
        TensorMap outputs = context.run(samples_[r.sample]);
        record_device_times(context);
        complete(r, outputs);
      } catch (const std::exception& e) {
        metrics_.record_error(fmt::format("request of sample {}: {}", r.sample, e.what()));
        release(r);
      }
    }
  }

  void record_device_times(const ExecutionContext& context) {
    if (const std::optional<DeviceTimes> t = context.device_times()) metrics_.record_device_times(*t);
  }

  void complete(const Request& r, const TensorMap& outputs) {
    if (const int64_t bad = count_non_finite(outputs); bad > 0)
      metrics_.record_error(fmt::format("request of sample {}: {} NaN/Inf output values", r.sample, bad));
    else
      metrics_.record_success(std::chrono::duration<double, std::micro>(Clock::now() - r.arrival).count(),
                              candidates_[r.sample]);
    release(r);
  }

  const std::vector<TensorMap>& samples_;
  const LoadOptions& options_;
  ModelSwitcher switcher_;
  RequestQueue<Request> queue_;
  LoadMetrics metrics_;
  std::vector<int64_t> candidates_, rows_;
  std::vector<bool> batchable_;
  std::optional<DynamicBatcher> batcher_;
  int64_t generation_at_start_ = 0;
  std::vector<std::unique_ptr<ProducerSlot>> slots_;
  std::atomic<bool> stopping_ = false;
  std::atomic<int64_t> submitted_ = 0;
  Clock::time_point start_;
  std::optional<Clock::time_point> last_report_;
};

}  // namespace

LoadResult run_load(std::shared_ptr<const Engine> engine, const EngineFactory& reload,
                    const std::vector<TensorMap>& samples, const LoadOptions& options, StopSignal& stop) {
  if (samples.empty()) fail(ErrorCode::kData, "no samples to run");
  if (options.producers < 1 || options.predictors < 1 || options.in_flight < 1)
    fail(ErrorCode::kUsage, "load: producers, predictors and in_flight must be >= 1");
  LoadRun run(std::move(engine), reload, samples, options);
  return run.run(stop);
}

}  // namespace rankrt
