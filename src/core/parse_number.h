// Strict number parsing for command-line and config values.
#pragma once
#include <optional>
#include <string>

namespace rankrt {

// The finite number that is the whole of `text` (as std::stod reads it: decimal, hex or exponent
// forms); nullopt when text is empty, has anything after the number, or is out of range, inf or NaN.
std::optional<double> parse_finite_double(const std::string& text);

}  // namespace rankrt
