// parse_finite_double: std::strtod over the whole text, rejecting range errors and non-finite values.
#include "core/parse_number.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace rankrt {

std::optional<double> parse_finite_double(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace rankrt
