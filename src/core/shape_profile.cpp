// Shape profile text form and range checks.
#include "core/shape_profile.h"

#include <charconv>
#include <vector>

#include "core/error.h"

namespace rankrt {

namespace {

// Why the profile is not 1 <= min <= opt <= max ("" when it is).
std::string range_problem(const ShapeProfile& p) {
  if (p.min < 1) return fmt::format("min must be >= 1, got {}", p.min);
  if (p.opt < p.min) return fmt::format("opt {} is below min {}", p.opt, p.min);
  if (p.max < p.opt) return fmt::format("max {} is below opt {}", p.max, p.opt);
  return "";
}

}  // namespace

std::string profile_to_string(const ShapeProfile& p) {
  return fmt::format("N={}:{}:{}", p.min, p.opt, p.max);
}

ShapeProfile parse_shape_profile(const std::string& text, const std::string& where) {
  auto bad = [&](const std::string& problem) {
    fail(ErrorCode::kUsage, "{} '{}': {} (expected N=min:opt:max, e.g. N=1:512:512)", where, text, problem);
  };
  const size_t eq = text.find('=');
  if (eq == std::string::npos) bad("no '='");
  if (text.substr(0, eq) != "N")
    bad(fmt::format("the profile is over the candidate count N, not '{}'", text.substr(0, eq)));
  std::vector<int64_t> values;
  size_t begin = eq + 1;
  while (true) {
    const size_t end = std::min(text.find(':', begin), text.size());
    const std::string field = text.substr(begin, end - begin);
    int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
    if (field.empty() || ec != std::errc() || ptr != field.data() + field.size())
      bad(fmt::format("'{}' is not a whole number", field));
    values.push_back(v);
    if (end == text.size()) break;
    begin = end + 1;
  }
  if (values.size() != 3) bad(fmt::format("{} number(s), not 3", values.size()));
  const ShapeProfile p{values[0], values[1], values[2]};
  if (const std::string problem = range_problem(p); !problem.empty()) bad(problem);
  return p;
}

void check_profile(const ShapeProfile& p, const std::string& where) {
  if (const std::string problem = range_problem(p); !problem.empty())
    fail(ErrorCode::kUsage, "{}: shape profile {}: {}", where, profile_to_string(p), problem);
}

void check_rows(const ShapeProfile& p, const std::string& symbol, int64_t rows) {
  if (!symbol.empty() && (rows < p.min || rows > p.max))
    fail(ErrorCode::kShape, "{}={} is outside the engine's shape profile {}", symbol, rows,
         profile_to_string(p));
}

}  // namespace rankrt
