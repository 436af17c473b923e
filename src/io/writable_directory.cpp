// Directory write permission by mode bits and access().
#include "io/writable_directory.h"

#include <unistd.h>

namespace rankrt {

bool writable_directory(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::perms mode = fs::status(dir, ec).permissions();
  const fs::perms write_bits = fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write;
  return !ec && fs::is_directory(dir, ec) && (mode & write_bits) != fs::perms::none &&
         ::access(dir.c_str(), W_OK) == 0;
}

}  // namespace rankrt
