// The shape profile of an engine, written N=min:opt:max: the candidate counts it serves and the
// count it is tuned for.
#pragma once
#include <cstdint>
#include <string>

namespace rankrt {

// The range of the candidate count N (the graph's one symbolic dim, whatever the model names it).
// The cpu and cuda backends size buffers and primitives for max and reject requests outside
// [min, max]. opt is the count to tune for where a backend picks one count; today none does (cuda
// chooses a cuBLASLt algorithm for every count 1..max), so opt is kept in plan keys but changes no
// choice. Graphs without a symbolic dim ignore the profile.
struct ShapeProfile {
  int64_t min = 1, opt = 512, max = 512;
  bool operator==(const ShapeProfile&) const = default;
};

// "N=1:512:512".
std::string profile_to_string(const ShapeProfile& p);

// Parses "N=min:opt:max". Throws kUsage "<where> '<text>': <problem>" for another symbol, a
// missing or extra field, a non-number or a range that check_profile rejects.
ShapeProfile parse_shape_profile(const std::string& text, const std::string& where);

// Throws kUsage "<where>: shape profile N=..: <problem>" unless 1 <= min <= opt <= max.
void check_profile(const ShapeProfile& p, const std::string& where);

// Throws kShape "<symbol>=<rows> is outside the engine's shape profile N=min:opt:max" unless
// min <= rows <= max; `symbol` empty (a graph of static shapes) accepts any count.
void check_rows(const ShapeProfile& p, const std::string& symbol, int64_t rows);

}  // namespace rankrt
