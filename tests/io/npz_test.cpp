// .npz sample archives: round trips of every dtype, archives written by NumPy, error cases.
#include "io/npz.h"

#include <cstdio>

#include "io/npy.h"
#include "io_test_util.h"

namespace rankrt {
namespace {

using testing::expect_error;
using testing::random_tensor;
using testing::TempDir;

SampleFile all_dtypes_samples() {
  SampleFile f;
  f.output_names = {"concat_1", "naïve/out"};
  for (int s = 0; s < 3; ++s) {
    TensorMap m;
    int i = 0;
    for (DType t : {DType::kF32, DType::kF16, DType::kF64, DType::kI32, DType::kI64, DType::kI8, DType::kU8,
                    DType::kBool})
      m[fmt::format("scope/in{}", i++)] = random_tensor(t, {s + 1, 3});
    m["scalar"] = random_tensor(DType::kF32, {});
    m["vector"] = random_tensor(DType::kF16, {5});
    m["empty"] = random_tensor(DType::kF32, {0, 4});
    f.samples.push_back(std::move(m));
  }
  return f;
}

TEST(Npz, RoundTripEveryDtype) {
  TempDir dir;
  const SampleFile f = all_dtypes_samples();
  write_npz_samples(dir.file("s.npz"), f);
  const SampleFile g = read_npz_samples(dir.file("s.npz"));
  EXPECT_EQ(g.output_names, f.output_names);
  ASSERT_EQ(g.samples.size(), f.samples.size());
  for (size_t s = 0; s < f.samples.size(); ++s) {
    ASSERT_EQ(g.samples[s].size(), f.samples[s].size());
    for (const auto& [name, t] : f.samples[s])
      EXPECT_TRUE(testing::tensors_equal(t, g.samples[s].at(name))) << s << " " << name;
  }
  EXPECT_EQ(load_samples(dir.file("s.npz")).samples.size(), 3u);
}

TEST(Npz, NpyHeaderIsAligned) {
  const std::string bytes = encode_npy(random_tensor(DType::kF32, {2, 3}));
  const size_t header_len = size_t(uint8_t(bytes[8])) | size_t(uint8_t(bytes[9])) << 8;
  EXPECT_EQ((10 + header_len) % 64, 0u);
  EXPECT_EQ(bytes[10 + header_len - 1], '\n');
  EXPECT_NE(bytes.find("'shape': (2, 3)"), std::string::npos);
  EXPECT_NE(encode_npy(random_tensor(DType::kF32, {4})).find("'shape': (4,)"), std::string::npos);
}

TEST(Npz, BFloat16CannotBeWritten) {
  TempDir dir;
  SampleFile f;
  f.samples.push_back({{"x", random_tensor(DType::kBF16, {2})}});
  expect_error([&] { write_npz_samples(dir.file("s.npz"), f); }, ErrorCode::kUnsupported, {"bfloat16"});
}

TEST(NpzErrors, MissingAndNotZip) {
  TempDir dir;
  expect_error([&] { read_npz_samples(dir.file("none.npz")); }, ErrorCode::kIo, {"none.npz", "no such file"});
  testing::write_file(dir.file("bad.npz"), "this is not a zip archive at all");
  expect_error([&] { read_npz_samples(dir.file("bad.npz")); }, ErrorCode::kParse, {"bad.npz", "not a valid"});
}

TEST(NpzErrors, TruncatedArchive) {
  TempDir dir;
  write_npz_samples(dir.file("s.npz"), all_dtypes_samples());
  const std::string bytes = testing::read_file(dir.file("s.npz"));
  testing::write_file(dir.file("t.npz"), bytes.substr(0, bytes.size() / 2));
  expect_error([&] { read_npz_samples(dir.file("t.npz")); }, ErrorCode::kParse, {"t.npz"});
}

TEST(NpzErrors, BadNpyPayloads) {
  std::string bytes = encode_npy(random_tensor(DType::kF32, {2, 3}));
  expect_error([&] { parse_npy(bytes.substr(0, bytes.size() - 4), "a"); }, ErrorCode::kParse,
               {"a", "20 bytes"});
  expect_error([&] { parse_npy("not npy at all", "a"); }, ErrorCode::kParse, {"bad magic"});
  std::string fortran = bytes;
  fortran.replace(fortran.find("False"), 5, "True ");
  expect_error([&] { parse_npy(fortran, "a"); }, ErrorCode::kUnsupported, {"Fortran"});
  std::string unsigned32 = bytes;
  unsigned32.replace(unsigned32.find("<f4"), 3, "<u4");
  expect_error([&] { npy_to_tensor(parse_npy(unsigned32, "a"), "a"); }, ErrorCode::kUnsupported,
               {"a", "<u4"});
}

// Runs python3 with NumPy to write archives; skips when NumPy is not installed.
bool run_python(const std::string& script_path, const std::string& script) {
  if (std::system("python3 -c 'import numpy' >/dev/null 2>&1") != 0) return false;
  testing::write_file(script_path, script);
  return std::system(("python3 " + script_path).c_str()) == 0;
}

TEST(Npz, ReadsArchivesWrittenByNumPy) {
  TempDir dir;
  const std::string script = fmt::format(R"(
import numpy as np
a = {{"s0/comm": np.arange(1, 7, dtype=np.float16).reshape(1, 6),
      "s0/ncomm": (np.arange(12, dtype=np.float32).reshape(3, 4) - 5.5) / 3,
      "s1/comm": np.array([[1, -2, 3, -4, 5, -6]], dtype=np.float16),
      "s1/ncomm": np.full((2, 4), 0.25, dtype=np.float32),
      "s1/ids": np.array([7, 8, 9], dtype=np.int64),
      "s1/mask": np.array([True, False]),
      "output_names": np.array(["concat_1", "z"])}}
np.savez("{0}", **a)
np.savez_compressed("{1}", **a)
np.savez("{2}", **{{"s0/x": np.asfortranarray(np.ones((2, 3), dtype=np.float32))}})
np.savez("{3}", **{{"s0/x": np.ones(3, dtype=">f4")}})
)",
                                         dir.file("plain.npz"), dir.file("compressed.npz"),
                                         dir.file("fortran.npz"), dir.file("big.npz"));
  if (!run_python(dir.file("make.py"), script)) GTEST_SKIP() << "python3 with numpy is not available";
  for (const char* name : {"plain.npz", "compressed.npz"}) {
    const SampleFile f = read_npz_samples(dir.file(name));
    EXPECT_EQ(f.output_names, (std::vector<std::string>{"concat_1", "z"}));
    ASSERT_EQ(f.samples.size(), 2u);
    const Tensor& ncomm = f.samples[0].at("ncomm");
    EXPECT_EQ(ncomm.dtype(), DType::kF32);
    EXPECT_EQ(ncomm.dims(), (std::vector<int64_t>{3, 4}));
    for (int64_t i = 0; i < 12; ++i) EXPECT_FLOAT_EQ(float(ncomm.as_double(i)), float((i - 5.5) / 3));
    EXPECT_EQ(f.samples[1].at("comm").dtype(), DType::kF16);
    EXPECT_EQ(f.samples[1].at("comm").as_double(3), -4.0);
    EXPECT_EQ(f.samples[1].at("ids").as_int64(2), 9);
    EXPECT_EQ(f.samples[1].at("mask").dtype(), DType::kBool);
    EXPECT_EQ(f.samples[1].at("mask").as_int64(1), 0);
  }
  expect_error([&] { read_npz_samples(dir.file("fortran.npz")); }, ErrorCode::kUnsupported,
               {"fortran.npz", "s0/x", "Fortran"});
  expect_error([&] { read_npz_samples(dir.file("big.npz")); }, ErrorCode::kUnsupported,
               {"big.npz", "big-endian"});
}

TEST(Npz, NumPyReadsOurArchives) {
  TempDir dir;
  SampleFile f;
  f.output_names = {"concat_1"};
  f.samples.push_back({{"x", Tensor::from_vector<float>({2, 2}, {1.5f, -2.f, 3.f, 4.25f})}});
  write_npz_samples(dir.file("ours.npz"), f);
  const std::string script = fmt::format(R"(
import numpy as np
z = np.load("{}")
assert list(z["output_names"]) == ["concat_1"], z["output_names"]
assert z["s0/x"].dtype == np.float32 and z["s0/x"].tolist() == [[1.5, -2.0], [3.0, 4.25]], z["s0/x"]
)",
                                         dir.file("ours.npz"));
  if (std::system("python3 -c 'import numpy' >/dev/null 2>&1") != 0) GTEST_SKIP() << "no numpy";
  EXPECT_TRUE(run_python(dir.file("check.py"), script));
}

TEST(NpzErrors, BadNamesAndGaps) {
  TempDir dir;
  SampleFile f;
  f.samples.push_back({{"x", random_tensor(DType::kF32, {2})}});
  f.samples.push_back({{"x", random_tensor(DType::kF32, {2})}});
  write_npz_samples(dir.file("s.npz"), f);
  // Rename s1/x to s2/x through a round trip of the bytes: libzip keeps names in the central directory.
  std::string bytes = testing::read_file(dir.file("s.npz"));
  for (size_t at = bytes.find("s1/x.npy"); at != std::string::npos; at = bytes.find("s1/x.npy"))
    bytes[at + 1] = '2';
  testing::write_file(dir.file("gap.npz"), bytes);
  expect_error([&] { read_npz_samples(dir.file("gap.npz")); }, ErrorCode::kData, {"gap.npz", "sample 1"});
  for (size_t at = bytes.find("s0/x.npy"); at != std::string::npos; at = bytes.find("s0/x.npy"))
    bytes[at] = 'q';
  testing::write_file(dir.file("name.npz"), bytes);
  expect_error([&] { read_npz_samples(dir.file("name.npz")); }, ErrorCode::kData, {"name.npz", "q0/x"});
}

}  // namespace
}  // namespace rankrt
