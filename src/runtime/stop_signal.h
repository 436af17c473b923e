// A stop request that threads can wait on (a condition variable with a stop predicate), and a
// SIGINT watcher that turns Ctrl-C into such a request.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace rankrt {

class StopSignal {
 public:
  void request_stop();
  bool stop_requested() const { return stopped_.load(); }
  // Waits until `deadline` or a stop request; returns whether a stop was requested.
  bool wait_until(std::chrono::steady_clock::time_point deadline);

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::atomic<bool> stopped_ = false;
};

// While alive, SIGINT is blocked in this thread and every thread it starts later, and a watcher
// thread receives it (sigwait) and requests `stop`: waiting threads wake at once, without polling.
// A second SIGINT ends the process (exit status 130). Create it before starting other threads.
class SigintWatcher {
 public:
  explicit SigintWatcher(StopSignal& stop);
  ~SigintWatcher();
  SigintWatcher(const SigintWatcher&) = delete;
  SigintWatcher& operator=(const SigintWatcher&) = delete;
  bool interrupted() const { return interrupted_.load(); }

 private:
  StopSignal& stop_;
  std::atomic<bool> interrupted_ = false, closing_ = false;
  std::thread thread_;
};

}  // namespace rankrt
