// Golden test driver: runs `rankrt test-case` on every ONNX test case under the given roots whose
// ops and dtypes rankrt supports, lists what it skipped and why, and prints
// "N passed, M failed, K skipped". Usage: onnx_node_tests RANKRT_BINARY ROOT...
#include <cstdio>
#include <map>
#include <sstream>

#include "onnx_test_cases.h"

using namespace rankrt::golden;

namespace {

struct RunResult {
  int status;
  std::string output;
};

RunResult run_command(const std::string& command) {
  RunResult r{-1, ""};
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) r.output.append(buffer, n);
  r.status = pclose(pipe);
  return r;
}

// The lines of a failing run that say why (FAIL lines and errors), at most a few.
std::string failure_summary(const std::string& output) {
  std::istringstream in(output);
  std::string line, summary;
  int kept = 0;
  while (std::getline(in, line)) {
    bool relevant = line.find("FAIL") != std::string::npos || line.find("error") != std::string::npos ||
                    line.find("timeout") != std::string::npos;
    if (relevant && kept++ < 3) summary += "\n    " + line;
  }
  return summary.empty() ? "\n    (no output; crashed?) " + output.substr(0, 300) : summary;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s RANKRT_BINARY ROOT...\n", argv[0]);
    return 2;
  }
  const std::string rankrt = argv[1];
  int passed = 0, failed = 0, skipped = 0;
  std::map<std::string, std::vector<std::string>> skipped_by_reason;
  std::vector<std::string> failures;
  for (int a = 2; a < argc; ++a) {
    for (const fs::path& dir : test_case_dirs(argv[a])) {
      const std::string name = dir.filename().string();
      if (const std::string reason = skip_reason(dir); !reason.empty()) {
        skipped_by_reason[reason].push_back(name);
        ++skipped;
        continue;
      }
      RunResult r = run_command(fmt::format("timeout 120 '{}' test-case '{}' 2>&1", rankrt, dir.string()));
      if (r.status == 0) {
        ++passed;
        fmt::print("PASS {}\n", name);
      } else {
        ++failed;
        failures.push_back(name);
        fmt::print("FAIL {}{}\n", name, failure_summary(r.output));
      }
    }
  }
  fmt::print("\nSkipped ({}):\n", skipped);
  for (const auto& [reason, names] : skipped_by_reason) {
    std::string list;
    for (const std::string& n : names) list += " " + n;
    fmt::print("  [{}] {}:{}\n", reason, names.size(), list);
  }
  fmt::print("\nFailed ({}):", failed);
  for (const std::string& n : failures) fmt::print(" {}", n);
  fmt::print("\n\n{} passed, {} failed, {} skipped\n", passed, failed, skipped);
  return failed == 0 ? 0 : 1;
}
