// Writes engine plans: sections, header, trailing checksum; atomic file replacement.
#include "plan/format/atomic_file.h"
#include "plan/format/byte_io.h"
#include "plan/format/plan.h"
#include "plan/format/plan_format.h"
#include "plan/format/sha256.h"

namespace rankrt::plan {

namespace {

void write_section(ByteWriter& body, SectionId id, std::vector<uint8_t> payload) {
  body.u32(uint32_t(id));
  body.u64(payload.size());
  body.bytes(payload.data(), payload.size());
}

std::vector<uint8_t> gemm_payload(const std::vector<GemmAlgorithms>& layers) {
  ByteWriter w;
  w.u64(layers.size());
  for (const GemmAlgorithms& l : layers) {
    w.string(l.layer);
    w.string(l.precision);
    w.i64(l.k);
    w.i64(l.m);
    w.u64(l.algorithms.size());
    for (const auto& a : l.algorithms) w.bytes(a.data(), sizeof a);
  }
  return std::move(w.buffer());
}

std::vector<uint8_t> layer_precision_payload(const std::map<std::string, std::string>& layers) {
  ByteWriter w;
  w.u64(layers.size());
  for (const auto& [layer, precision] : layers) {
    w.string(layer);
    w.string(precision);
  }
  return std::move(w.buffer());
}

}  // namespace

std::vector<uint8_t> serialize_plan(const Plan& plan) {
  ByteWriter body;
  ByteWriter key;
  write_key(key, plan.key);
  write_section(body, SectionId::kKey, std::move(key.buffer()));
  ByteWriter graph;
  write_graph(graph, plan.graph);
  write_section(body, SectionId::kGraph, std::move(graph.buffer()));
  if (!plan.gemm_algorithms.empty())
    write_section(body, SectionId::kGemmAlgorithms, gemm_payload(plan.gemm_algorithms));
  if (!plan.layer_precision.empty())
    write_section(body, SectionId::kLayerPrecision, layer_precision_payload(plan.layer_precision));

  ByteWriter file;
  file.bytes(kMagic, sizeof kMagic);
  file.u32(kFormatVersion);
  file.u64(body.buffer().size());
  file.bytes(body.buffer().data(), body.buffer().size());
  const Digest checksum = sha256(file.buffer());
  file.bytes(checksum.data(), checksum.size());
  return std::move(file.buffer());
}

void write_plan_file(const std::string& path, const Plan& plan) {
  write_file_atomically(path, serialize_plan(plan));
}

}  // namespace rankrt::plan
