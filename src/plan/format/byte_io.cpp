// Bounds-checked reads of plan fields.
#include "plan/format/byte_io.h"

namespace rankrt::plan {

const uint8_t* ByteReader::take(size_t n, const char* what) {
  if (n > remaining()) corrupt("{} needs {} bytes, {} left in the section", what, n, remaining());
  const uint8_t* p = data_.data() + pos_;
  pos_ += n;
  return p;
}

bool ByteReader::boolean(const char* what) {
  const uint8_t v = u8(what);
  if (v > 1) corrupt("{} is {}, not 0 or 1", what, v);
  return v == 1;
}

size_t ByteReader::count(const char* what, size_t min_item_bytes) {
  const uint64_t n = u64(what);
  if (n > remaining() / (min_item_bytes ? min_item_bytes : 1))
    corrupt("{} is {}, more than the {} bytes left can hold", what, n, remaining());
  return size_t(n);
}

std::string ByteReader::string(const char* what) {
  const size_t n = count(what);
  const auto* p = reinterpret_cast<const char*>(take(n, what));
  return std::string(p, n);
}

std::vector<std::string> ByteReader::strings(const char* what) {
  std::vector<std::string> v(count(what, sizeof(uint64_t)));
  for (std::string& s : v) s = string(what);
  return v;
}

void ByteReader::expect_end(const char* what) const {
  if (remaining() != 0) corrupt("{} has {} unread trailing bytes", what, remaining());
}

}  // namespace rankrt::plan
