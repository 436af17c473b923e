// End-to-end `rankrt run` / `rankrt samples` on tiny TF graphs: exit codes and one-line errors.
// Bad models, sample files and baselines must name the file and the problem; NaN inputs still run.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>

#include "import/tf/tf_writer.h"
#include "io/baseline.h"
#include "io/samples.h"

namespace rankrt {
namespace {

struct CliResult {
  int code = -1;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int count_lines(const std::string& s) { return int(std::count(s.begin(), s.end(), '\n')); }

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "rankrt_cli_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }

  CliResult rankrt(const std::string& args) const {
    const std::string cmd = fmt::format("cd '{}' && '{}' {} >'{}' 2>'{}'", dir_.string(), RANKRT_BINARY, args,
                                        file("stdout"), file("stderr"));
    const int status = std::system(cmd.c_str());
    CliResult r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(file("stdout"));
    r.err = slurp(file("stderr"));
    return r;
  }

  // Expects exit `code` and exactly one stderr line containing every part.
  void expect_failure(const std::string& args, int code, const std::vector<std::string>& parts) const {
    const CliResult r = rankrt(args);
    EXPECT_EQ(r.code, code) << args << "\nstderr: " << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_EQ(r.err.rfind("rankrt: error: ", 0), 0u) << r.err;
    for (const std::string& p : parts)
      EXPECT_NE(r.err.find(p), std::string::npos) << "missing '" << p << "' in " << r.err;
  }

  // out = x * 0.5 + y with x, y float [N, 2]; the score is column 1.
  tf::GraphDef tiny_graph() const {
    TfGraphBuilder b;
    b.placeholder("x", DType::kF32, {-1, 2});
    b.placeholder("y", DType::kF32, {-1, 2});
    b.constant("half", Tensor::scalar<float>(0.5f));
    b.add("scaled", "Mul", {"x", "half"}, {{"T", tf_type_attr(DType::kF32)}});
    b.add("out", "AddV2", {"scaled", "y"}, {{"T", tf_type_attr(DType::kF32)}});
    return b.graph();
  }
  void write_model(const tf::GraphDef& g, const std::string& name = "model.pb") const {
    write_graphdef(g, file(name));
  }

  static Tensor random_rows(int64_t rows) {
    static std::mt19937_64 gen{std::random_device{}()};
    std::uniform_real_distribution<float> d(0.5f, 2.0f);
    Tensor t(DType::kF32, {rows, 2});
    for (float& v : t.span<float>()) v = d(gen);
    return t;
  }

  SampleFile samples(std::vector<int64_t> rows) const {
    SampleFile f;
    f.output_names = {"out"};
    for (int64_t n : rows) f.samples.push_back({{"x", random_rows(n)}, {"y", random_rows(n)}});
    return f;
  }

  // The expected scores computed in double precision, independently of rankrt.
  static ScoreTable expected_scores(const SampleFile& f) {
    ScoreTable t;
    for (const TensorMap& s : f.samples) {
      std::vector<double>& line = t.emplace_back();
      const Tensor &x = s.at("x"), &y = s.at("y");
      for (int64_t r = 0; r < x.dims()[0]; ++r)
        line.push_back(double(x.data<float>()[r * 2 + 1]) * 0.5 + y.data<float>()[r * 2 + 1]);
    }
    return t;
  }

  void write_good_case() const {
    write_model(tiny_graph());
    const SampleFile f = samples({1, 5, 3});
    write_samples(file("samples.pb"), f);
    write_scores(file("baseline.txt"), expected_scores(f));
  }

