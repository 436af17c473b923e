// Atomic file replacement for plans and calibration caches: readers and concurrent writers only
// ever see a complete file.
#pragma once
#include <cstdint>
#include <span>
#include <string>

namespace rankrt::plan {

// Writes `bytes` to a temporary file in the same directory, flushed, then renamed over `path`.
// Throws kIo naming `path` when any step fails (the temporary file is removed).
void write_file_atomically(const std::string& path, std::span<const uint8_t> bytes);

}  // namespace rankrt::plan
