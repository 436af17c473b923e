// The calibration cache file (`--calibration-cache FILE`): JSON naming its format and version, the
// calibrator, the SHA-256 of the model and of the calibration samples, and the calibrated max |x|
// of every GEMM layer's input (by layer name of the optimized graph):
//   {"format": "rankrt-calibration-cache", "version": 1, "calibrator": "entropy",
//    "model_sha256": "...", "samples_sha256": "...", "activation_amax": {"fc1": 3.25, ...}}
#pragma once
#include <map>
#include <string>

namespace rankrt::plan {

inline constexpr char kCalibrationCacheFormat[] = "rankrt-calibration-cache";
inline constexpr int kCalibrationCacheVersion = 1;

struct CalibrationCache {
  std::string calibrator;  // Calibrator::name()
  std::string model_sha256, samples_sha256;
  std::map<std::string, float> activation_amax;

  bool operator==(const CalibrationCache&) const = default;
};

std::string calibration_cache_json(const CalibrationCache& cache);
// Throws kParse naming `file`: not JSON (corrupt or truncated), another format or version, a
// missing or mistyped field, an amax that is not a finite number >= 0.
CalibrationCache parse_calibration_cache(const std::string& text, const std::string& file);

// Reads and parses (kIo when the file cannot be read).
CalibrationCache read_calibration_cache(const std::string& path);
// Writes atomically (write_file_atomically).
void write_calibration_cache(const std::string& path, const CalibrationCache& cache);

}  // namespace rankrt::plan
