// INT8 / FP8 calibration: the distribution of |x| at the input of every GEMM layer of an optimized
// graph over sample requests, and the calibrators that choose each layer's amax (the |x| mapped to
// the largest quantized value; larger inputs saturate) from it.
#pragma once
#include <map>
#include <span>
#include <string>
#include <vector>

#include "runtime/engine.h"

namespace rankrt {

inline constexpr int kHistogramBins = 2048;

// |x| of one layer input over all samples: kHistogramBins equal bins over [0, amax].
struct ActivationHistogram {
  double amax = 0;  // the largest |x|
  std::vector<double> bins = std::vector<double>(kHistogramBins, 0.0);
  double width() const { return amax / kHistogramBins; }
};

// Adds |x| of `values` to the bins of `h`, whose amax must already be the largest |x| of them.
void add_to_histogram(ActivationHistogram& h, std::span<const float> values);
// The histogram of one set of values (two passes: the max, then the bins).
ActivationHistogram histogram_of(std::span<const float> values);

// minmax: amax = max |x|. percentile:P (P in (0, 100], default 99.99): the upper edge of the bin
// where the cumulative share reaches P%. entropy: TensorRT's KL-divergence calibration: for each
// candidate bin count i in [128, 2048], the reference distribution P = bins[0, i) with the outliers
// (bins from i on) added to bin i-1, against Q = bins[0, i) quantized to 128 levels (each level's
// count spread evenly over its nonzero bins); amax = i * bin width of the smallest KL(P || Q).
struct Calibrator {
  enum class Kind { kMinMax, kPercentile, kEntropy } kind = Kind::kEntropy;
  double percentile = 99.99;
  // "minmax", "percentile:99.99", "entropy": the canonical name calibration caches record.
  std::string name() const;
};

// Parses "minmax", "percentile", "percentile:P", "entropy"; throws kUsage starting with `what`.
Calibrator parse_calibrator(const std::string& text, const std::string& what = "--calibrator");

double calibrated_amax(const ActivationHistogram& h, const Calibrator& c);

// The layers calibration covers, each with its input 0: the GEMM layers (has_gemm_precision) whose
// input 0 is a float value.
std::map<std::string, std::string> calibrated_layers(const Graph& g);

// The |x| histogram of every calibrated layer's input 0 over the samples, by layer. The optimized
// graph `g` runs in float32 on `runtime.backend` (cpu or cuda; its device, threads and profile)
// with those inputs exposed as graph outputs, twice: once for each max |x|, once for the bins.
// Throws kData naming the sample and layer when an input holds NaN or Inf.
std::map<std::string, ActivationHistogram> collect_activation_histograms(
    const Graph& g, const std::vector<TensorMap>& samples, const EngineOptions& runtime);

// Where calibration comes from (rankrt build / run / compare / bench): the --calibrate sample file
// and / or the --calibration-cache file, and the --calibrator.
struct CalibrationSource {
  std::string samples, cache;
  std::string calibrator = "entropy";
  bool given() const { return !samples.empty() || !cache.empty(); }
};

// Whether an engine of these options runs int8 or fp8 layers (its precision, or a per-layer rule
// or given layer asking for one).
bool quantizes(const EngineOptions& options);
bool is_quantized_precision(const std::string& precision);  // int8, fp8

}  // namespace rankrt
