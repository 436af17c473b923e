// The engine plan file layout:
//   magic "RKRTPLAN" | u32 format version | u64 body length | body | SHA-256 of everything before it
// The body is a sequence of sections: u32 section id | u64 payload length | payload. Integers are
// little-endian; strings and lists carry a u64 length first.
#pragma once
#include <cstddef>
#include <cstdint>

namespace rankrt::plan {

inline constexpr char kMagic[8] = {'R', 'K', 'R', 'T', 'P', 'L', 'A', 'N'};
// Bump on any change of the layout or of what a section means.
// 2: the key holds the shape profile min:opt:max; 3: per-layer precision (key rules, section);
// 4: the key holds the calibrated activation amax of int8 / fp8 layers.
inline constexpr uint32_t kFormatVersion = 4;
inline constexpr size_t kHeaderBytes = sizeof kMagic + sizeof(uint32_t) + sizeof(uint64_t);
inline constexpr size_t kChecksumBytes = 32;

enum class SectionId : uint32_t {
  kKey = 1,             // PlanKey: versions, model hash, build options, device (required)
  kGraph = 2,           // the optimized graph, weights in their final dtype (required)
  kGemmAlgorithms = 3,  // cuda: per-layer cuBLASLt algorithms (optional)
  kLayerPrecision = 4,  // the final precision of every GEMM layer (optional)
};

}  // namespace rankrt::plan
