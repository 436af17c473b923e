// TODO(helper): `rankrt bench`.
#include "tools/commands.h"

namespace rankrt::tools {

Handler add_bench_command(CLI::App& app) {
  app.add_subcommand("bench", "not implemented yet");
  return [] { return 1; };
}

}  // namespace rankrt::tools
