// Error type used across rankrt: a category code plus one human-readable line.
#pragma once
#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace rankrt {

enum class ErrorCode {
  kUsage,         // bad command-line or option value
  kIo,            // missing / unreadable / unwritable file
  kParse,         // corrupt or truncated file
  kUnsupported,   // op, attribute or dtype rankrt does not implement
  kInvalidGraph,  // malformed graph (cycle, dangling input, ...)
  kShape,         // shape or dtype mismatch
  kData,          // bad sample / baseline content
  kRuntime,       // failure while executing
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

template <typename... Args>
[[noreturn]] void fail(ErrorCode code, fmt::format_string<Args...> format, Args&&... args) {
  throw Error(code, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace rankrt
