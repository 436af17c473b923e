// Model directory writer: model files, samples, float64 baseline and benchmark configuration.
#include "models/model_files.h"

#include <filesystem>
#include <fstream>

#include "backends/reference/reference_executor.h"
#include "import/onnx/onnx_writer.h"
#include "import/tf/tf_writer.h"
#include "io/baseline.h"
#include "models/dqm_like.h"
#include "ops/shape_inference.h"

namespace rankrt {

namespace {

void write_benchmark_conf(const std::string& path) {
  std::ofstream out(path);
  if (!out) fail(ErrorCode::kIo, "{}: cannot open for writing", path);
  out << "# rankrt demo benchmark of the DQM-like model (text protobuf). Paths are relative to this file.\n"
         "bench_model_config {\n"
         "  name: \"dqm-like\"\n"
         "  frozen_graph: \"frozen_graph.pb\"\n"
         "  sample_file: \"samples.pb\"\n"
         "  baseline_file: \"baseline.txt\"\n"
         "  result_file: \"result.txt\"\n"
         "  predictor_num: 2\n"
         "  qps: -1\n"
         "}\n"
         "bench_thread_count: 2\n"
         "duration: 5\n";
  out.flush();
  if (!out) fail(ErrorCode::kIo, "{}: write failed", path);
}

}  // namespace

void write_dqm_like_files(const std::string& dir, const ModelFilesOptions& options) {
  namespace fs = std::filesystem;
  if (options.samples < 1) fail(ErrorCode::kUsage, "--samples must be at least 1, got {}", options.samples);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) fail(ErrorCode::kIo, "{}: cannot create directory", dir);
  const fs::path root(dir);

  const DqmLikeModel model = make_dqm_like_model(options.seed);
  Graph graph = dqm_like_graph(model);
  verify_graph(graph);
  infer_shapes(graph);
  write_onnx(graph, (root / "model.onnx").string());
  write_graphdef(dqm_like_graphdef(model), (root / "frozen_graph.pb").string());

  const SampleFile samples = dqm_like_samples(model, options.seed, options.samples);
  write_samples((root / "samples.pb").string(), samples);

  const ReferenceExecutor executor(graph, DType::kF64);
  ScoreTable baseline;
  for (const TensorMap& sample : samples.samples)
    baseline.push_back(select_scores(executor.run(sample), graph, ScoreSelector{"concat_1", 1}));
  write_scores((root / "baseline.txt").string(), baseline);
  write_benchmark_conf((root / "benchmark_conf").string());
}

}  // namespace rankrt