  std::filesystem::path dir_;
};

const std::string kRun = "run --model model.pb --samples samples.pb";

TEST_F(CliTest, RunPassesAndWritesResult) {
  write_good_case();
  const CliResult r = rankrt(kRun + " --baseline baseline.txt --result result.txt");
  EXPECT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("3 samples, 9 candidates"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("accuracy: PASS"), std::string::npos) << r.out;
  const ScoreTable result = read_scores(file("result.txt")), baseline = read_scores(file("baseline.txt"));
  ASSERT_EQ(result.size(), baseline.size());
  for (size_t l = 0; l < result.size(); ++l) {
    ASSERT_EQ(result[l].size(), baseline[l].size());
    for (size_t i = 0; i < result[l].size(); ++i)
      EXPECT_NEAR(result[l][i], baseline[l][i], 1e-6 * std::abs(baseline[l][i]));
  }
}

TEST_F(CliTest, MissingModel) {
  write_good_case();
  expect_failure("run --model nothere.pb --samples samples.pb", 1, {"nothere.pb", "no such file"});
}

TEST_F(CliTest, TruncatedModel) {
  write_good_case();
  const std::string bytes = slurp(file("model.pb"));
  std::ofstream(file("trunc.pb"), std::ios::binary) << bytes.substr(0, bytes.size() - 7);
  expect_failure("run --model trunc.pb --samples samples.pb", 1, {"trunc.pb"});
}

TEST_F(CliTest, CorruptModel) {
  write_good_case();
  std::ofstream(file("corrupt.pb"), std::ios::binary) << std::string("\xff\xfe\x01garbage\x9a\x9b", 12);
  expect_failure("run --model corrupt.pb --samples samples.pb", 1, {"corrupt.pb", "not a valid"});
}

TEST_F(CliTest, UnsupportedOp) {
  write_good_case();
  tf::GraphDef g = tiny_graph();
  g.mutable_node(4)->set_op("FancyUnknownOp");
  write_model(g, "fancy.pb");
  expect_failure("run --model fancy.pb --samples samples.pb", 1, {"fancy.pb", "FancyUnknownOp"});
}

TEST_F(CliTest, GraphWithCycle) {
  write_good_case();
  tf::GraphDef g = tiny_graph();
  g.mutable_node(3)->set_input(0, "out");  // scaled reads out, out reads scaled
  write_model(g, "cycle.pb");
  expect_failure("run --model cycle.pb --samples samples.pb", 1, {"cycle.pb", "cycle"});
}

TEST_F(CliTest, DanglingInput) {
  write_good_case();
  tf::GraphDef g = tiny_graph();
  g.mutable_node(4)->set_input(1, "ghost");
  write_model(g, "dangling.pb");
  expect_failure("run --model dangling.pb --samples samples.pb", 1, {"dangling.pb", "ghost"});
}

TEST_F(CliTest, WrongInputName) {
  write_good_case();
  SampleFile f = samples({2, 2});
  f.samples[1]["z"] = f.samples[1]["y"];
  f.samples[1].erase("y");
  write_samples(file("bad.pb"), f);
  expect_failure(kRun.substr(0, kRun.find("samples.pb")) + "bad.pb", 1, {"bad.pb", "sample 1", "'z'"});
}

TEST_F(CliTest, WrongDtype) {
  write_good_case();
  SampleFile f = samples({2});
  f.samples[0]["y"] = f.samples[0]["y"].to(DType::kF16);
  write_samples(file("bad.pb"), f);
  expect_failure("run --model model.pb --samples bad.pb", 1, {"bad.pb", "sample 0", "'y'", "float16"});
}

TEST_F(CliTest, WrongRank) {
  write_good_case();
  SampleFile f = samples({2});
  f.samples[0]["x"] = f.samples[0]["x"].reshaped({4});
  write_samples(file("bad.pb"), f);
  expect_failure("run --model model.pb --samples bad.pb", 1, {"bad.pb", "sample 0", "'x'", "rank"});
}

TEST_F(CliTest, SymbolicDimMismatch) {
  write_good_case();
  SampleFile f = samples({2, 3});
  f.samples[1]["y"] = random_rows(4);
  write_samples(file("bad.pb"), f);
  expect_failure("run --model model.pb --samples bad.pb", 1, {"bad.pb", "sample 1", "N=4", "N=3"});
}

TEST_F(CliTest, EmptySampleFile) {
  write_good_case();
  std::ofstream(file("empty.pb")).flush();
  expect_failure("run --model model.pb --samples empty.pb", 1, {"empty.pb", "empty"});
}

TEST_F(CliTest, BaselineLineCountMismatch) {
  write_good_case();
  std::ofstream(file("short.txt")) << "1.0\n";
  expect_failure(kRun + " --baseline short.txt", 1, {"short.txt", "1 lines", "3 samples"});
}

TEST_F(CliTest, BaselineValueCountMismatch) {
  write_good_case();
  ScoreTable b = read_scores(file("baseline.txt"));
  b[1].push_back(1.0);
  write_scores(file("long.txt"), b);
  expect_failure(kRun + " --baseline long.txt", 1, {"long.txt", "line 2", "6 values"});
}

TEST_F(CliTest, NanInputsRunAndAreReported) {
  write_good_case();
  SampleFile f = samples({10, 10});
  f.samples[1]["x"].data<float>()[3] = std::numeric_limits<float>::quiet_NaN();  // row 1, column 1: scored
  write_samples(file("nan.pb"), f);
  write_scores(file("nan_baseline.txt"), expected_scores(f));
  const std::string args = "run --model model.pb --samples nan.pb --baseline nan_baseline.txt";
  CliResult r = rankrt(args);
  EXPECT_EQ(r.code, 1) << r.err;  // 1 of 20 values over: 95% < 99%
  EXPECT_NE(r.err.find("nan.pb"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1 NaN/Inf input values"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("NaN/Inf in result:   1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("accuracy: FAIL"), std::string::npos) << r.out;
  r = rankrt(args + " --min-pass 0.9");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("accuracy: PASS"), std::string::npos) << r.out;
}

TEST_F(CliTest, BadOptions) {
  write_good_case();
  expect_failure(kRun + " --precision fp8", 2, {"fp8"});
  expect_failure(kRun + " --output nope", 2, {"'nope'"});
  expect_failure(kRun + " --min-pass 1.5", 2, {"--min-pass"});
}

TEST_F(CliTest, SamplesInfoAndNpzRoundTrip) {
  write_good_case();
  CliResult r = rankrt("samples info samples.pb");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("3 samples"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("x: float32 [1..5, 2]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("output names: out"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1..5, 9 in total"), std::string::npos) << r.out;
  r = rankrt("samples to-npz samples.pb s.npz");
  EXPECT_EQ(r.code, 0) << r.err;
  r = rankrt("samples from-npz s.npz back.pbtxt --output-names out,extra");
  EXPECT_EQ(r.code, 0) << r.err;
  const SampleFile a = read_samples(file("samples.pb")), b = read_samples(file("back.pbtxt"));
  EXPECT_EQ(b.output_names, (std::vector<std::string>{"out", "extra"}));
  ASSERT_EQ(a.samples.size(), b.samples.size());
  for (size_t s = 0; s < a.samples.size(); ++s)
    for (const char* name : {"x", "y"}) {
      const Tensor &ta = a.samples[s].at(name), &tb = b.samples[s].at(name);
      ASSERT_EQ(ta.dims(), tb.dims());
      for (int64_t i = 0; i < ta.numel(); ++i) EXPECT_EQ(ta.as_double(i), tb.as_double(i));
    }
  r = rankrt("run --model model.pb --samples s.npz --baseline baseline.txt");
  EXPECT_EQ(r.code, 0) << r.err << r.out;
  expect_failure("samples info missing.npz", 1, {"missing.npz", "no such file"});
}

}  // namespace
}  // namespace rankrt
