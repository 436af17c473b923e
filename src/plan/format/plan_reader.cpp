// Reads engine plans: rejects foreign, other-version, truncated and corrupt files with one line
// naming the file and the reason; every length is checked against the bytes that remain.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "plan/format/byte_io.h"
#include "plan/format/plan.h"
#include "plan/format/plan_format.h"
#include "plan/format/sha256.h"

namespace rankrt::plan {

namespace {

std::vector<GemmAlgorithms> read_gemm_algorithms(ByteReader& r) {
  std::vector<GemmAlgorithms> layers(r.count("GEMM layers", 5 * sizeof(uint64_t)));
  for (GemmAlgorithms& l : layers) {
    l.layer = r.string("GEMM layer name");
    l.precision = r.string("GEMM precision");
    l.k = r.i64("GEMM k");
    l.m = r.i64("GEMM m");
    l.algorithms.resize(r.count("GEMM algorithms", sizeof(l.algorithms[0])));
    for (auto& a : l.algorithms) std::memcpy(a.data(), r.take(sizeof a, "GEMM algorithm"), sizeof a);
  }
  return layers;
}

std::map<std::string, std::string> read_layer_precision(ByteReader& r) {
  std::map<std::string, std::string> layers;
  const size_t count = r.count("layer precisions", 2 * sizeof(uint64_t));
  for (size_t i = 0; i < count; ++i) {
    std::string layer = r.string("layer name");
    if (!layers.emplace(layer, r.string("layer precision")).second) r.corrupt("layer '{}' twice", layer);
  }
  return layers;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

Plan parse_plan(std::span<const uint8_t> bytes, const std::string& file) {
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    fail(ErrorCode::kParse, "{}: not a rankrt engine plan (bad magic)", file);
  if (bytes.size() < kHeaderBytes)
    fail(ErrorCode::kParse, "{}: truncated plan ({} bytes)", file, bytes.size());
  ByteReader header(bytes.subspan(sizeof kMagic, kHeaderBytes - sizeof kMagic), file, sizeof kMagic);
  const uint32_t version = header.u32("format version");
  if (version != kFormatVersion)
    fail(ErrorCode::kParse, "{}: plan format version {}, this rankrt reads version {}: rebuild the plan",
         file, version, kFormatVersion);
  const uint64_t body_bytes = header.u64("body length");
  const uint64_t available = bytes.size() - kHeaderBytes;
  if (available < kChecksumBytes || body_bytes > available - kChecksumBytes)
    fail(ErrorCode::kParse, "{}: truncated plan: {} bytes, the header says {}", file, bytes.size(),
         body_bytes > UINT64_MAX - kHeaderBytes - kChecksumBytes
             ? std::string("an impossible length")
             : fmt::format("{}", kHeaderBytes + body_bytes + kChecksumBytes));
  if (body_bytes < available - kChecksumBytes)
    fail(ErrorCode::kParse, "{}: padded plan: {} bytes after its checksum", file,
         available - kChecksumBytes - body_bytes);
  const size_t checked = kHeaderBytes + size_t(body_bytes);
  const Digest checksum = sha256(bytes.first(checked));
  if (std::memcmp(checksum.data(), bytes.data() + checked, kChecksumBytes) != 0)
    fail(ErrorCode::kParse, "{}: plan checksum mismatch: the file is corrupt", file);

  Plan plan;
  bool have_key = false, have_graph = false, have_gemm = false, have_precision = false;
  ByteReader body(bytes.subspan(kHeaderBytes, size_t(body_bytes)), file, kHeaderBytes);
  while (body.remaining() > 0) {
    const uint32_t id = body.u32("section id");
    const size_t length = body.count("section length");
    ByteReader section(std::span(body.take(length, "section"), length), file, body.offset() - length);
    auto once = [&](bool& seen, const char* name) {
      if (seen) section.corrupt("second {} section", name);
      seen = true;
    };
    switch (SectionId(id)) {
      case SectionId::kKey:
        once(have_key, "key");
        plan.key = read_key(section);
        break;
      case SectionId::kGraph:
        once(have_graph, "graph");
        plan.graph = read_graph(section);
        break;
      case SectionId::kGemmAlgorithms:
        once(have_gemm, "GEMM algorithms");
        plan.gemm_algorithms = read_gemm_algorithms(section);
        break;
      case SectionId::kLayerPrecision:
        once(have_precision, "layer precision");
        plan.layer_precision = read_layer_precision(section);
        break;
      default:
        section.corrupt("unknown section id {}", id);
    }
    section.expect_end("section");
  }
  if (!have_key || !have_graph)
    fail(ErrorCode::kParse, "{}: corrupt plan: no {} section", file, have_key ? "graph" : "key");
  if (plan.key.format_version != kFormatVersion)
    fail(ErrorCode::kParse, "{}: corrupt plan: key says format version {}, header {}", file,
         plan.key.format_version, kFormatVersion);
  try {
    verify_graph(plan.graph);
  } catch (const Error& e) {
    fail(ErrorCode::kParse, "{}: corrupt plan: {}", file, e.what());
  }
  return plan;
}

Plan read_plan_file(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) fail(ErrorCode::kIo, "{}: cannot open plan: {}", path, std::strerror(errno));
  std::vector<uint8_t> bytes;
  uint8_t buffer[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f.get())) > 0)
    bytes.insert(bytes.end(), buffer, buffer + n);
  if (std::ferror(f.get())) fail(ErrorCode::kIo, "{}: cannot read plan", path);
  return parse_plan(bytes, path);
}

bool is_plan_file(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  char magic[sizeof kMagic];
  return f && std::fread(magic, 1, sizeof magic, f.get()) == sizeof magic &&
         std::memcmp(magic, kMagic, sizeof magic) == 0;
}

}  // namespace rankrt::plan
