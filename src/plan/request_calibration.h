// Calibration of a build request (`--calibrate SAMPLES`, `--calibration-cache FILE`, `--calibrator
// NAME` of rankrt build / run / compare, and the bench config's keys): the activation amax of every
// int8 / fp8 layer of the request's engine, from a valid cache or measured on the samples (then
// written to the cache).
#pragma once
#include <string>

#include "plan/plan_builder.h"
#include "runtime/calibration.h"

namespace rankrt::plan {

// Sets request.engine.activation_amax to the amax of each int8 / fp8 layer of the optimized graph.
// The cache serves when it was made for this model with this calibrator (and, when samples are
// given, on those samples) and covers every such layer; otherwise the samples are calibrated (every
// GEMM layer) and the cache, when given, is rewritten. Returns the lines to print ("" when the
// request needs no calibration and none was given). Throws kUsage for int8 / fp8 layers on cuda
// without a source, a source for an engine without int8 / fp8 layers, a cache that does not serve
// without samples to recalibrate; kParse naming the cache when it is corrupt.
// `every_layer` (a mixed-precision search that may put any layer in fp8): every GEMM layer gets
// its amax, and an engine without int8 / fp8 layers may be calibrated.
std::string calibrate_request(PlanRequest& request, const CalibrationSource& source,
                              bool every_layer = false);

}  // namespace rankrt::plan
