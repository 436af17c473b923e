// TODO(helper): `rankrt run`.
#include "tools/commands.h"

namespace rankrt::tools {

Handler add_run_command(CLI::App& app) {
  app.add_subcommand("run", "not implemented yet");
  return [] { return 1; };
}

}  // namespace rankrt::tools
