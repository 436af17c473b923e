// TODO(helper): `rankrt samples`.
#include "tools/commands.h"

namespace rankrt::tools {

Handler add_samples_command(CLI::App& app) {
  app.add_subcommand("samples", "not implemented yet");
  return [] { return 1; };
}

}  // namespace rankrt::tools
