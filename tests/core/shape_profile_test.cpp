// Shape profiles: N=min:opt:max text in and out, one clear error per bad text, the row range check.
#include "core/shape_profile.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace rankrt {
namespace {

std::string parse_error(const std::string& text) {
  try {
    parse_shape_profile(text, "--profile");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUsage) << e.what();
    return e.what();
  }
  return "";
}

TEST(ShapeProfile, ParsesAndFormats) {
  EXPECT_EQ(parse_shape_profile("N=1:256:511", "--profile"), (ShapeProfile{1, 256, 511}));
  EXPECT_EQ(parse_shape_profile("N=7:7:7", "--profile"), (ShapeProfile{7, 7, 7}));
  EXPECT_EQ(profile_to_string(ShapeProfile{}), "N=1:512:512");
  EXPECT_EQ(profile_to_string(parse_shape_profile("N=2:3:4", "x")), "N=2:3:4");
}

TEST(ShapeProfile, BadTextIsOneErrorNamingTheTextAndTheProblem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"N=5:3:2", "opt 3 is below min 5"},
      {"N=1:4:2", "max 2 is below opt 4"},
      {"N=0:1:2", "min must be >= 1, got 0"},
      {"N=-1:1:2", "min must be >= 1, got -1"},
      {"B=1:2:3", "the profile is over the candidate count N, not 'B'"},
      {"n=1:2:3", "not 'n'"},
      {"1:2:3", "no '='"},
      {"N=1:x:3", "'x' is not a whole number"},
      {"N=1.5:2:3", "'1.5' is not a whole number"},
      {"N=1:2: 3", "' 3' is not a whole number"},
      {"N=1::3", "'' is not a whole number"},
      {"N=99999999999999999999:1:2", "is not a whole number"},
      {"N=1:2", "2 number(s), not 3"},
      {"N=1:2:3:4", "4 number(s), not 3"},
      {"", "no '='"},
  };
  for (const auto& [text, problem] : cases) {
    const std::string error = parse_error(text);
    EXPECT_EQ(error.rfind("--profile '" + text + "': ", 0), 0u) << error;
    EXPECT_NE(error.find(problem), std::string::npos) << text << ": " << error;
    EXPECT_NE(error.find("expected N=min:opt:max"), std::string::npos) << error;
  }
}

TEST(ShapeProfile, ChecksRangeAndRows) {
  EXPECT_NO_THROW(check_profile({1, 1, 1}, "backend cpu"));
  try {
    check_profile({4, 2, 8}, "backend cpu");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUsage);
    EXPECT_STREQ(e.what(), "backend cpu: shape profile N=4:2:8: opt 2 is below min 4");
  }
  const ShapeProfile p{2, 8, 16};
  EXPECT_NO_THROW(check_rows(p, "N", 2));
  EXPECT_NO_THROW(check_rows(p, "N", 16));
  EXPECT_NO_THROW(check_rows(p, "", 1));  // static shapes: no candidate count to check
  try {
    check_rows(p, "batch", 17);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kShape);
    EXPECT_STREQ(e.what(), "batch=17 is outside the engine's shape profile N=2:8:16");
  }
  EXPECT_THROW(check_rows(p, "N", 1), Error);
}

}  // namespace
}  // namespace rankrt
