// Input validation and symbol binding shared by every executor.
#include "ir/input_binding.h"

namespace rankrt {

SymbolBindings bind_inputs(const Graph& graph, const std::map<std::string, Tensor>& inputs) {
  SymbolBindings bindings;
  const std::string where = graph.source.empty() ? "model" : graph.source;
  for (const auto& [name, t] : inputs) {
    if (!graph.find_input(name)) {
      std::string known;
      for (const ValueInfo& v : graph.inputs) known += (known.empty() ? "" : ", ") + v.name;
      fail(ErrorCode::kData, "input '{}' is not an input of {} (inputs: {})", name, where, known);
    }
  }
  for (const ValueInfo& v : graph.inputs) {
    auto it = inputs.find(v.name);
    if (it == inputs.end()) {
      if (graph.find_initializer(v.name)) continue;
      fail(ErrorCode::kData, "input '{}' of {} is missing", v.name, where);
    }
    const Tensor& t = it->second;
    if (t.dtype() != v.dtype)
      fail(ErrorCode::kData, "input '{}' has dtype {}, {} expects {}", v.name, dtype_name(t.dtype()), where,
           dtype_name(v.dtype));
    if (!v.rank_known) continue;
    if (t.rank() != int64_t(v.shape.size()))
      fail(ErrorCode::kData, "input '{}' has shape {}, {} expects rank {} {}", v.name,
           dims_to_string(t.dims()), where, v.shape.size(), shape_to_string(v.shape));
    for (size_t d = 0; d < v.shape.size(); ++d) {
      const Dim& dim = v.shape[d];
      int64_t actual = t.dims()[d];
      if (dim.is_known() && dim.value != actual)
        fail(ErrorCode::kData, "input '{}' has shape {}, {} expects {}", v.name, dims_to_string(t.dims()),
             where, shape_to_string(v.shape));
      if (dim.is_symbolic()) {
        auto [b, inserted] = bindings.emplace(dim.symbol, actual);
        if (!inserted && b->second != actual)
          fail(ErrorCode::kData, "input '{}' has {}={} but another input has {}={}", v.name, dim.symbol,
               actual, dim.symbol, b->second);
      }
    }
  }
  return bindings;
}

}  // namespace rankrt
