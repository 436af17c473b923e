// SHA-256 through OpenSSL's EVP interface.
#include "plan/format/sha256.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "core/error.h"

namespace rankrt::plan {

namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

Digest sha256(std::span<const uint8_t> data) {
  Digest d;
  unsigned int n = 0;
  if (!EVP_Digest(data.data(), data.size(), d.data(), &n, EVP_sha256(), nullptr) || n != d.size())
    fail(ErrorCode::kRuntime, "OpenSSL SHA-256 failed");
  return d;
}

Digest sha256_file(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) fail(ErrorCode::kIo, "{}: cannot open: {}", path, std::strerror(errno));
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx || !EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr))
    fail(ErrorCode::kRuntime, "OpenSSL SHA-256 failed");
  std::vector<uint8_t> buffer(1 << 20);
  size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), f.get())) > 0)
    if (!EVP_DigestUpdate(ctx.get(), buffer.data(), n)) fail(ErrorCode::kRuntime, "OpenSSL SHA-256 failed");
  if (std::ferror(f.get())) fail(ErrorCode::kIo, "{}: read error", path);
  Digest d;
  unsigned int len = 0;
  if (!EVP_DigestFinal_ex(ctx.get(), d.data(), &len) || len != d.size())
    fail(ErrorCode::kRuntime, "OpenSSL SHA-256 failed");
  return d;
}

std::string to_hex(const Digest& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) {
    s += kHex[b >> 4];
    s += kHex[b & 15];
  }
  return s;
}

}  // namespace rankrt::plan
