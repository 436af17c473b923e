// libFuzzer target for the plan loader. Inputs with an odd first byte are parsed as whole files;
// the others become the body of a plan with a valid header and checksum, so the fuzzer reaches
// the section, key and graph decoders behind the checksum. Any rankrt::Error is a clean rejection;
// a crash, sanitizer report, leak or other exception is a finding. With RANKRT_PLAN_SEEDS=DIR set,
// writes seed inputs (a small valid plan in both forms) there and exits.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "plan/format/plan.h"
#include "plan/format/plan_format.h"
#include "plan/format/sha256.h"

namespace {

std::vector<uint8_t> wrap_as_plan(const uint8_t* body, size_t size) {
  std::vector<uint8_t> file(rankrt::plan::kMagic, rankrt::plan::kMagic + sizeof rankrt::plan::kMagic);
  const uint32_t version = rankrt::plan::kFormatVersion;
  const uint64_t length = size;
  file.insert(file.end(), reinterpret_cast<const uint8_t*>(&version),
              reinterpret_cast<const uint8_t*>(&version + 1));
  file.insert(file.end(), reinterpret_cast<const uint8_t*>(&length),
              reinterpret_cast<const uint8_t*>(&length + 1));
  file.insert(file.end(), body, body + size);
  const rankrt::plan::Digest d = rankrt::plan::sha256(file);
  file.insert(file.end(), d.begin(), d.end());
  return file;
}

rankrt::plan::Plan seed_plan() {
  using namespace rankrt;
  plan::Plan p;
  plan::PlanKey& k = p.key;
  k.rankrt_version = "0.1.0";
  k.format_version = plan::kFormatVersion;
  k.model_sha256 = std::string(64, 'a');
  k.backend = "cuda";
  k.precision = "int8";
  k.activation_amax = {{"fc", 1.5f}};
  k.profile = {1, 2, 4};
  k.cuda_graphs = true;
  k.disabled_passes = {"x"};
  k.outputs = {"y"};
  k.device = {"GPU", 90, 12040, 12030, 120301};
  Graph& g = p.graph;
  g.source = "seed.onnx";
  g.inputs.push_back({"x", DType::kF32, {Dim::sym("N"), 2}, true});
  g.outputs.push_back({"y", DType::kF32, {Dim::sym("N"), 2}, true});
  g.initializers["w"] = Tensor::from_vector<float>({2, 2}, {1.0f, -2.0f, 0.5f, 3.0f});
  Node matmul{"fc", "MatMul", {"x", "w"}, {"h"}, {}};
  matmul.attrs = {{"i", int64_t(3)},
                  {"f", 0.5},
                  {"s", std::string("s")},
                  {"is", std::vector<int64_t>{1, 2}},
                  {"fs", std::vector<double>{1.5}},
                  {"ss", std::vector<std::string>{"a", "b"}},
                  {"t", Tensor::from_vector<bool>({2}, {true, false})}};
  g.nodes = {matmul, Node{"act", "Relu", {"h"}, {"y"}, {}}};
  g.value_info["h"] = {"h", DType::kF32, {Dim::sym("N"), 2}, true};
  p.gemm_algorithms.push_back({"fc", "int8", 2, 2, {{1, 2, 3, 4, 5, 6, 7, 8}}});
  return p;
}

void write_seed(const std::string& path, uint8_t mode, const uint8_t* data, size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::exit(1);
  std::fputc(mode, f);
  std::fwrite(data, 1, size, f);
  std::fclose(f);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("RANKRT_PLAN_SEEDS");
  if (!dir) return 0;
  const std::vector<uint8_t> file = rankrt::plan::serialize_plan(seed_plan());
  const size_t header = rankrt::plan::kHeaderBytes,
               body = file.size() - header - rankrt::plan::kChecksumBytes;
  write_seed(std::string(dir) + "/seed-file", 1, file.data(), file.size());
  write_seed(std::string(dir) + "/seed-body", 0, file.data() + header, body);
  std::exit(0);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::vector<uint8_t> bytes =
      data[0] & 1 ? std::vector<uint8_t>(data + 1, data + size) : wrap_as_plan(data + 1, size - 1);
  try {
    const rankrt::plan::Plan plan = rankrt::plan::parse_plan(bytes, "fuzz.plan");
    // A plan that parses must serialize back to a plan that parses to the same bytes.
    const std::vector<uint8_t> again = rankrt::plan::serialize_plan(plan);
    if (rankrt::plan::serialize_plan(rankrt::plan::parse_plan(again, "again.plan")) != again)
      __builtin_trap();
  } catch (const rankrt::Error&) {
  }
  return 0;
}
