// write_file_atomically: mkstemp beside the target, write, fchmod 0644, fsync, rename.
#include "plan/format/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/error.h"

namespace rankrt::plan {

namespace {

// Writes all of `data` to `fd`, retrying short writes.
bool write_all(int fd, const uint8_t* data, size_t n) {
  while (n > 0) {
    const ssize_t written = ::write(fd, data, n);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    data += written;
    n -= size_t(written);
  }
  return true;
}

}  // namespace

void write_file_atomically(const std::string& path, std::span<const uint8_t> bytes) {
  std::string temp = path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) fail(ErrorCode::kIo, "{}: cannot create a temporary file: {}", path, std::strerror(errno));
  const bool ok = write_all(fd, bytes.data(), bytes.size()) && ::fchmod(fd, 0644) == 0 && ::fsync(fd) == 0;
  const int error = errno;
  if (::close(fd) != 0 || !ok) {
    ::unlink(temp.c_str());
    fail(ErrorCode::kIo, "{}: cannot write {}: {}", path, temp, std::strerror(ok ? errno : error));
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const int rename_error = errno;
    ::unlink(temp.c_str());
    fail(ErrorCode::kIo, "{}: cannot rename {} over it: {}", path, temp, std::strerror(rename_error));
  }
}

}  // namespace rankrt::plan
