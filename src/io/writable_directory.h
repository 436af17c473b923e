// Whether rankrt may write into a directory (result files, the plan cache).
#pragma once
#include <filesystem>

namespace rankrt {

// A directory we may write into: access() allows it and its mode has a write bit (root passes
// access() even on directories marked read-only, such as shared model directories).
bool writable_directory(const std::filesystem::path& dir);

}  // namespace rankrt
