// Plan file format: exact round trip, and rejection of foreign, other-version, truncated and
// corrupted files with one error naming the file and the reason.
#include "plan/format/plan_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "plan/format/sha256.h"
#include "plan/plan_test_util.h"

namespace rankrt::plan::testing {
namespace {

void expect_same_graph(const Graph& a, const Graph& b) {
  EXPECT_EQ(graph_to_string(a), graph_to_string(b));
  EXPECT_EQ(a.source, b.source);
  ASSERT_EQ(a.initializers.size(), b.initializers.size());
  for (const auto& [name, t] : a.initializers) {
    const Tensor& u = b.initializers.at(name);
    EXPECT_EQ(t.dtype(), u.dtype());
    EXPECT_EQ(t.dims(), u.dims());
    EXPECT_EQ(0, std::memcmp(t.raw(), u.raw(), t.nbytes())) << name;
  }
  ASSERT_EQ(a.value_info.size(), b.value_info.size());
  for (const auto& [name, v] : a.value_info) {
    const ValueInfo& w = b.value_info.at(name);
    EXPECT_EQ(v.dtype, w.dtype);
    EXPECT_EQ(v.shape, w.shape) << name;
    EXPECT_EQ(v.rank_known, w.rank_known);
  }
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    ASSERT_EQ(a.nodes[i].attrs.size(), b.nodes[i].attrs.size());
    for (const auto& [key, attr] : a.nodes[i].attrs) {
      const Attribute& other = b.nodes[i].attrs.at(key);
      ASSERT_EQ(attr.index(), other.index()) << key;
      if (const auto* t = std::get_if<Tensor>(&attr)) {
        const Tensor& u = std::get<Tensor>(other);
        EXPECT_EQ(t->dtype(), u.dtype());
        EXPECT_EQ(t->dims(), u.dims());
        EXPECT_EQ(0, std::memcmp(t->raw(), u.raw(), t->nbytes()));
      } else {
        EXPECT_EQ(attribute_to_string(attr), attribute_to_string(other)) << key;
      }
    }
  }
}

std::string parse_error(const std::vector<uint8_t>& bytes, const std::string& name = "x.plan") {
  try {
    parse_plan(bytes, name);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kParse) << e.what();
    return e.what();
  }
  return "";
}

TEST(PlanFormat, RoundTripIsExact) {
  const Plan plan = small_plan(7);
  const std::vector<uint8_t> bytes = serialize_plan(plan);
  ASSERT_EQ(0, std::memcmp(bytes.data(), "RKRTPLAN", 8));
  const Plan back = parse_plan(bytes, "small.plan");
  EXPECT_EQ(back.key, plan.key);
  EXPECT_EQ(back.gemm_algorithms, plan.gemm_algorithms);
  EXPECT_EQ(back.layer_precision, plan.layer_precision);
  expect_same_graph(plan.graph, back.graph);
  EXPECT_EQ(serialize_plan(back), bytes);
}

TEST(PlanFormat, FileRoundTrip) {
  TempDir dir;
  Plan plan = small_plan(8);
  plan.gemm_algorithms.clear();  // the GEMM section is optional
  write_plan_file(dir.file("a.plan"), plan);
  const Plan back = read_plan_file(dir.file("a.plan"));
  EXPECT_EQ(back.key, plan.key);
  EXPECT_TRUE(back.gemm_algorithms.empty());
  expect_same_graph(plan.graph, back.graph);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1)
      << "no temporary file left";
}

TEST(PlanFormat, RejectsForeignAndOtherVersions) {
  std::vector<uint8_t> bytes = serialize_plan(small_plan(1));
  EXPECT_NE(parse_error({}, "empty.plan").find("empty.plan: not a rankrt engine plan (bad magic)"),
            std::string::npos);
  std::vector<uint8_t> foreign = bytes;
  foreign[3] = 'X';
  EXPECT_NE(parse_error(foreign).find("bad magic"), std::string::npos);
  std::vector<uint8_t> other_version = bytes;
  other_version[8] = uint8_t(kFormatVersion + 1);
  EXPECT_NE(
      parse_error(other_version)
          .find(fmt::format("x.plan: plan format version {}, this rankrt reads version {}: rebuild the plan",
                            kFormatVersion + 1, kFormatVersion)),
      std::string::npos);
}

TEST(PlanFormat, RejectsTruncationAtEverySixteenth) {
  const std::vector<uint8_t> bytes = serialize_plan(small_plan(2));
  for (int i = 0; i < 16; ++i) {
    const size_t size = bytes.size() * size_t(i) / 16;
    const std::string error = parse_error(std::vector<uint8_t>(bytes.begin(), bytes.begin() + long(size)));
    EXPECT_NE(error, "") << size;
    EXPECT_EQ(error.rfind("x.plan: ", 0), 0u) << error;
    if (size >= kHeaderBytes) {
      EXPECT_NE(error.find("truncated"), std::string::npos) << error;
    }
  }
  std::vector<uint8_t> padded = bytes;
  padded.push_back(0);
  EXPECT_NE(parse_error(padded).find("padded"), std::string::npos);
}

