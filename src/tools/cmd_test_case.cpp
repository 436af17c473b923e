// TODO(helper): `rankrt test-case`.
#include "tools/commands.h"

namespace rankrt::tools {

Handler add_test_case_command(CLI::App& app) {
  app.add_subcommand("test-case", "not implemented yet");
  return [] { return 1; };
}

}  // namespace rankrt::tools
