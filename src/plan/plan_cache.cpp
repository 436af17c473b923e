// The plan cache: one entry per model file and backend, replaced atomically when stale.
#include "plan/plan_cache.h"

#include <filesystem>

#include "plan/format/sha256.h"

namespace rankrt::plan {

namespace fs = std::filesystem;

std::string cache_entry_path(const std::string& dir, const PlanRequest& request) {
  const std::string absolute = fs::absolute(request.model).lexically_normal().string();
  const Digest d = sha256({reinterpret_cast<const uint8_t*>(absolute.data()), absolute.size()});
  const std::string name = fmt::format("{}.{}-{:.8}.plan", fs::path(request.model).filename().string(),
                                       request.engine.backend, to_hex(d));
  return (fs::path(dir) / name).string();
}

CachedEngine load_or_build_cached(const PlanRequest& request, const std::string& dir, const PlanKey& key) {
  const std::string path = cache_entry_path(dir, request);
  std::string why, verb = "rebuilding";
  std::error_code error;
  if (!fs::exists(path, error)) {
    verb = "building";
    why = fmt::format("no plan for {} in {}", request.model, dir);
  } else {
    try {
      Plan stored = read_plan_file(path);
      why = key_mismatch(stored.key, key);
      if (why.empty()) {
        CachedEngine cached;
        cached.engine = engine_from_plan(std::move(stored), request.engine, path);
        cached.reused = true;
        cached.message = fmt::format("plan cache: reused {}", path);
        return cached;
      }
    } catch (const Error& e) {
      why = e.what();
    }
  }
  CachedEngine cached;
  BuiltEngine built = build_engine_and_plan(request, key);
  cached.engine = std::move(built.engine);
  try {
    fs::create_directories(dir);
    write_plan_file(path, built.plan);
    cached.message = fmt::format("plan cache: {}: {}; saved {}", why, verb, path);
  } catch (const std::exception& e) {
    cached.message = fmt::format("plan cache: {}: {}; not saved: {}", why, verb, e.what());
  }
  return cached;
}

CachedEngine load_or_build_cached(const PlanRequest& request, const std::string& dir) {
  return load_or_build_cached(request, dir, make_plan_key(request));
}

}  // namespace rankrt::plan
