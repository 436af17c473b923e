// TODO(helper): `rankrt make-model`.
#include "tools/commands.h"

namespace rankrt::tools {

Handler add_make_model_command(CLI::App& app) {
  app.add_subcommand("make-model", "not implemented yet");
  return [] { return 1; };
}

}  // namespace rankrt::tools
