// Hot model switching (blaze's double buffer): a background thread rebuilds the engine every
// interval while traffic continues; workers pick the new engine up between requests, and the old
// one lives on until its last worker lets go, so no request is lost.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/engine.h"

namespace rankrt {

using EngineFactory = std::function<std::shared_ptr<const Engine>()>;

class ModelSwitcher {
 public:
  // interval_s <= 0: never reloads (current() stays `initial`).
  ModelSwitcher(std::shared_ptr<const Engine> initial, EngineFactory reload, double interval_s);
  ~ModelSwitcher();  // stops the reload thread
  ModelSwitcher(const ModelSwitcher&) = delete;
  ModelSwitcher& operator=(const ModelSwitcher&) = delete;

  // The engine to use now, and its generation (0 for the initial engine, +1 per switch).
  std::shared_ptr<const Engine> current(int64_t* generation) const;
  // Cheap check for workers: has a newer engine been published since `generation`?
  bool newer_than(int64_t generation) const { return generation_.load() != generation; }
  void stop();
  int64_t switches() const { return generation_.load(); }
  int64_t failures() const { return failures_.load(); }
  std::string last_error() const;

 private:
  void reload_loop(double interval_s);

  EngineFactory reload_;
  mutable std::mutex mutex_;
  std::condition_variable stop_requested_;
  bool stopping_ = false;
  std::shared_ptr<const Engine> engine_;
  std::atomic<int64_t> generation_ = 0, failures_ = 0;
  std::string last_error_;
  std::thread thread_;
};

}  // namespace rankrt
