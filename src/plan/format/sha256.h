// SHA-256 (OpenSSL) of byte ranges and files, and its hex form.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace rankrt::plan {

using Digest = std::array<uint8_t, 32>;

Digest sha256(std::span<const uint8_t> data);
// Streams the file; throws kIo naming it when it cannot be read.
Digest sha256_file(const std::string& path);
std::string to_hex(const Digest& d);

}  // namespace rankrt::plan
