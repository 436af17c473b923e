// rankrt CLI entry point: the only top-level catch. Exit codes: 0 ok, 1 failure, 2 usage error.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <map>

#include "core/error.h"
#include "tools/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"rankrt: inference engine and benchmark for ranking / CTR models"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "rankrt 0.1.0");
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "debug logging to stderr");

  using namespace rankrt::tools;
  std::map<std::string, Handler> handlers = {
      {"run", add_run_command(app)},         {"build", add_build_command(app)},
      {"bench", add_bench_command(app)},     {"test-case", add_test_case_command(app)},
      {"samples", add_samples_command(app)}, {"make-model", add_make_model_command(app)},
      {"inspect", add_inspect_command(app)}, {"compare", add_compare_command(app)},
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  spdlog::set_default_logger(spdlog::stderr_color_st("rankrt"));
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  try {
    for (CLI::App* sub : app.get_subcommands()) return handlers.at(sub->get_name())();
  } catch (const rankrt::Error& e) {
    std::fprintf(stderr, "rankrt: error: %s\n", e.what());
    return e.code() == rankrt::ErrorCode::kUsage ? 2 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rankrt: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
