// Checks of sample files against a graph's inputs, and NaN/Inf counting.
#include <cmath>

#include "io/samples.h"

namespace rankrt {

namespace {

std::string input_names(const Graph& graph) {
  std::string names;
  for (const ValueInfo& v : graph.inputs) names += (names.empty() ? "" : ", ") + v.name;
  return names;
}

void check_sample(const TensorMap& sample, const Graph& graph, const std::string& where) {
  for (const auto& [name, t] : sample) {
    if (!graph.find_input(name))
      fail(ErrorCode::kData, "{}: input '{}' is not an input of the model (inputs: {})", where, name,
           input_names(graph));
  }
  SymbolBindings bindings;
  std::map<std::string, std::string> bound_by;  // symbol -> input that bound it
  for (const ValueInfo& v : graph.inputs) {
    auto it = sample.find(v.name);
    if (it == sample.end()) {
      if (graph.find_initializer(v.name)) continue;
      fail(ErrorCode::kData, "{}: input '{}' of the model is missing", where, v.name);
    }
    const Tensor& t = it->second;
    if (t.dtype() != v.dtype)
      fail(ErrorCode::kData, "{}: input '{}' has dtype {}, the model expects {}", where, v.name,
           dtype_name(t.dtype()), dtype_name(v.dtype));
    if (!v.rank_known) continue;
    if (t.rank() != int64_t(v.shape.size()))
      fail(ErrorCode::kData, "{}: input '{}' has rank {} (shape {}), the model expects rank {} {}", where,
           v.name, t.rank(), dims_to_string(t.dims()), v.shape.size(), shape_to_string(v.shape));
    for (size_t d = 0; d < v.shape.size(); ++d) {
      const Dim& dim = v.shape[d];
      const int64_t actual = t.dims()[d];
      if (dim.is_known() && dim.value != actual)
        fail(ErrorCode::kData, "{}: input '{}' has shape {}, the model expects {}", where, v.name,
             dims_to_string(t.dims()), shape_to_string(v.shape));
      if (!dim.is_symbolic()) continue;
      auto [b, inserted] = bindings.emplace(dim.symbol, actual);
      if (inserted) {
        bound_by[dim.symbol] = v.name;
      } else if (b->second != actual) {
        fail(ErrorCode::kData, "{}: input '{}' has {}={} but input '{}' has {}={}", where, v.name, dim.symbol,
             actual, bound_by[dim.symbol], dim.symbol, b->second);
      }
    }
  }
}

}  // namespace

void check_samples(const SampleFile& samples, const Graph& graph, const std::string& path) {
  for (size_t i = 0; i < samples.samples.size(); ++i)
    check_sample(samples.samples[i], graph, fmt::format("{}: sample {}", path, i));
}

int64_t count_non_finite(const TensorMap& sample) {
  int64_t count = 0;
  for (const auto& [name, t] : sample) {
    if (!is_float(t.dtype())) continue;
    for (int64_t i = 0; i < t.numel(); ++i) count += std::isfinite(t.as_double(i)) ? 0 : 1;
  }
  return count;
}

}  // namespace rankrt
