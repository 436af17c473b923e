// NumPy .npz archives (zip of .npy arrays, as numpy.savez / savez_compressed write them) holding
// sample files. Naming convention: array "s<sample index>/<input name>" holds one input of one
// request (indices 0..n-1, every index present), and an optional 1-D unicode array "output_names"
// ('<U<n>') holds SampleFile::output_names. In Python: np.load(f)["s0/comm"].
// Supported dtypes: <f4 <f2 <f8 <i4 <i8 |i1 |u1 |b1, C order only (bfloat16 cannot be written).
#pragma once
#include <string>

#include "io/samples.h"

namespace rankrt {

SampleFile read_npz_samples(const std::string& path);
void write_npz_samples(const std::string& path, const SampleFile& samples);

}  // namespace rankrt
