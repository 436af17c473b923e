// Pad's index arithmetic, shared by the reference kernel and the CPU and CUDA backends (host and
// device code): which input coordinate an output coordinate of a padded axis reads.
#pragma once
#include <cstdint>

#include "ops/host_device.h"

namespace rankrt {

enum class PadMode : int { kConstant, kEdge, kReflect, kWrap };

// The coordinate in [0, size) that output coordinate `o` of an axis padded by `begin` in front
// (negative: cropped) reads, or -1 where the output holds the constant value (kConstant, or an
// empty input axis). kReflect mirrors without repeating the edge element, kWrap repeats the axis.
RANKRT_HOST_DEVICE inline int64_t pad_source(PadMode mode, int64_t o, int64_t begin, int64_t size) {
  int64_t i = o - begin;
  if (i >= 0 && i < size) return i;
  if (mode == PadMode::kConstant || size == 0) return -1;
  if (mode == PadMode::kEdge) return i < 0 ? 0 : size - 1;
  if (mode == PadMode::kWrap) {
    i %= size;
    return i < 0 ? i + size : i;
  }
  if (size == 1) return 0;
  const int64_t period = 2 * (size - 1);
  i %= period;
  if (i < 0) i += period;
  return i < size ? i : period - i;
}

}  // namespace rankrt
