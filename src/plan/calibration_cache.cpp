// Calibration cache files: JSON through nlohmann, every field checked on reading.
#include "plan/calibration_cache.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "plan/format/atomic_file.h"

namespace rankrt::plan {

namespace {

// The field `name` of `doc`, which must have `type`; throws kParse naming the file otherwise.
const nlohmann::json& field(const nlohmann::json& doc, const char* name, nlohmann::json::value_t type,
                            const char* type_name, const std::string& file) {
  auto it = doc.find(name);
  if (it == doc.end() || it->type() != type)
    fail(ErrorCode::kParse, "{}: corrupt calibration cache: \"{}\" is {}, not {}", file, name,
         it == doc.end() ? "missing" : std::string(it->type_name()), type_name);
  return *it;
}

}  // namespace

std::string calibration_cache_json(const CalibrationCache& c) {
  nlohmann::json amax = nlohmann::json::object();
  for (const auto& [layer, value] : c.activation_amax) amax[layer] = value;
  const nlohmann::json doc = {{"format", kCalibrationCacheFormat},  {"version", kCalibrationCacheVersion},
                              {"calibrator", c.calibrator},         {"model_sha256", c.model_sha256},
                              {"samples_sha256", c.samples_sha256}, {"activation_amax", amax}};
  return doc.dump(2) + "\n";
}

CalibrationCache parse_calibration_cache(const std::string& text, const std::string& file) {
  using Type = nlohmann::json::value_t;
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    fail(ErrorCode::kParse, "{}: corrupt or truncated calibration cache: {}", file, e.what());
  }
  if (!doc.is_object() || doc.value("format", nlohmann::json()) != kCalibrationCacheFormat)
    fail(ErrorCode::kParse, "{}: not a rankrt calibration cache (no \"format\": \"{}\")", file,
         kCalibrationCacheFormat);
  const nlohmann::json& version = doc.find("version") != doc.end() ? doc["version"] : nlohmann::json();
  if (version != kCalibrationCacheVersion)
    fail(ErrorCode::kParse, "{}: calibration cache version {}, this rankrt reads version {}: recalibrate",
         file, version.dump(), kCalibrationCacheVersion);
  CalibrationCache c;
  c.calibrator = field(doc, "calibrator", Type::string, "a string", file).get<std::string>();
  c.model_sha256 = field(doc, "model_sha256", Type::string, "a string", file).get<std::string>();
  c.samples_sha256 = field(doc, "samples_sha256", Type::string, "a string", file).get<std::string>();
  for (const auto& [layer, value] : field(doc, "activation_amax", Type::object, "an object", file).items()) {
    const double amax = value.is_number() ? value.get<double>() : -1;
    if (!(std::isfinite(amax) && amax >= 0 && amax <= 3.4e38))
      fail(ErrorCode::kParse,
           "{}: corrupt calibration cache: the amax of layer '{}' is {}, not a finite number >= 0", file,
           layer, value.dump());
    c.activation_amax[layer] = float(amax);
  }
  return c;
}

CalibrationCache read_calibration_cache(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorCode::kIo, "{}: cannot open calibration cache", path);
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) fail(ErrorCode::kIo, "{}: cannot read calibration cache", path);
  return parse_calibration_cache(text.str(), path);
}

void write_calibration_cache(const std::string& path, const CalibrationCache& cache) {
  const std::string text = calibration_cache_json(cache);
  write_file_atomically(path, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

}  // namespace rankrt::plan