TEST(PlanFormat, RejectsCorruptionAnywhere) {
  const std::vector<uint8_t> bytes = serialize_plan(small_plan(3));
  std::mt19937_64 rng(11);
  std::vector<size_t> offsets = {
      0, 7, 8, 12, 19, 20, 21, 40, bytes.size() / 2, bytes.size() - 33, bytes.size() - 1};
  for (int i = 0; i < 40; ++i) offsets.push_back(size_t(rng() % bytes.size()));
  for (size_t offset : offsets) {
    std::vector<uint8_t> corrupt = bytes;
    corrupt[offset] ^= uint8_t(1 + rng() % 255);
    const std::string error = parse_error(corrupt);
    EXPECT_NE(error, "") << "offset " << offset;
    EXPECT_EQ(error.rfind("x.plan: ", 0), 0u) << error;
  }
}

// Behind a valid checksum (a buggy or hostile writer), corrupt lengths must still be rejected
// without reading past the end or allocating what the file cannot hold.
TEST(PlanFormat, RejectsCorruptContentBehindAValidChecksum) {
  const std::vector<uint8_t> bytes = serialize_plan(small_plan(4));
  auto reseal = [](std::vector<uint8_t> b) {
    const Digest d = sha256(std::span(b).first(b.size() - kChecksumBytes));
    std::memcpy(b.data() + b.size() - kChecksumBytes, d.data(), d.size());
    return b;
  };
  std::mt19937_64 rng(5);
  int rejected = 0;
  for (size_t offset = kHeaderBytes; offset < bytes.size() - kChecksumBytes; offset += 1 + rng() % 7) {
    std::vector<uint8_t> corrupt = bytes;
    corrupt[offset] = uint8_t(rng());
    corrupt[offset] |= 0x80;  // large lengths and counts
    try {
      parse_plan(reseal(corrupt), "sealed.plan");
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kParse) << e.what();
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0);
}

TEST(PlanFormat, RejectsAKeyWithAnImpossibleProfile) {
  Plan plan = small_plan(6);
  plan.key.profile = {4, 2, 8};
  EXPECT_NE(parse_error(serialize_plan(plan)).find("corrupt plan: shape profile N=4:2:8"), std::string::npos);
  plan.key.profile = {0, 1, 2};
  EXPECT_NE(parse_error(serialize_plan(plan)).find("shape profile N=0:1:2"), std::string::npos);
}

TEST(PlanFormat, RejectsAKeyWithABadActivationAmax) {
  Plan plan = small_plan(7);
  plan.key.activation_amax["fc"] = NAN;
  EXPECT_NE(parse_error(serialize_plan(plan)).find("corrupt plan: activation amax of layer 'fc' is nan"),
            std::string::npos);
  plan.key.activation_amax["fc"] = -1.0f;
  EXPECT_NE(parse_error(serialize_plan(plan)).find("activation amax of layer 'fc' is -1"), std::string::npos);
}

TEST(PlanFormat, MissingFileIsAnIoError) {
  try {
    read_plan_file("/nonexistent/dir/m.plan");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/m.plan"), std::string::npos);
  }
}

TEST(PlanKey, ExplainsEveryMismatch) {
  const PlanKey key = small_plan(1).key;
  EXPECT_EQ(key_mismatch(key, key), "");
  PlanKey k = key;
  k.precision = "fp32";
  EXPECT_EQ(key_mismatch(key, k), "precision changed fp16 -> fp32");
  k = key;
  k.model_sha256 = std::string(64, 'b');
  EXPECT_EQ(key_mismatch(key, k), "model changed (sha256 aaaaaaaaaaaa -> bbbbbbbbbbbb)");
  k = key;
  k.device.sm = 80;
  EXPECT_EQ(key_mismatch(k, key), "plan built for sm_80, this GPU is sm_90");
  k = key;
  k.device.cublaslt_version = 1;
  EXPECT_NE(key_mismatch(key, k).find("cuBLASLt changed"), std::string::npos);
  k = key;
  k.profile = {1, 256, 511};
  EXPECT_EQ(key_mismatch(key, k), "profile changed N=1:2:3 -> N=1:256:511");
  k = key;
  k.layer_precision = "";
  EXPECT_EQ(key_mismatch(key, k), "layer precision changed 'f*=fp32' -> none");
  EXPECT_NE(describe_key(key).find("cuda fp16, layer precision 'f*=fp32', calibrated 2 layer(s), profile"),
            std::string::npos)
      << describe_key(key);
  k = key;
  k.activation_amax["fc"] = 3.0f;
  EXPECT_EQ(key_mismatch(key, k), "calibration changed (fc amax 2.5 -> 3)");
  k.activation_amax.erase("fc1");
  EXPECT_EQ(key_mismatch(k, key), "calibration changed (fc amax 3 -> 2.5)");
  k.activation_amax = {};
  EXPECT_EQ(key_mismatch(key, k), "calibration changed (fc no longer calibrated)");
  EXPECT_EQ(key_mismatch(k, key), "calibration changed (fc calibrated)");
  k = key;
  k.rankrt_version = "9.9.9";
  EXPECT_EQ(key_mismatch(key, k), "rankrt version changed 0.1.0 -> 9.9.9");
}

}  // namespace
}  // namespace rankrt::plan::testing
