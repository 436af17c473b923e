// A `rankrt bench` test directory: the demo model (rankrt make-model dqm-like), its samples and
// baseline, and a config.
#pragma once
#include <fmt/format.h>

#include <filesystem>
#include <string>

#include "cli_helpers.h"

namespace rankrt::testing {

// A model directory with a config: `model_fields` inside bench_model_config (predictor_num 2,
// results into out/), `extra` top-level fields.
inline void make_bench_dir(const ScratchDir& dir, const std::string& model_fields, const std::string& extra) {
  const auto r = run_rankrt(fmt::format("make-model dqm-like --out {} --samples 3", dir.path().string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  write_file(dir / "conf", "bench_model_config {\n" + model_fields +
                               "\n  sample_file: \"samples.pb\"\n  baseline_file: \"baseline.txt\"\n"
                               "  result_file: \"out/result.txt\"\n  predictor_num: 2\n}\n" +
                               extra);
  std::filesystem::create_directories(dir.path() / "out");
}

}  // namespace rankrt::testing
