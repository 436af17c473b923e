// Shared helpers of the plan tests: temporary directories, a small graph using every attribute
// kind, and the model the engine tests run (the real DQM when present, else a generated one).
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

#include "ir/graph.h"
#include "plan/format/plan.h"

namespace rankrt::plan::testing {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const fs::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// x [N,4] f32 -> MatMul(W [4,3] random) -> Add(b) -> Relu -> y [N,3], with extra attributes of
// every kind (ints, floats, strings, Tensor) on the nodes and a value_info with a symbolic dim.
Graph small_graph(uint64_t seed);

// A plan of small_graph with a full key (calibration included), a layer precision and two layers
// of fake GEMM algorithms.
Plan small_plan(uint64_t seed);

// The model file and its sample file: /work/shared/models/dqm when present, otherwise a
// DQM-like model written once into a temporary directory.
struct ModelFiles {
  std::string model, samples;
};
const ModelFiles& dqm_files();

}  // namespace rankrt::plan::testing
