// Score files: %.9e round trip, empty lines, bad tokens; selection of the scored column.
#include "io/baseline.h"

#include "io_test_util.h"

namespace rankrt {
namespace {

using testing::expect_error;
using testing::TempDir;

TEST(Scores, RoundTripKeepsNineDigits) {
  TempDir dir;
  std::uniform_real_distribution<double> d(-1e3, 1e3);
  ScoreTable t = {{d(testing::rng()), d(testing::rng()), 1e-30}, {}, {d(testing::rng())}};
  write_scores(dir.file("r.txt"), t);
  const ScoreTable back = read_scores(dir.file("r.txt"));
  ASSERT_EQ(back.size(), 3u);
  EXPECT_TRUE(back[1].empty());
  for (size_t l = 0; l < t.size(); ++l) {
    ASSERT_EQ(back[l].size(), t[l].size());
    for (size_t i = 0; i < t[l].size(); ++i) EXPECT_NEAR(back[l][i], t[l][i], std::abs(t[l][i]) * 1e-9);
  }
  const std::string text = testing::read_file(dir.file("r.txt"));
  EXPECT_NE(text.find("1.000000000e-30\n\n"), std::string::npos) << text;
}

TEST(Scores, ReadsCrlfAndExtraSpaces) {
  TempDir dir;
  testing::write_file(dir.file("b.txt"), "  1.5e-01   2 \r\n-3\r\n");
  EXPECT_EQ(read_scores(dir.file("b.txt")), (ScoreTable{{0.15, 2}, {-3}}));
}

TEST(ScoresErrors, MissingAndNonNumeric) {
  TempDir dir;
  expect_error([&] { read_scores(dir.file("none.txt")); }, ErrorCode::kIo, {"none.txt"});
  testing::write_file(dir.file("b.txt"), "1 2\n3 abc 4\n");
  expect_error([&] { read_scores(dir.file("b.txt")); }, ErrorCode::kData, {"b.txt:2", "'abc'"});
  testing::write_file(dir.file("c.txt"), "1.5x\n");
  expect_error([&] { read_scores(dir.file("c.txt")); }, ErrorCode::kData, {"c.txt:1", "'1.5x'"});
}

Graph two_output_graph() {
  Graph g;
  g.source = "m.pb";
  g.outputs.push_back({"concat_1", DType::kF32, {Dim::sym("N"), 2}, true});
  g.outputs.push_back({"flat", DType::kF32, {Dim::sym("N")}, true});
  return g;
}

TEST(SelectScores, DefaultColumnNamedOutputAndNegativeColumns) {
  const Graph g = two_output_graph();
  TensorMap out = {{"concat_1", Tensor::from_vector<float>({3, 2}, {1, 2, 3, 4, 5, 6})},
                   {"flat", Tensor::from_vector<double>({3}, {7, 8, 9})}};
  EXPECT_EQ(select_scores(out, g, {}), (std::vector<double>{2, 4, 6}));
  EXPECT_EQ(select_scores(out, g, {"concat_1", 0}), (std::vector<double>{1, 3, 5}));
  EXPECT_EQ(select_scores(out, g, {"concat_1", -2}), (std::vector<double>{1, 3, 5}));
  EXPECT_EQ(select_scores(out, g, {"flat", -1}), (std::vector<double>{7, 8, 9}));
}

TEST(SelectScores, Errors) {
  const Graph g = two_output_graph();
  TensorMap out = {{"concat_1", Tensor::from_vector<float>({1, 2}, {1, 2})}};
  expect_error([&] { select_scores(out, g, {"nope", -1}); }, ErrorCode::kUsage, {"'nope'", "concat_1"});
  expect_error([&] { select_scores(out, g, {"concat_1", 2}); }, ErrorCode::kUsage, {"column 2", "[1,2]"});
  expect_error([&] { select_scores(out, g, {"concat_1", -3}); }, ErrorCode::kUsage, {"column -3"});
}

}  // namespace
}  // namespace rankrt
