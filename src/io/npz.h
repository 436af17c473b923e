// NumPy .npz archives (zip of .npy arrays) of sample files: array "<sample>/<input>" per input.
#pragma once
#include <string>

#include "io/samples.h"

namespace rankrt {

SampleFile read_npz_samples(const std::string& path);
void write_npz_samples(const std::string& path, const SampleFile& samples);

}  // namespace rankrt
