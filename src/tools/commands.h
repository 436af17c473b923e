// Subcommands of the rankrt CLI: each file adds one to the app and returns its handler.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>

namespace rankrt::tools {

// A handler returns the process exit code: 0 ok, 1 failure or accuracy criterion not met.
using Handler = std::function<int()>;

Handler add_run_command(CLI::App& app);
Handler add_build_command(CLI::App& app);
Handler add_bench_command(CLI::App& app);
Handler add_test_case_command(CLI::App& app);
Handler add_samples_command(CLI::App& app);
Handler add_make_model_command(CLI::App& app);
Handler add_inspect_command(CLI::App& app);
Handler add_compare_command(CLI::App& app);

}  // namespace rankrt::tools
