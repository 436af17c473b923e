// baseline_file / result_file: text, one line per sample, the scored output values separated
// by spaces (%.9e).
#pragma once
#include <string>
#include <vector>

#include "backends/reference/reference_executor.h"

namespace rankrt {

using ScoreTable = std::vector<std::vector<double>>;  // [sample][value]

// Which output and which column are scored: default the last column of the first output.
struct ScoreSelector {
  std::string output;   // empty: the graph's first output
  int64_t column = -1;  // negative counts from the end
};

// Extracts the scored values of one request's outputs (row-major, one per row).
std::vector<double> select_scores(const TensorMap& outputs, const Graph& graph, const ScoreSelector& sel);

ScoreTable read_scores(const std::string& path);  // throws on missing file / non-numeric token
void write_scores(const std::string& path, const ScoreTable& scores);

}  // namespace rankrt
