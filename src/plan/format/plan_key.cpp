// The plan key: its binary form and the comparison that explains why a stored plan is stale.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "plan/format/byte_io.h"
#include "plan/format/plan.h"

namespace rankrt::plan {

namespace {

std::string sm_name(int sm) { return sm ? fmt::format("sm_{}", sm) : "no GPU"; }

std::string list_or_none(const std::vector<std::string>& v) {
  return v.empty() ? "none" : fmt::format("{}", fmt::join(v, ","));
}

std::string rules_or_none(const std::string& rules) { return rules.empty() ? "none" : "'" + rules + "'"; }

// The first difference of two calibrations, e.g. "fc1 amax 3.5 -> 4.25", "fc2 calibrated".
std::string calibration_change(const std::map<std::string, float>& a, const std::map<std::string, float>& b) {
  for (const auto& [layer, amax] : a) {
    auto it = b.find(layer);
    if (it == b.end()) return fmt::format("{} no longer calibrated", layer);
    if (it->second != amax) return fmt::format("{} amax {} -> {}", layer, amax, it->second);
  }
  for (const auto& [layer, amax] : b)
    if (!a.count(layer)) return fmt::format("{} calibrated", layer);
  return "";
}

}  // namespace

void write_key(ByteWriter& w, const PlanKey& k) {
  w.string(k.rankrt_version);
  w.u32(k.format_version);
  w.string(k.model_sha256);
  w.string(k.backend);
  w.string(k.precision);
  w.string(k.layer_precision);
  w.u64(k.activation_amax.size());
  for (const auto& [layer, amax] : k.activation_amax) {
    w.string(layer);
    w.pod(amax);
  }
  w.i64(k.profile.min);
  w.i64(k.profile.opt);
  w.i64(k.profile.max);
  w.boolean(k.cuda_graphs);
  w.boolean(k.tune_gemms);
  w.boolean(k.optimize);
  w.strings(k.disabled_passes);
  w.strings(k.outputs);
  w.string(k.device.name);
  w.i64(k.device.sm);
  w.i64(k.device.driver_version);
  w.i64(k.device.runtime_version);
  w.i64(k.device.cublaslt_version);
}

PlanKey read_key(ByteReader& r) {
  PlanKey k;
  k.rankrt_version = r.string("rankrt version");
  k.format_version = r.u32("key format version");
  k.model_sha256 = r.string("model sha256");
  k.backend = r.string("backend");
  k.precision = r.string("precision");
  k.layer_precision = r.string("layer precision");
  const size_t calibrated = r.count("calibrated layers", sizeof(uint64_t) + sizeof(float));
  for (size_t i = 0; i < calibrated; ++i) {
    std::string layer = r.string("calibrated layer name");
    const float amax = r.pod<float>("activation amax");
    if (!(std::isfinite(amax) && amax >= 0)) r.corrupt("activation amax of layer '{}' is {}", layer, amax);
    if (!k.activation_amax.emplace(layer, amax).second) r.corrupt("calibrated layer '{}' twice", layer);
  }
  k.profile.min = r.i64("profile min");
  k.profile.opt = r.i64("profile opt");
  k.profile.max = r.i64("profile max");
  const ShapeProfile& p = k.profile;
  if (!(1 <= p.min && p.min <= p.opt && p.opt <= p.max)) r.corrupt("shape profile {}", profile_to_string(p));
  k.cuda_graphs = r.boolean("cuda graphs");
  k.tune_gemms = r.boolean("gemm tuning");
  k.optimize = r.boolean("optimize");
  k.disabled_passes = r.strings("disabled passes");
  k.outputs = r.strings("outputs");
  k.device.name = r.string("device name");
  k.device.sm = int(r.i64("device sm"));
  k.device.driver_version = int(r.i64("driver version"));
  k.device.runtime_version = int(r.i64("runtime version"));
  k.device.cublaslt_version = r.i64("cublaslt version");
  return k;
}

std::string describe_key(const PlanKey& k) {
  std::string s = fmt::format(
      "{} {}{}{}, profile {}, optimizer {}, disabled passes {}, outputs {}", k.backend, k.precision,
      k.layer_precision.empty() ? "" : ", layer precision " + rules_or_none(k.layer_precision),
      k.activation_amax.empty() ? "" : fmt::format(", calibrated {} layer(s)", k.activation_amax.size()),
      profile_to_string(k.profile), k.optimize ? "on" : "off", list_or_none(k.disabled_passes),
      list_or_none(k.outputs));
  if (k.backend == "cuda")
    s += fmt::format(", cuda graphs {}, gemm tuning {}, {} ({}), driver {}, runtime {}, cuBLASLt {}",
                     k.cuda_graphs ? "on" : "off", k.tune_gemms ? "on" : "off", k.device.name,
                     sm_name(k.device.sm), k.device.driver_version, k.device.runtime_version,
                     k.device.cublaslt_version);
  return s + fmt::format("; model sha256 {:.12}, rankrt {}, plan format {}", k.model_sha256, k.rankrt_version,
                         k.format_version);
}

std::string key_mismatch(const PlanKey& s, const PlanKey& w) {
  if (s.format_version != w.format_version)
    return fmt::format("plan format changed {} -> {}", s.format_version, w.format_version);
  if (s.rankrt_version != w.rankrt_version)
    return fmt::format("rankrt version changed {} -> {}", s.rankrt_version, w.rankrt_version);
  if (s.model_sha256 != w.model_sha256)
    return fmt::format("model changed (sha256 {:.12} -> {:.12})", s.model_sha256, w.model_sha256);
  if (s.backend != w.backend) return fmt::format("backend changed {} -> {}", s.backend, w.backend);
  if (s.precision != w.precision) return fmt::format("precision changed {} -> {}", s.precision, w.precision);
  if (s.layer_precision != w.layer_precision)
    return fmt::format("layer precision changed {} -> {}", rules_or_none(s.layer_precision),
                       rules_or_none(w.layer_precision));
  if (s.activation_amax != w.activation_amax)
    return fmt::format("calibration changed ({})", calibration_change(s.activation_amax, w.activation_amax));
  if (s.profile != w.profile)
    return fmt::format("profile changed {} -> {}", profile_to_string(s.profile),
                       profile_to_string(w.profile));
  if (s.cuda_graphs != w.cuda_graphs)
    return fmt::format("cuda graphs changed {} -> {}", s.cuda_graphs ? "on" : "off",
                       w.cuda_graphs ? "on" : "off");
  if (s.tune_gemms != w.tune_gemms)
    return fmt::format("gemm tuning changed {} -> {}", s.tune_gemms ? "on" : "off",
                       w.tune_gemms ? "on" : "off");
  if (s.optimize != w.optimize)
    return fmt::format("optimizer changed {} -> {}", s.optimize ? "on" : "off", w.optimize ? "on" : "off");
  if (s.disabled_passes != w.disabled_passes)
    return fmt::format("disabled passes changed {} -> {}", list_or_none(s.disabled_passes),
                       list_or_none(w.disabled_passes));
  if (s.outputs != w.outputs)
    return fmt::format("outputs changed {} -> {}", list_or_none(s.outputs), list_or_none(w.outputs));
  const DeviceDescription &a = s.device, &b = w.device;
  if (a.sm != b.sm) return fmt::format("plan built for {}, this GPU is {}", sm_name(a.sm), sm_name(b.sm));
  if (a.name != b.name) return fmt::format("plan built for {}, this GPU is {}", a.name, b.name);
  if (a.driver_version != b.driver_version)
    return fmt::format("CUDA driver changed {} -> {}", a.driver_version, b.driver_version);
  if (a.runtime_version != b.runtime_version)
    return fmt::format("CUDA runtime changed {} -> {}", a.runtime_version, b.runtime_version);
  if (a.cublaslt_version != b.cublaslt_version)
    return fmt::format("cuBLASLt changed {} -> {}", a.cublaslt_version, b.cublaslt_version);
  return "";
}

}  // namespace rankrt::plan
