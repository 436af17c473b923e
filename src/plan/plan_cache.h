// The automatic plan cache of `rankrt run` and `rankrt bench` (on by default, beside the model): reuse
// the stored plan of a model when its key matches, otherwise build and store a new one, saying which
// happened and why.
#pragma once
#include <memory>
#include <string>

#include "plan/plan_builder.h"

namespace rankrt::plan {

// The default cache directory of a model: rankrt-plans/ beside the model file.
std::string default_cache_dir(const std::string& model);

// The cache entry of a model and backend: DIR/<model file name>.<backend>-<hash of the model path>.plan
// (one entry per backend: a precision or profile change rebuilds it).
std::string cache_entry_path(const std::string& dir, const PlanRequest& request);

struct CachedEngine {
  std::unique_ptr<Engine> engine;
  bool reused = false;
  std::string message;  // one line: "reused plan ...", "<reason>: rebuilding", "... saved ..."
};

// Reuses the entry when it parses and its key equals `key`; otherwise builds (rebuilding over a
// stale, corrupt or foreign entry) and writes the entry atomically. A directory that is not
// writable (nor, while missing, the one that would hold it) or a failed write is reported in the
// message, not thrown: the engine is still good.
CachedEngine load_or_build_cached(const PlanRequest& request, const std::string& dir, const PlanKey& key);
// Same with the key of this machine (make_plan_key).
CachedEngine load_or_build_cached(const PlanRequest& request, const std::string& dir);

}  // namespace rankrt::plan
