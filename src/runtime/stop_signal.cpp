// StopSignal and the sigwait-based SIGINT watcher.
#include "runtime/stop_signal.h"

#include <pthread.h>
#include <signal.h>

#include <cstdlib>

namespace rankrt {

namespace {

sigset_t sigint_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

void StopSignal::request_stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  changed_.notify_all();
}

bool StopSignal::wait_until(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return changed_.wait_until(lock, deadline, [&] { return stopped_.load(); });
}

SigintWatcher::SigintWatcher(StopSignal& stop) : stop_(stop) {
  const sigset_t set = sigint_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this, set] {
    for (;;) {
      int signal = 0;
      if (sigwait(&set, &signal) != 0 || closing_) return;
      if (interrupted_.exchange(true)) std::_Exit(130);
      stop_.request_stop();
    }
  });
}

SigintWatcher::~SigintWatcher() {
  closing_ = true;
  pthread_kill(thread_.native_handle(), SIGINT);
  thread_.join();
  const sigset_t set = sigint_set();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

}  // namespace rankrt
