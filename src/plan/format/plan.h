// An engine plan: what an engine was built from (the key, calibration included) and what it needs
// to be rebuilt in milliseconds (the optimized graph, the CUDA GEMM algorithms); its file form and the key
// comparison that decides whether a stored plan may be reused.
#pragma once
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/shape_profile.h"
#include "ir/graph.h"
#include "runtime/device_description.h"
#include "runtime/gemm_algorithms.h"

namespace rankrt::plan {

// Everything a built engine depends on. Two keys equal: the stored plan is valid.
struct PlanKey {
  std::string rankrt_version;
  uint32_t format_version = 0;
  std::string model_sha256;  // hex SHA-256 of the model file
  std::string backend, precision;
  std::string layer_precision;  // per-layer precision rules (canonical_rules), "" none
  // int8 / fp8 layers: the calibrated max |x| of each one's input (EngineOptions::activation_amax).
  std::map<std::string, float> activation_amax;
  ShapeProfile profile;
  bool cuda_graphs = false;
  bool tune_gemms = false;  // cuda: GEMM algorithms timed at build time
  bool optimize = true;
  std::vector<std::string> disabled_passes;  // sorted
  std::vector<std::string> outputs;          // selected graph outputs (empty: the model's)
  DeviceDescription device;                  // cuda: the GPU and its software stack; cpu: empty

  bool operator==(const PlanKey&) const = default;
};

struct Plan {
  PlanKey key;
  Graph graph;                                  // optimized, shape-inferred
  std::vector<GemmAlgorithms> gemm_algorithms;  // cuda only
  // The final precision of every GEMM layer of `graph` (LayerPrecisionMap), the key's rules resolved.
  std::map<std::string, std::string> layer_precision;
};

// Why `stored` cannot serve `wanted`, as a short phrase for messages
// ("precision changed fp32 -> fp16", "plan built for sm_80, this GPU is sm_90"); "" when equal.
std::string key_mismatch(const PlanKey& stored, const PlanKey& wanted);

// One line for people (`rankrt inspect PLAN`): "cpu fp32, profile N=1:512:512, optimizer on, ...".
std::string describe_key(const PlanKey& key);

std::vector<uint8_t> serialize_plan(const Plan& plan);
// Parses a whole plan file image; `file` names it in errors. Throws kParse for a foreign file
// (bad magic), another format version, truncation, a checksum mismatch or corrupt content.
Plan parse_plan(std::span<const uint8_t> bytes, const std::string& file);

// Reads and parses a plan file (kIo when it cannot be read).
Plan read_plan_file(const std::string& path);
// Whether the file starts with the plan magic (false when it cannot be read).
bool is_plan_file(const std::string& path);
// Writes atomically: a temporary file in the same directory, flushed, then renamed over `path`,
// so readers and concurrent writers only ever see a complete plan.
void write_plan_file(const std::string& path, const Plan& plan);

// Internal encoders shared by the writer, the reader and the tests.
class ByteWriter;
class ByteReader;
void write_key(ByteWriter& w, const PlanKey& key);
PlanKey read_key(ByteReader& r);
void write_graph(ByteWriter& w, const Graph& g);
Graph read_graph(ByteReader& r);

}  // namespace rankrt::plan
