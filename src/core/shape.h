// Shapes whose dimensions are either concrete sizes or named symbols (e.g. the candidate count N).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rankrt {

// One dimension: a known size, or a symbol. An empty symbol with value < 0 means "unknown".
struct Dim {
  int64_t value = -1;
  std::string symbol;

  Dim() = default;
  Dim(int64_t v) : value(v) {}  // NOLINT: implicit from a size is intended
  static Dim sym(std::string name) {
    Dim d;
    d.symbol = std::move(name);
    return d;
  }
  bool is_known() const { return value >= 0; }
  bool is_symbolic() const { return value < 0 && !symbol.empty(); }
  bool operator==(const Dim& o) const { return value == o.value && symbol == o.symbol; }
  std::string to_string() const;
};

using Shape = std::vector<Dim>;
using SymbolBindings = std::map<std::string, int64_t>;

std::string shape_to_string(const Shape& s);
std::string dims_to_string(const std::vector<int64_t>& dims);
Shape shape_from_dims(const std::vector<int64_t>& dims);
// All dims known? Then the concrete sizes.
std::optional<std::vector<int64_t>> concrete_dims(const Shape& s);
// Replace bound symbols by their values.
Shape bind_shape(const Shape& s, const SymbolBindings& bindings);
int64_t num_elements(const std::vector<int64_t>& dims);

}  // namespace rankrt
