// --calibrate, --calibration-cache and --calibrator: the INT8 / FP8 calibration options of rankrt
// build, run and compare (plan/request_calibration.h applies them).
#pragma once
#include <CLI/CLI.hpp>
#include <vector>

#include "runtime/calibration.h"

namespace rankrt::tools {

// Returns the three options (e.g. for excludes()).
inline std::vector<CLI::Option*> add_calibration_flags(CLI::App* cmd, CalibrationSource& source) {
  return {cmd->add_option(
              "--calibrate", source.samples,
              "int8 / fp8: calibrate the activation scales on this sample file (required on cuda unless "
              "--calibration-cache holds a valid calibration)"),
          cmd->add_option(
              "--calibration-cache", source.cache,
              "int8 / fp8: reuse the calibration in this file when it is valid for the model and calibrator, "
              "else write the one --calibrate makes"),
          cmd->add_option("--calibrator", source.calibrator,
                          "minmax | percentile[:P] (default 99.99) | entropy (KL)")
              ->capture_default_str()};
}

}  // namespace rankrt::tools
