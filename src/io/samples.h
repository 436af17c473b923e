// blaze-benchmark sample files (SamplesProto, binary or text protobuf) and their conversion
// to and from NumPy .npz.
#pragma once
#include <string>
#include <vector>

#include "backends/reference/reference_executor.h"

namespace rankrt {

struct SampleFile {
  std::vector<std::string> output_names;
  std::vector<TensorMap> samples;  // one map of named input tensors per request
};

// Reads a sample file; throws naming the file and the problem (missing, corrupt, empty,
// unsupported dtype, content size not matching the shape, ...).
SampleFile read_samples(const std::string& path);
// Reads .npz archives (see io/npz.h) by extension, every other path with read_samples.
SampleFile load_samples(const std::string& path);
// Writes binary SamplesProto (text when the path ends in .pbtxt / .txt).
void write_samples(const std::string& path, const SampleFile& samples);

// Checks every sample against a graph's inputs (names, dtypes, ranks, agreement of symbolic
// dims); throws naming the file, the sample index and the problem.
void check_samples(const SampleFile& samples, const Graph& graph, const std::string& path);

// Counts NaN/Inf values in a sample's float inputs.
int64_t count_non_finite(const TensorMap& sample);

}  // namespace rankrt
