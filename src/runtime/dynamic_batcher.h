// Dynamic batching: merges the candidate rows of several requests into one launch and splits the
// outputs back. Rows are the inputs and outputs whose leading dim is the graph's candidate symbol
// (N); every other input must be byte-identical across the merged requests (e.g. DQM's batch-1
// `comm`), otherwise the requests are not merged.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "backends/reference/reference_executor.h"
#include "ir/graph.h"

namespace rankrt {

class DynamicBatcher {
 public:
  // Throws kUnsupported when no graph input has a symbolic leading dim.
  explicit DynamicBatcher(const Graph& graph);

  const std::string& row_symbol() const { return symbol_; }
  // Candidate rows of a request (the leading dim of its row inputs).
  int64_t rows(const TensorMap& request) const;
  // Whether `b` may share a launch with `a`: same shared inputs (bytes), same row widths.
  bool compatible(const TensorMap& a, const TensorMap& b) const;
  // One request holding the rows of all `requests` in order (they must be pairwise compatible).
  TensorMap merge(const std::vector<const TensorMap*>& requests) const;
  // The outputs of a merged launch, split back per request of `rows` candidates each: row outputs
  // are sliced, the others copied to every request.
  std::vector<TensorMap> split(const TensorMap& outputs, const std::vector<int64_t>& rows) const;

 private:
  std::string symbol_;
  std::vector<std::string> row_inputs_, shared_inputs_;
};

}  // namespace rankrt
