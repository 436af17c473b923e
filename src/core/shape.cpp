// Shape helpers: printing, binding symbols, element counts.
#include "core/shape.h"

#include <fmt/format.h>

namespace rankrt {

std::string Dim::to_string() const {
  if (is_known()) return std::to_string(value);
  return symbol.empty() ? "?" : symbol;
}

std::string shape_to_string(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + s[i].to_string();
  return out + "]";
}

std::string dims_to_string(const std::vector<int64_t>& dims) {
  return fmt::format("[{}]", fmt::join(dims, ","));
}

Shape shape_from_dims(const std::vector<int64_t>& dims) { return Shape(dims.begin(), dims.end()); }

std::optional<std::vector<int64_t>> concrete_dims(const Shape& s) {
  std::vector<int64_t> out;
  for (const Dim& d : s) {
    if (!d.is_known()) return std::nullopt;
    out.push_back(d.value);
  }
  return out;
}

Shape bind_shape(const Shape& s, const SymbolBindings& bindings) {
  Shape out = s;
  for (Dim& d : out) {
    if (d.is_symbolic()) {
      auto it = bindings.find(d.symbol);
      if (it != bindings.end()) d = Dim(it->second);
    }
  }
  return out;
}

int64_t num_elements(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

}  // namespace rankrt
