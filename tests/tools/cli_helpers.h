// Helpers for tests that run the rankrt binary: scratch directories and captured command runs.
#pragma once
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace rankrt::testing {

// A fresh directory under the system temp dir, removed at destruction.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("rankrt-" + tag + "-" + info->name() + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `rankrt <args>` through the shell.
inline CommandResult run_rankrt(const std::string& args) {
  CommandResult r;
  FILE* pipe = ::popen((std::string(RANKRT_BINARY) + " " + args + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) r.output.append(buffer, n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Expects exit `code` and exactly one output line: rankrt's error line, naming every part.
inline void expect_one_line_error(const std::string& args, int code, const std::vector<std::string>& parts) {
  const CommandResult r = run_rankrt(args);
  EXPECT_EQ(r.exit_code, code) << args << "\n" << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_EQ(r.output.rfind("rankrt: error: ", 0), 0u) << r.output;
  for (const std::string& p : parts)
    EXPECT_NE(r.output.find(p), std::string::npos) << p << " in " << r.output;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// A fixture with the demo model (`make-model dqm-like`, `samples` requests) in a fresh scratch
// directory named after `tag`.
class DemoModelTest : public ::testing::Test {
 protected:
  DemoModelTest(const std::string& tag, int samples) : dir_(tag), samples_(samples) {}
  void SetUp() override {
    const CommandResult made = run_rankrt("make-model dqm-like --samples " + std::to_string(samples_) +
                                          " --out " + dir_.path().string());
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }
  std::string file(const std::string& name) const { return dir_ / name; }
  std::string model() const { return file("frozen_graph.pb"); }

  ScratchDir dir_;

 private:
  int samples_;
};

}  // namespace rankrt::testing
