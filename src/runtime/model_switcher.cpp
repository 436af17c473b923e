// Background engine reloads published through a mutex-guarded shared_ptr.
#include "runtime/model_switcher.h"

#include <chrono>

namespace rankrt {

ModelSwitcher::ModelSwitcher(std::shared_ptr<const Engine> initial, EngineFactory reload, double interval_s)
    : reload_(std::move(reload)), engine_(std::move(initial)) {
  if (interval_s > 0) thread_ = std::thread([this, interval_s] { reload_loop(interval_s); });
}

ModelSwitcher::~ModelSwitcher() { stop(); }

std::shared_ptr<const Engine> ModelSwitcher::current(int64_t* generation) const {
  std::lock_guard lock(mutex_);
  *generation = generation_.load();
  return engine_;
}

void ModelSwitcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_requested_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string ModelSwitcher::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

void ModelSwitcher::reload_loop(double interval_s) {
  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(interval_s));
  auto next = std::chrono::steady_clock::now() + interval;
  std::unique_lock lock(mutex_);
  while (!stop_requested_.wait_until(lock, next, [&] { return stopping_; })) {
    lock.unlock();
    std::shared_ptr<const Engine> fresh;
    std::string error;
    try {
      fresh = reload_();
    } catch (const std::exception& e) {
      error = e.what();
    }
    lock.lock();
    if (fresh) {
      engine_ = std::move(fresh);  // the old engine dies with its last worker's reference
      ++generation_;
    } else {
      ++failures_;
      last_error_ = error;
    }
    next = std::chrono::steady_clock::now() + interval;
  }
}

}  // namespace rankrt
