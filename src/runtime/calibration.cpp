// Activation histograms of GEMM layer inputs and the minmax / percentile / entropy calibrators.
#include "runtime/calibration.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "core/parse_number.h"

namespace rankrt {

namespace {

constexpr int kQuantizedLevels = 128;  // int8: 127 levels each side and zero

double bins_sum(const std::vector<double>& bins, int begin, int end) {
  double s = 0;
  for (int j = begin; j < end; ++j) s += bins[size_t(j)];
  return s;
}

// KL(P || Q) of the candidate clipping at bin count i (Calibrator's entropy); infinite when Q has
// no mass where P has (the outliers land in an empty edge bin).
double clipping_divergence(const std::vector<double>& bins, int i, double total) {
  const double inliers = bins_sum(bins, 0, i);
  if (inliers <= 0) return std::numeric_limits<double>::infinity();
  const double outliers = total - inliers;
  std::vector<double> q(size_t(i), 0.0);
  for (int level = 0; level < kQuantizedLevels; ++level) {
    const int begin = int(int64_t(level) * i / kQuantizedLevels),
              end = int(int64_t(level + 1) * i / kQuantizedLevels);
    int nonzero = 0;
    for (int j = begin; j < end; ++j) nonzero += bins[size_t(j)] > 0;
    if (nonzero == 0) continue;
    const double each = bins_sum(bins, begin, end) / nonzero;
    for (int j = begin; j < end; ++j)
      if (bins[size_t(j)] > 0) q[size_t(j)] = each;
  }
  double kl = 0;
  for (int j = 0; j < i; ++j) {
    const double p = (bins[size_t(j)] + (j == i - 1 ? outliers : 0.0)) / total;
    if (p == 0) continue;
    if (q[size_t(j)] == 0) return std::numeric_limits<double>::infinity();
    kl += p * std::log(p / (q[size_t(j)] / inliers));
  }
  return kl;
}

double entropy_amax(const ActivationHistogram& h, double total) {
  int best = kHistogramBins;
  double best_kl = std::numeric_limits<double>::infinity();
  for (int i = kQuantizedLevels; i <= kHistogramBins; ++i) {
    const double kl = clipping_divergence(h.bins, i, total);
    if (kl < best_kl) {
      best_kl = kl;
      best = i;
    }
  }
  return best * h.width();
}

double percentile_amax(const ActivationHistogram& h, double total, double percentile) {
  const double target = total * percentile / 100;
  double cumulative = 0;
  for (int j = 0; j < kHistogramBins; ++j) {
    cumulative += h.bins[size_t(j)];
    if (cumulative >= target) return (j + 1) * h.width();
  }
  return h.amax;
}

bool is_float_value(const Graph& g, const std::string& name) {
  if (const ValueInfo* in = g.find_input(name)) return is_float(in->dtype);
  auto it = g.value_info.find(name);
  return it != g.value_info.end() && is_float(it->second.dtype);
}

// The engine that computes the calibrated layers' inputs: `g` in float32 with them exposed.
std::unique_ptr<Engine> calibration_engine(const Graph& g, const std::vector<std::string>& values,
                                           const EngineOptions& runtime) {
  Graph exposed = g;
  std::set<std::string> outputs;
  for (const ValueInfo& v : exposed.outputs) outputs.insert(v.name);
  for (const std::string& v : values)
    if (!exposed.find_input(v) && outputs.insert(v).second)
      exposed.outputs.push_back(exposed.value_info.at(v));
  EngineOptions options;
  options.backend = runtime.backend == "cuda" ? "cuda" : "cpu";
  options.profile = runtime.profile;
  options.cuda_graphs = runtime.cuda_graphs;
  options.device = runtime.device;
  options.threads = runtime.threads;
  options.optimize = false;  // `g` is optimized: its layer names are the ones calibrated
  return build_engine(std::move(exposed), options);
}

}  // namespace

void add_to_histogram(ActivationHistogram& h, std::span<const float> values) {
  const double scale = h.amax > 0 ? kHistogramBins / h.amax : 0.0;
  for (float v : values) {
    const int bin = std::min(int(std::abs(double(v)) * scale), kHistogramBins - 1);
    h.bins[size_t(bin)] += 1;
  }
}

ActivationHistogram histogram_of(std::span<const float> values) {
  ActivationHistogram h;
  for (float v : values) h.amax = std::max(h.amax, std::abs(double(v)));
  add_to_histogram(h, values);
  return h;
}

std::string Calibrator::name() const {
  switch (kind) {
    case Kind::kMinMax:
      return "minmax";
    case Kind::kPercentile:
      return fmt::format("percentile:{}", percentile);
    case Kind::kEntropy:
      return "entropy";
  }
  return "";
}

Calibrator parse_calibrator(const std::string& text, const std::string& what) {
  Calibrator c;
  if (text == "minmax") {
    c.kind = Calibrator::Kind::kMinMax;
  } else if (text == "entropy") {
    c.kind = Calibrator::Kind::kEntropy;
  } else if (text == "percentile" || text.rfind("percentile:", 0) == 0) {
    c.kind = Calibrator::Kind::kPercentile;
    if (text != "percentile") {
      const std::optional<double> p = parse_finite_double(text.substr(11));
      if (!p || !(*p > 0 && *p <= 100))
        fail(ErrorCode::kUsage, "{} '{}': the percentile must be a number in (0, 100], e.g. percentile:99.99",
             what, text);
      c.percentile = *p;
    }
  } else {
    fail(ErrorCode::kUsage, "{}: unknown calibrator '{}' (minmax, percentile[:P], entropy)", what, text);
  }
  return c;
}

double calibrated_amax(const ActivationHistogram& h, const Calibrator& c) {
  const double total = bins_sum(h.bins, 0, kHistogramBins);
  if (h.amax <= 0 || total <= 0) return h.amax;
  switch (c.kind) {
    case Calibrator::Kind::kMinMax:
      return h.amax;
    case Calibrator::Kind::kPercentile:
      return percentile_amax(h, total, c.percentile);
    case Calibrator::Kind::kEntropy:
      return entropy_amax(h, total);
  }
  return h.amax;
}

std::map<std::string, std::string> calibrated_layers(const Graph& g) {
  std::map<std::string, std::string> layers;
  for (const Node& n : g.nodes)
    if (has_gemm_precision(g, n) && n.has_input(0) && is_float_value(g, n.inputs[0]))
      layers[n.name] = n.inputs[0];
  return layers;
}

std::map<std::string, ActivationHistogram> collect_activation_histograms(
    const Graph& g, const std::vector<TensorMap>& samples, const EngineOptions& runtime) {
  const std::map<std::string, std::string> input_of = calibrated_layers(g);
  std::vector<std::string> values;
  for (const auto& [layer, value] : input_of) values.push_back(value);
  const std::unique_ptr<Engine> engine = calibration_engine(g, values, runtime);
  const std::unique_ptr<ExecutionContext> context = engine->create_context();

  std::map<std::string, ActivationHistogram> histograms;
  for (const auto& [layer, value] : input_of) histograms[layer];
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < samples.size(); ++i) {
      TensorMap outputs;
      try {
        outputs = context->run(samples[i]);
      } catch (const Error& e) {
        throw Error(e.code(), fmt::format("sample {}: {}", i, e.what()));
      }
      for (const auto& [layer, value] : input_of) {
        const Tensor& found = g.find_input(value) ? samples[i].at(value) : outputs.at(value);
        const Tensor x = found.to(DType::kF32);
        const std::span<const float> v = x.span<float>();
        ActivationHistogram& h = histograms.at(layer);
        if (pass == 1) {
          add_to_histogram(h, v);
          continue;
        }
        for (float f : v) {
          if (!std::isfinite(f))
            fail(ErrorCode::kData,
                 "sample {}: layer '{}': its input '{}' holds {}: calibration needs finite values", i, layer,
                 value, f);
          h.amax = std::max(h.amax, std::abs(double(f)));
        }
      }
    }
  }
  return histograms;
}

bool is_quantized_precision(const std::string& precision) {
  return precision == "int8" || precision == "fp8";
}

bool quantizes(const EngineOptions& options) {
  if (is_quantized_precision(options.precision)) return true;
  for (const PrecisionRule& r : parse_precision_rules(options.layer_precision.rules))
    if (is_quantized_precision(r.precision)) return true;
  for (const auto& [layer, precision] : options.layer_precision.layers)
    if (is_quantized_precision(precision)) return true;
  return false;
}

}  // namespace rankrt
