// Writes a synthetic model directory: model.onnx, frozen_graph.pb, samples.pb, baseline.txt and
// benchmark_conf (what `rankrt make-model` produces).
#pragma once
#include <cstdint>
#include <string>

namespace rankrt {

struct ModelFilesOptions {
  uint64_t seed = 1;
  int64_t samples = 64;
};

// The DQM-like model; benchmark_conf runs 5 s on the frozen graph; the baseline is the float64 reference
// executor's concat_1[:,1].
void write_dqm_like_files(const std::string& dir, const ModelFilesOptions& options);

}  // namespace rankrt
