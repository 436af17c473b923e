// TODO(helper): `rankrt inspect`.
#include "tools/commands.h"

namespace rankrt::tools {

Handler add_inspect_command(CLI::App& app) {
  app.add_subcommand("inspect", "not implemented yet");
  return [] { return 1; };
}

}  // namespace rankrt::tools
