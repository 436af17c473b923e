// INT8 / FP8 calibration: the calibrators on synthetic distributions (minmax exact, percentile
// within a bin, entropy clipping a Gaussian's rare outliers), calibrator names, and the activation
// histograms of the optimized demo model's GEMM layers against the values they are built from.
#include "runtime/calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "models/dqm_like.h"
#include "ops/shape_inference.h"
#include "passes/pipeline.h"

namespace rankrt {
namespace {

std::vector<float> gaussian(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

double amax(const std::vector<float>& values, const std::string& calibrator) {
  return calibrated_amax(histogram_of(values), parse_calibrator(calibrator));
}

TEST(Calibration, HistogramCountsEveryValueUpToItsMax) {
  const std::vector<float> v = {0.0f, -1.0f, 0.25f, 4.0f, -4.0f, 2.0f};
  const ActivationHistogram h = histogram_of(v);
  EXPECT_EQ(h.amax, 4.0);
  ASSERT_EQ(h.bins.size(), size_t(kHistogramBins));
  EXPECT_EQ(h.bins[0], 1.0);                   // 0
  EXPECT_EQ(h.bins[128], 1.0);                 // 0.25 = 128 bins of 4 / 2048
  EXPECT_EQ(h.bins[512], 1.0);                 // 1
  EXPECT_EQ(h.bins[1024], 1.0);                // 2
  EXPECT_EQ(h.bins[kHistogramBins - 1], 2.0);  // 4 and -4: the max falls in the last bin
  const ActivationHistogram zeros = histogram_of(std::vector<float>(5, 0.0f));
  EXPECT_EQ(zeros.amax, 0.0);
  EXPECT_EQ(zeros.bins[0], 5.0);
  EXPECT_EQ(calibrated_amax(zeros, parse_calibrator("entropy")), 0.0);
}

TEST(Calibration, MinMaxIsTheLargestMagnitude) {
  std::vector<float> v = gaussian(10000, 1);
  v[77] = -6.125f;
  EXPECT_EQ(amax(v, "minmax"), 6.125);
  EXPECT_EQ(amax(v, "percentile:100"), 6.125);
}

TEST(Calibration, PercentileIsWithinOneBin) {
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(400000);
  for (float& x : v) x = u(rng);
  const double bin = 1.0 / kHistogramBins;
  for (double p : {50.0, 90.0, 99.0, 99.99}) {
    const double got = amax(v, fmt::format("percentile:{}", p));
    EXPECT_NEAR(got, p / 100, bin + 0.005) << p;  // |x| is uniform on [0, 1)
  }
  // The default keeps 99.99% of a Gaussian: about 3.9 sigma.
  EXPECT_NEAR(amax(gaussian(400000, 3), "percentile"), 3.89, 0.15);
}

TEST(Calibration, EntropyClipsRareOutliersOfAGaussian) {
  std::vector<float> v = gaussian(200000, 4);
  for (int i = 0; i < 20; ++i) v[size_t(i) * 1000] = i % 2 ? 40.0f : -40.0f;
  const double got = amax(v, "entropy");
  EXPECT_LT(got, 0.25 * 40) << "the outliers are clipped";
  EXPECT_GT(got, 2.5) << "the bulk of the Gaussian is kept";
  std::printf("entropy amax of N(0,1) with 0.01%% outliers at 40: %.3f\n", got);
  // Without outliers nothing is worth clipping much: at least 3 sigma of a Gaussian stay.
  EXPECT_GT(amax(gaussian(200000, 5), "entropy"), 3.0);
}

TEST(Calibration, CalibratorNames) {
  EXPECT_EQ(parse_calibrator("minmax").name(), "minmax");
  EXPECT_EQ(parse_calibrator("entropy").name(), "entropy");
  EXPECT_EQ(parse_calibrator("percentile").name(), "percentile:99.99");
  EXPECT_EQ(parse_calibrator("percentile:99.9").name(), "percentile:99.9");
  EXPECT_EQ(parse_calibrator("percentile:100").percentile, 100.0);
  for (const char* bad :
       {"max", "percentile:", "percentile:0", "percentile:101", "percentile:9x", "Entropy"}) {
    try {
      parse_calibrator(bad, "conf: calibrator");
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kUsage);
      EXPECT_EQ(std::string(e.what()).rfind("conf: calibrator", 0), 0u) << e.what();
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST(Calibration, QuantizedEngines) {
  EngineOptions o;
  EXPECT_FALSE(quantizes(o));
  o.precision = "fp8";
  EXPECT_TRUE(quantizes(o));
  o.precision = "fp32";
  o.layer_precision.rules = "fc1*=tf32x3,fc2*=int8";
  EXPECT_TRUE(quantizes(o));
  o.layer_precision = {"", {{"fc1", "fp16"}}};
  EXPECT_FALSE(quantizes(o));
  o.layer_precision.layers["fc2"] = "fp8";
  EXPECT_TRUE(quantizes(o));
}

// The histograms of the demo model's GEMM inputs: one per GEMM layer, each the |x| of the value
// the layer reads (fc1 reads the candidate features, cast to float32, as given).
TEST(Calibration, HistogramsOfTheDemoModel) {
  const DqmLikeModel model = make_dqm_like_model(1);
  Graph g = dqm_like_graph(model);
  g.source = "demo.onnx";
  infer_shapes(g);
  optimize(g);
  const SampleFile samples = dqm_like_samples(model, 7, 3);
  EngineOptions runtime;
  runtime.threads = 1;
  const std::map<std::string, ActivationHistogram> h =
      collect_activation_histograms(g, samples.samples, runtime);
  std::vector<std::string> layers;
  for (const auto& [layer, histogram] : h) layers.push_back(layer);
  EXPECT_EQ(layers, (std::vector<std::string>{"fc1_dqm/MatMul", "fc1_dqm/MatMul/common", "fc2_dqm/MatMul",
                                              "fc3_dqm/MatMul", "fc4_dqm/MatMul", "fc5_dqm/MatMul",
                                              "fc6_dqm/MatMul"}));
  double largest = 0, count = 0;
  for (const TensorMap& s : samples.samples) {
    const Tensor x = s.at("ncomm").to(DType::kF32);
    for (float v : x.span<float>()) largest = std::max(largest, std::abs(double(v)));
    count += double(x.numel());
  }
  const ActivationHistogram& fc1 = h.at("fc1_dqm/MatMul");
  EXPECT_EQ(fc1.amax, largest);
  double binned = 0;
  for (double b : fc1.bins) binned += b;
  EXPECT_EQ(binned, count);
  for (const auto& [layer, histogram] : h) EXPECT_GT(histogram.amax, 0) << layer;
}

TEST(Calibration, NonFiniteActivationsNameTheSampleAndLayer) {
  const DqmLikeModel model = make_dqm_like_model(1);
  Graph g = dqm_like_graph(model);
  infer_shapes(g);
  optimize(g);
  SampleFile samples = dqm_like_samples(model, 7, 2);
  Tensor x = samples.samples[1].at("ncomm").to(DType::kF32);
  x.data<float>()[3] = NAN;
  samples.samples[1]["ncomm"] = x.to(samples.samples[1].at("ncomm").dtype());
  EngineOptions runtime;
  runtime.threads = 1;
  try {
    collect_activation_histograms(g, samples.samples, runtime);
    FAIL() << "a NaN input must fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kData);
    EXPECT_NE(std::string(e.what()).find("sample 1: layer 'fc1_dqm/MatMul'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("calibration needs finite values"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rankrt
