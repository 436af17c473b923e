// Sample files: binary/text round trips, every read error, checks against a graph, NaN counting.
#include "io/samples.h"

#include <limits>

#include "io_test_util.h"
#include "proto/blaze_samples.pb.h"

namespace rankrt {
namespace {

using testing::expect_error;
using testing::random_tensor;
using testing::TempDir;

SampleFile random_samples(int count) {
  SampleFile f;
  f.output_names = {"concat_1", "other"};
  std::uniform_int_distribution<int64_t> rows(1, 40);
  for (int s = 0; s < count; ++s) {
    TensorMap m;
    m["comm"] = random_tensor(DType::kF16, {1, 7});
    m["ncomm"] = random_tensor(DType::kF16, {rows(testing::rng()), 5});
    m["ids"] = random_tensor(DType::kI64, {3});
    m["f"] = random_tensor(DType::kF32, {2, 2});
    m["flag"] = random_tensor(DType::kBool, {4});
    f.samples.push_back(std::move(m));
  }
  return f;
}

void expect_same(const SampleFile& a, const SampleFile& b) {
  EXPECT_EQ(a.output_names, b.output_names);
  ASSERT_EQ(a.samples.size(), b.samples.size());
  for (size_t s = 0; s < a.samples.size(); ++s) {
    ASSERT_EQ(a.samples[s].size(), b.samples[s].size());
    for (const auto& [name, t] : a.samples[s]) {
      ASSERT_TRUE(b.samples[s].count(name)) << name;
      EXPECT_TRUE(testing::tensors_equal(t, b.samples[s].at(name))) << "sample " << s << " " << name;
    }
  }
}

std::string serialized(const tf::SamplesProto& p) { return p.SerializeAsString(); }

tf::SamplesProto one_sample_proto() {
  tf::SamplesProto p;
  p.add_output_names("y");
  tf::NamedTensorProto* in = p.add_sample()->add_input();
  in->set_name("x");
  in->mutable_tensor()->set_dtype(tf::DT_FLOAT);
  in->mutable_tensor()->mutable_tensor_shape()->add_dim()->set_size(3);
  for (float v : {1.5f, -2.f, 3.25f}) in->mutable_tensor()->add_float_val(v);
  return p;
}

TEST(Samples, BinaryRoundTrip) {
  TempDir dir;
  const SampleFile f = random_samples(5);
  write_samples(dir.file("s.pb"), f);
  expect_same(f, read_samples(dir.file("s.pb")));
  expect_same(f, load_samples(dir.file("s.pb")));
}

TEST(Samples, TextRoundTrip) {
  TempDir dir;
  const SampleFile f = random_samples(3);
  write_samples(dir.file("s.pbtxt"), f);
  EXPECT_NE(testing::read_file(dir.file("s.pbtxt")).find("output_names: \"concat_1\""), std::string::npos);
  expect_same(f, read_samples(dir.file("s.pbtxt")));
}

TEST(Samples, TextContentInBinaryNamedFileFallsBackToText) {
  TempDir dir;
  const SampleFile f = random_samples(2);
  write_samples(dir.file("s.pbtxt"), f);
  std::filesystem::copy_file(dir.file("s.pbtxt"), dir.file("s.pb"));
  expect_same(f, read_samples(dir.file("s.pb")));
}

TEST(Samples, TypedValueFields) {
  TempDir dir;
  testing::write_file(dir.file("s.pb"), serialized(one_sample_proto()));
  const SampleFile f = read_samples(dir.file("s.pb"));
  ASSERT_EQ(f.samples.size(), 1u);
  const Tensor& x = f.samples[0].at("x");
  EXPECT_EQ(x.dims(), std::vector<int64_t>{3});
  EXPECT_EQ(x.as_double(2), 3.25);
}

TEST(SamplesErrors, Missing) {
  expect_error([] { read_samples("/nonexistent/s.pb"); }, ErrorCode::kIo,
               {"/nonexistent/s.pb", "no such file"});
}

TEST(SamplesErrors, EmptyFile) {
  TempDir dir;
  testing::write_file(dir.file("s.pb"), "");
  expect_error([&] { read_samples(dir.file("s.pb")); }, ErrorCode::kData, {"s.pb", "empty"});
}

TEST(SamplesErrors, NoSamples) {
  TempDir dir;
  tf::SamplesProto p;
  p.add_output_names("y");
  testing::write_file(dir.file("s.pb"), serialized(p));
  expect_error([&] { read_samples(dir.file("s.pb")); }, ErrorCode::kData, {"s.pb", "no samples"});
}

TEST(SamplesErrors, Truncated) {
  TempDir dir;
  const std::string bytes = serialized(one_sample_proto());
  testing::write_file(dir.file("s.pb"), bytes.substr(0, bytes.size() - 5));
  expect_error([&] { read_samples(dir.file("s.pb")); }, ErrorCode::kParse, {"s.pb", "truncated or corrupt"});
}

TEST(SamplesErrors, Corrupt) {
  TempDir dir;
  testing::write_file(dir.file("s.pb"), std::string("\xff\xff\xff\xff garbage \x01\x02", 16));
  expect_error([&] { read_samples(dir.file("s.pb")); }, ErrorCode::kParse,
               {"s.pb", "not a valid SamplesProto"});
}

TEST(SamplesErrors, BadText) {
  TempDir dir;
  testing::write_file(dir.file("s.pbtxt"), "sample { input { name: \"x\" tensor { dtype: }}}");
  expect_error([&] { read_samples(dir.file("s.pbtxt")); }, ErrorCode::kParse, {"s.pbtxt", "line 1"});
}

TEST(SamplesErrors, SampleWithoutInputs) {
  TempDir dir;
  tf::SamplesProto p = one_sample_proto();
  p.add_sample();
  testing::write_file(dir.file("s.pb"), serialized(p));
  expect_error([&] { read_samples(dir.file("s.pb")); }, ErrorCode::kData, {"s.pb", "sample 1 has no inputs"});
}

TEST(SamplesErrors, ContentSizeMismatch) {
  TempDir dir;
  tf::SamplesProto p = one_sample_proto();
  tf::TensorProto* t = p.mutable_sample(0)->mutable_input(0)->mutable_tensor();
  t->clear_float_val();
  t->set_tensor_content(std::string(10, '\0'));
  testing::write_file(dir.file("s.pb"), serialized(p));
  expect_error([&] { read_samples(dir.file("s.pb")); }, ErrorCode::kParse,
               {"s.pb", "sample 0", "'x'", "10 bytes"});
}

TEST(SamplesErrors, TypedValueCountMismatch) {
  TempDir dir;
  tf::SamplesProto p = one_sample_proto();
  p.mutable_sample(0)->mutable_input(0)->mutable_tensor()->mutable_tensor_shape()->mutable_dim(0)->set_size(
      5);
  testing::write_file(dir.file("s.pb"), serialized(p));
  expect_error([&] { read_samples(dir.file("s.pb")); }, ErrorCode::kData, {"s.pb", "'x'", "3 values"});
}

TEST(SamplesErrors, UnsupportedDtype) {
  TempDir dir;
  tf::SamplesProto p = one_sample_proto();
  p.mutable_sample(0)->mutable_input(0)->mutable_tensor()->set_dtype(tf::DT_STRING);
  testing::write_file(dir.file("s.pb"), serialized(p));
  expect_error([&] { read_samples(dir.file("s.pb")); }, ErrorCode::kUnsupported, {"s.pb", "'x'", "dtype"});
}

TEST(SamplesErrors, DuplicateInput) {
  TempDir dir;
  tf::SamplesProto p = one_sample_proto();
  *p.mutable_sample(0)->add_input() = p.sample(0).input(0);
  testing::write_file(dir.file("s.pb"), serialized(p));
  expect_error([&] { read_samples(dir.file("s.pb")); }, ErrorCode::kData, {"s.pb", "'x'", "twice"});
}

Graph two_input_graph() {
  Graph g;
  g.source = "m.pb";
  g.inputs.push_back({"comm", DType::kF16, {1, 7}, true});
  g.inputs.push_back({"ncomm", DType::kF16, {Dim::sym("N"), 5}, true});
  g.inputs.push_back({"other", DType::kF16, {Dim::sym("N"), 2}, true});
  return g;
}

TensorMap good_sample(int64_t n) {
  return {{"comm", random_tensor(DType::kF16, {1, 7})},
          {"ncomm", random_tensor(DType::kF16, {n, 5})},
          {"other", random_tensor(DType::kF16, {n, 2})}};
}

TEST(CheckSamples, AcceptsAgreeingSymbolicDims) {
  SampleFile f;
  f.samples = {good_sample(1), good_sample(9)};
  EXPECT_NO_THROW(check_samples(f, two_input_graph(), "s.pb"));
}

TEST(CheckSamples, Errors) {
  const Graph g = two_input_graph();
  auto check = [&](TensorMap bad, std::initializer_list<std::string> parts) {
    SampleFile f;
    f.samples = {good_sample(3), std::move(bad)};
    std::vector<std::string> all = {"s.pb", "sample 1"};
    all.insert(all.end(), parts);
    expect_error([&] { check_samples(f, g, "s.pb"); }, ErrorCode::kData, all);
  };
  TensorMap s = good_sample(3);
  s["extra"] = s["comm"];
  check(s, {"'extra'", "not an input"});
  s = good_sample(3);
  s.erase("other");
  check(s, {"'other'", "missing"});
  s = good_sample(3);
  s["comm"] = random_tensor(DType::kF32, {1, 7});
  check(s, {"'comm'", "float32", "float16"});
  s = good_sample(3);
  s["comm"] = random_tensor(DType::kF16, {7});
  check(s, {"'comm'", "rank 1"});
  s = good_sample(3);
  s["comm"] = random_tensor(DType::kF16, {1, 8});
  check(s, {"'comm'", "[1,8]"});
  s = good_sample(3);
  s["other"] = random_tensor(DType::kF16, {4, 2});
  check(s, {"'other'", "N=4", "'ncomm'", "N=3"});
}

TEST(CountNonFinite, CountsFloatInputsOnly) {
  TensorMap m = good_sample(4);
  EXPECT_EQ(count_non_finite(m), 0);
  Tensor f = random_tensor(DType::kF32, {2, 3});
  f.data<float>()[1] = std::numeric_limits<float>::quiet_NaN();
  f.data<float>()[4] = -std::numeric_limits<float>::infinity();
  m["f"] = f;
  m["ncomm"] = m["ncomm"].to(DType::kF32);
  m["ncomm"].data<float>()[0] = std::numeric_limits<float>::infinity();
  m["ncomm"] = m["ncomm"].to(DType::kF16);
  m["i"] = random_tensor(DType::kI32, {5});
  EXPECT_EQ(count_non_finite(m), 3);
}

}  // namespace
}  // namespace rankrt
