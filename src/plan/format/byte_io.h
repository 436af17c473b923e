// Little-endian binary encoding for engine plans: an appending writer and a bounds-checked
// reader that throws kParse naming the file, the field and the offset instead of reading past
// the end.
#pragma once
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"

namespace rankrt::plan {

static_assert(std::endian::native == std::endian::little, "plans are little-endian");

class ByteWriter {
 public:
  template <typename T>
  void pod(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes(&v, sizeof v);
  }
  void u8(uint8_t v) { pod(v); }
  void u32(uint32_t v) { pod(v); }
  void u64(uint64_t v) { pod(v); }
  void i64(int64_t v) { pod(v); }
  void f64(double v) { pod(v); }
  void boolean(bool v) { u8(v ? 1 : 0); }
  void string(const std::string& s) {
    u64(s.size());
    bytes(s.data(), s.size());
  }
  void strings(const std::vector<std::string>& v) {
    u64(v.size());
    for (const std::string& s : v) string(s);
  }
  void bytes(const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    out_.insert(out_.end(), p, p + n);
  }
  std::vector<uint8_t>& buffer() { return out_; }

 private:
  std::vector<uint8_t> out_;
};

class ByteReader {
 public:
  // `base` is the offset of data[0] in the file (for messages).
  ByteReader(std::span<const uint8_t> data, std::string file, size_t base = 0)
      : data_(data), file_(std::move(file)), base_(base) {}

  template <typename T>
  T pod(const char* what) {
    static_assert(std::is_trivially_copyable_v<T>);
    T v;
    std::memcpy(&v, take(sizeof v, what), sizeof v);
    return v;
  }
  uint8_t u8(const char* what) { return pod<uint8_t>(what); }
  uint32_t u32(const char* what) { return pod<uint32_t>(what); }
  uint64_t u64(const char* what) { return pod<uint64_t>(what); }
  int64_t i64(const char* what) { return pod<int64_t>(what); }
  double f64(const char* what) { return pod<double>(what); }
  bool boolean(const char* what);
  std::string string(const char* what);
  std::vector<std::string> strings(const char* what);
  // A count of items that each take at least `min_item_bytes`: rejects counts the remaining
  // bytes cannot hold (so no corrupt count makes a huge allocation).
  size_t count(const char* what, size_t min_item_bytes = 1);
  const uint8_t* take(size_t n, const char* what);

  size_t offset() const { return base_ + pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  const std::string& file() const { return file_; }
  // Throws unless every byte was read.
  void expect_end(const char* what) const;

  template <typename... Args>
  [[noreturn]] void corrupt(fmt::format_string<Args...> format, Args&&... args) const {
    fail(ErrorCode::kParse, "{}: corrupt plan: {} (offset {})", file_,
         fmt::format(format, std::forward<Args>(args)...), offset());
  }

 private:
  std::span<const uint8_t> data_;
  std::string file_;
  size_t base_ = 0, pos_ = 0;
};

}  // namespace rankrt::plan
