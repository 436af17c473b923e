// parse_finite_double: the whole text must be one finite, in-range number.
#include "core/parse_number.h"

#include <gtest/gtest.h>

namespace rankrt {
namespace {

TEST(ParseFiniteDouble, ReadsWholeNumbers) {
  EXPECT_EQ(parse_finite_double("0.25"), 0.25);
  EXPECT_EQ(parse_finite_double("-3"), -3.0);
  EXPECT_EQ(parse_finite_double("1e-3"), 1e-3);
  EXPECT_EQ(parse_finite_double("99.99"), 99.99);
}

TEST(ParseFiniteDouble, RejectsPartialEmptyNonFiniteAndOutOfRange) {
  for (const char* bad : {"", "abc", "1.5x", "1%", "nan", "inf", "-inf", "1e400", "1e-400"})
    EXPECT_FALSE(parse_finite_double(bad).has_value()) << bad;
}

}  // namespace
}  // namespace rankrt
