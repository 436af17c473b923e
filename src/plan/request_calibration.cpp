// calibrate_request: cache validation, calibration on samples, cache writing.
#include "plan/request_calibration.h"

#include <filesystem>
#include <optional>

#include "import/model_loader.h"
#include "io/samples.h"
#include "passes/pipeline.h"
#include "plan/calibration_cache.h"
#include "plan/format/sha256.h"

namespace rankrt::plan {

namespace {

// Why `cache` cannot serve (a phrase for messages), "" when it can.
std::string stale_reason(const CalibrationCache& cache, const CalibrationCache& wanted,
                         const std::vector<std::string>& layers, const CalibrationSource& source,
                         const std::string& model) {
  if (cache.model_sha256 != wanted.model_sha256)
    return fmt::format("calibrated for another model (sha256 {:.12}, {} is {:.12})", cache.model_sha256,
                       model, wanted.model_sha256);
  if (cache.calibrator != wanted.calibrator)
    return fmt::format("calibrated with {}, not {}", cache.calibrator, wanted.calibrator);
  if (!source.samples.empty() && cache.samples_sha256 != wanted.samples_sha256)
    return fmt::format("calibrated on other samples than {}", source.samples);
  for (const std::string& layer : layers)
    if (!cache.activation_amax.count(layer)) return fmt::format("no amax for layer '{}'", layer);
  return "";
}

}  // namespace

std::string calibrate_request(PlanRequest& request, const CalibrationSource& source, bool every_layer) {
  EngineOptions& engine = request.engine;
  const bool quantized = quantizes(engine);
  if (!source.given()) {
    if (quantized && engine.backend == "cuda")
      fail(ErrorCode::kUsage,
           "{}: backend cuda runs int8 / fp8 layers with calibrated activation scales: give --calibrate "
           "SAMPLES (and --calibration-cache FILE to keep them)",
           request.model);
    return "";
  }
  const Calibrator calibrator = parse_calibrator(source.calibrator);
  if (!quantized && !every_layer)
    fail(ErrorCode::kUsage,
         "--calibrate / --calibration-cache: backend {} precision {} runs no int8 or fp8 layer",
         engine.backend, engine.precision);

  Graph g = load_model(request.model, request.outputs);
  if (engine.optimize && engine.backend != "reference") optimize(g, {engine.disabled_passes});
  std::vector<std::string> layers;  // the int8 / fp8 ones
  for (const auto& [layer, precision] :
       resolve_layer_precision(g, engine.layer_precision, engine.backend, engine.precision))
    if (every_layer || is_quantized_precision(precision)) layers.push_back(layer);

  CalibrationCache wanted{calibrator.name(),
                          to_hex(sha256_file(request.model)),
                          source.samples.empty() ? "" : to_hex(sha256_file(source.samples)),
                          {}};
  std::string message;
  std::error_code error;
  std::optional<CalibrationCache> cache;
  if (!source.cache.empty() && std::filesystem::exists(source.cache, error)) {
    CalibrationCache stored = read_calibration_cache(source.cache);
    const std::string why = stale_reason(stored, wanted, layers, source, request.model);
    if (why.empty()) {
      message = fmt::format("calibration cache {}: reused ({}, {} layers)", source.cache, stored.calibrator,
                            stored.activation_amax.size());
      cache = std::move(stored);
    } else if (source.samples.empty()) {
      fail(ErrorCode::kUsage, "{}: {}: give --calibrate SAMPLES to recalibrate", source.cache, why);
    } else {
      message = fmt::format("calibration cache {}: {}: recalibrating\n", source.cache, why);
    }
  } else if (source.samples.empty()) {
    fail(ErrorCode::kUsage, "{}: no such calibration cache: give --calibrate SAMPLES to create it",
         source.cache);
  }

  if (!cache) {
    const SampleFile samples = load_samples(source.samples);
    check_samples(samples, g, source.samples);
    std::map<std::string, ActivationHistogram> histograms;
    try {
      histograms = collect_activation_histograms(g, samples.samples, engine);
    } catch (const Error& e) {
      throw Error(e.code(), fmt::format("{}: {}", source.samples, e.what()));
    }
    for (const auto& [layer, h] : histograms)
      wanted.activation_amax[layer] = float(calibrated_amax(h, calibrator));
    message += fmt::format("calibration: {} over {} samples of {}: {} layers", wanted.calibrator,
                           samples.samples.size(), source.samples, wanted.activation_amax.size());
    if (!source.cache.empty()) {
      try {
        write_calibration_cache(source.cache, wanted);
        message += fmt::format(", saved {}", source.cache);
      } catch (const Error& e) {
        message += fmt::format(", not saved: {}", e.what());
      }
    }
    cache = std::move(wanted);
  }
  engine.activation_amax.clear();
  for (const std::string& layer : layers) {
    auto it = cache->activation_amax.find(layer);
    if (it == cache->activation_amax.end())
      fail(ErrorCode::kUnsupported, "{}: layer '{}' runs in int8 / fp8 but its input is not a float value",
           request.model, layer);
    engine.activation_amax[layer] = it->second;
  }
  return message;
}

}  // namespace rankrt::plan
