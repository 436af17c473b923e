// Dense post-ops: elementwise ops with a one-element constant that the optimizer folds into a
// Dense after its activation (ops/dense_post_ops.h reads them from the node). Shared by the
// reference kernel and the CPU and CUDA backends (host and device code).
#pragma once
#include <cstdint>

#include "ops/host_device.h"

namespace rankrt {

// y = |y|, -y, y + c, y - c, c - y, y * c, y / c, c / y.
enum class PostOp : int { kAbs, kNeg, kAdd, kSub, kRsub, kMul, kDiv, kRdiv };
constexpr int kMaxPostOps = 8;

// The post-ops of one Dense in order, with their constants in T (unused by kAbs / kNeg).
template <typename T>
struct PostOps {
  int count = 0;
  PostOp op[kMaxPostOps] = {};
  T value[kMaxPostOps] = {};

  RANKRT_HOST_DEVICE T apply(T y) const {
    for (int i = 0; i < count; ++i) {
      const T c = value[i];
      switch (op[i]) {
        case PostOp::kAbs:
          y = y < T(0) ? -y : (y == T(0) ? T(0) : y);  // |-0| = +0; NaN stays NaN
          break;
        case PostOp::kNeg:
          y = -y;
          break;
        case PostOp::kAdd:
          y = y + c;
          break;
        case PostOp::kSub:
          y = y - c;
          break;
        case PostOp::kRsub:
          y = c - y;
          break;
        case PostOp::kMul:
          y = y * c;
          break;
        case PostOp::kDiv:
          y = y / c;
          break;
        case PostOp::kRdiv:
          y = c / y;
          break;
      }
    }
    return y;
  }

  // The same ops with the constants converted to U (e.g. double -> float).
  template <typename U>
  PostOps<U> as() const {
    PostOps<U> p;
    p.count = count;
    for (int i = 0; i < count; ++i) {
      p.op[i] = op[i];
      p.value[i] = U(value[i]);
    }
    return p;
  }
};

}  // namespace rankrt
