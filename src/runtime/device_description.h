// The identity of a CUDA device and its software stack, as recorded in engine plans.
#pragma once
#include <cstdint>
#include <string>

namespace rankrt {

struct DeviceDescription {
  std::string name;              // e.g. "NVIDIA H100 80GB HBM3"; empty for CPU engines
  int sm = 0;                    // compute capability major*10 + minor, e.g. 90
  int driver_version = 0;        // cudaDriverGetVersion, e.g. 12040
  int runtime_version = 0;       // cudaRuntimeGetVersion
  int64_t cublaslt_version = 0;  // cublasLtGetVersion

  bool operator==(const DeviceDescription&) const = default;
};

}  // namespace rankrt
