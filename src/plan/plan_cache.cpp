// The plan cache: one entry per model file and backend, replaced atomically when stale.
#include "plan/plan_cache.h"

#include <filesystem>

#include "io/writable_directory.h"
#include "plan/format/sha256.h"

namespace rankrt::plan {

namespace fs = std::filesystem;

namespace {

// Why no entry can be written into `dir` ("" when one can): it, or while it is missing the nearest
// directory above it that exists, is not writable.
std::string unwritable(const std::string& dir) {
  fs::path d = dir;
  std::error_code ec;
  while (!d.empty() && !fs::exists(d, ec) && d != d.parent_path()) d = d.parent_path();
  if (d.empty()) d = ".";
  if (writable_directory(d)) return "";
  if (d == fs::path(dir)) return fmt::format("{} is not writable", dir);
  return fmt::format("cannot create {}: {} is not writable", dir, d.string());
}

}  // namespace

std::string default_cache_dir(const std::string& model) {
  return (fs::path(model).parent_path() / "rankrt-plans").string();
}

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
  const std::string blocked = unwritable(dir);
  if (!blocked.empty()) {
    cached.message = fmt::format("plan cache: {}: {}; not saved: {}", why, verb, blocked);
    return cached;
  }
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
