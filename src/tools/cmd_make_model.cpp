// `rankrt make-model dqm-like --out DIR`: writes a synthetic model directory (see models/model_files.h).
#include <spdlog/spdlog.h>

#include "models/model_files.h"
#include "tools/commands.h"

namespace rankrt::tools {

Handler add_make_model_command(CLI::App& app) {
  CLI::App* cmd =
      app.add_subcommand("make-model", "write a synthetic model with samples, baseline and benchmark_conf");
  struct Args {
    std::string kind, out;
    ModelFilesOptions options;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("kind", args->kind, "model kind")->required()->check(CLI::IsMember({"dqm-like"}));
  cmd->add_option("--out", args->out, "output directory")->required();
  cmd->add_option("--seed", args->options.seed, "seed of weights and samples")->capture_default_str();
  cmd->add_option("--samples", args->options.samples, "number of sample requests")
      ->capture_default_str()
      ->check(CLI::Range(int64_t(1), int64_t(1) << 20));
  return [args] {
    write_dqm_like_files(args->out, args->options);
    spdlog::info("wrote {} model (seed {}, {} samples) to {}", args->kind, args->options.seed,
                 args->options.samples, args->out);
    return 0;
  };
}

}  // namespace rankrt::tools
