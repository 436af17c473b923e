// `rankrt test-case`: the exporter fixtures pass; wrong values, dtypes and tolerances are reported.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>

#include "cli_helpers.h"

namespace rankrt {
namespace {

using testing::run_rankrt;
using testing::ScratchDir;

const std::string kFixture = std::string(RANKRT_SOURCE_DIR) + "/tests/fixtures/torch_ranking_mlp";

// A copy of the torch fixture whose first expected output is replaced by `ref`.
void copy_fixture_with_output(const ScratchDir& dir, const onnx::TensorProto& ref) {
  std::filesystem::copy(kFixture, dir.path(), std::filesystem::copy_options::recursive);
  std::ofstream out(dir / "test_data_set_0/output_0.pb", std::ios::binary | std::ios::trunc);
  ref.SerializeToOstream(&out);
}

onnx::TensorProto expected_output() {
  onnx::TensorProto t;
  std::ifstream in(kFixture + "/test_data_set_0/output_0.pb", std::ios::binary);
  EXPECT_TRUE(t.ParseFromIstream(&in));
  return t;
}

// Adds `delta` to every element of a float32 raw_data tensor.
onnx::TensorProto shifted(onnx::TensorProto t, float delta) {
  std::string raw = t.raw_data();
  auto* values = reinterpret_cast<float*>(raw.data());
  for (size_t i = 0; i < raw.size() / sizeof(float); ++i) values[i] += delta;
  t.set_raw_data(raw);
  return t;
}

TEST(TestCaseCommand, FixturesPass) {
  for (const char* name : {"torch_ranking_mlp", "tf2onnx_ranking_mlp"}) {
    const auto r = run_rankrt(std::string("test-case ") + RANKRT_SOURCE_DIR + "/tests/fixtures/" + name);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("test_data_set_1: output"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("max abs err"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("PASS (2 data sets"), std::string::npos) << r.output;
  }
}

TEST(TestCaseCommand, WrongValuesFailUnlessWithinTolerance) {
  ScratchDir dir("test-case");
  copy_fixture_with_output(dir, shifted(expected_output(), 0.01f));
  auto r = run_rankrt("test-case " + dir.path().string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("5 of 5 values out of tolerance"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("FAIL"), std::string::npos) << r.output;

  r = run_rankrt("test-case " + dir.path().string() + " --atol 0.02 --rtol 0");
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(TestCaseCommand, OutputDtypeMustMatch) {
  ScratchDir dir("test-case");
  onnx::TensorProto ints;
  ints.set_name("score");
  ints.set_data_type(onnx::TensorProto::INT64);
  ints.add_dims(5);
  ints.add_dims(1);
  for (int i = 0; i < 5; ++i) ints.add_int64_data(i);
  copy_fixture_with_output(dir, ints);
  const auto r = run_rankrt("test-case " + dir.path().string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("model output is float32: FAIL"), std::string::npos) << r.output;
}

TEST(TestCaseCommand, BadDirectories) {
  ScratchDir dir("test-case");
  auto r = run_rankrt("test-case " + dir.path().string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("no test_data_set_*"), std::string::npos) << r.output;

  std::filesystem::create_directories(dir.path() / "test_data_set_0");
  r = run_rankrt("test-case " + dir.path().string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("model.onnx: no such file"), std::string::npos) << r.output;

  r = run_rankrt("test-case /nonexistent/case");
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

}  // namespace
}  // namespace rankrt
