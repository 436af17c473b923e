// Elementwise tensor comparison with absolute and relative tolerances.
#include "io/tensor_compare.h"

#include <cmath>

namespace rankrt {

namespace {

bool float_matches(double out, double ref, double rtol, double atol) {
  if (std::isnan(ref) || std::isnan(out)) return std::isnan(ref) && std::isnan(out);
  if (std::isinf(ref) || std::isinf(out)) return out == ref;
  return std::fabs(out - ref) <= atol + rtol * std::fabs(ref);
}

}  // namespace

TensorComparison compare_tensors(const Tensor& out, const Tensor& ref, double rtol, double atol) {
  TensorComparison c;
  if (out.dims() != ref.dims()) {
    c.problem =
        "dims " + dims_to_string(out.dims()) + " differ from the reference's " + dims_to_string(ref.dims());
    c.pass = false;
    return c;
  }
  const bool exact = !is_float(ref.dtype());
  for (int64_t i = 0; i < ref.numel(); ++i) {
    bool ok;
    if (exact) {
      int64_t o = out.as_int64(i), r = ref.as_int64(i);
      ok = o == r;
      double diff = std::fabs(double(o) - double(r));
      c.max_abs_err = std::max(c.max_abs_err, diff);
      if (r != 0) c.max_rel_err = std::max(c.max_rel_err, diff / std::fabs(double(r)));
    } else {
      double o = out.as_double(i), r = ref.as_double(i);
      ok = float_matches(o, r, rtol, atol);
      double diff = o == r || (std::isnan(o) && std::isnan(r)) ? 0.0
                    : std::isnan(o) || std::isnan(r)           ? HUGE_VAL
                                                               : std::fabs(o - r);
      c.max_abs_err = std::max(c.max_abs_err, diff);
      if (r != 0) c.max_rel_err = std::max(c.max_rel_err, diff / std::fabs(r));
    }
    if (!ok) {
      if (c.mismatches++ == 0) c.first_mismatch = i;
      c.pass = false;
    }
  }
  return c;
}

}  // namespace rankrt
