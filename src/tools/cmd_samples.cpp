// `rankrt samples`: inspect sample files and convert them to and from NumPy .npz.
#include <algorithm>
#include <cstdio>
#include <set>

#include "io/npz.h"
#include "io/samples.h"
#include "tools/commands.h"

namespace rankrt::tools {

namespace {

struct InputSummary {
  std::set<std::string> dtypes;
  std::vector<int64_t> min_dims, max_dims;
  std::set<int64_t> ranks;
  size_t samples = 0;
};

std::string range_text(const InputSummary& s) {
  if (s.ranks.size() > 1) return "mixed ranks";
  std::string text = "[";
  for (size_t d = 0; d < s.min_dims.size(); ++d) {
    if (d) text += ", ";
    text += s.min_dims[d] == s.max_dims[d] ? fmt::format("{}", s.min_dims[d])
                                           : fmt::format("{}..{}", s.min_dims[d], s.max_dims[d]);
  }
  return text + "]";
}

int info(const std::string& path) {
  const SampleFile file = load_samples(path);
  std::map<std::string, InputSummary> inputs;
  int64_t min_rows = INT64_MAX, max_rows = 0, total_rows = 0;
  for (const TensorMap& sample : file.samples) {
    int64_t rows = 0;
    for (const auto& [name, t] : sample) {
      InputSummary& s = inputs[name];
      s.dtypes.insert(std::string(dtype_name(t.dtype())));
      s.ranks.insert(t.rank());
      if (s.samples++ == 0) {
        s.min_dims = s.max_dims = t.dims();
      } else if (t.rank() == int64_t(s.min_dims.size())) {
        for (size_t d = 0; d < t.dims().size(); ++d) {
          s.min_dims[d] = std::min(s.min_dims[d], t.dims()[d]);
          s.max_dims[d] = std::max(s.max_dims[d], t.dims()[d]);
        }
      }
      rows = std::max(rows, t.rank() ? t.dims()[0] : 1);
    }
    min_rows = std::min(min_rows, rows);
    max_rows = std::max(max_rows, rows);
    total_rows += rows;
  }
  std::string outputs;
  for (const std::string& n : file.output_names) outputs += (outputs.empty() ? "" : ", ") + n;
  std::printf("%s: %zu samples\n", path.c_str(), file.samples.size());
  std::printf("output names: %s\n", outputs.empty() ? "(none)" : outputs.c_str());
  std::printf("inputs:\n");
  for (const auto& [name, s] : inputs) {
    std::string dtypes;
    for (const std::string& d : s.dtypes) dtypes += (dtypes.empty() ? "" : "/") + d;
    std::string presence = s.samples == file.samples.size()
                               ? ""
                               : fmt::format(" (in {} of {} samples)", s.samples, file.samples.size());
    std::printf("  %s: %s %s%s\n", name.c_str(), dtypes.c_str(), range_text(s).c_str(), presence.c_str());
  }
  std::printf("rows per sample (N, largest leading dim): %lld..%lld, %lld in total\n",
              static_cast<long long>(min_rows), static_cast<long long>(max_rows),
              static_cast<long long>(total_rows));
  return 0;
}

}  // namespace

Handler add_samples_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("samples", "inspect and convert sample files");
  cmd->require_subcommand(1);
  auto paths = std::make_shared<std::vector<std::string>>(2);
  auto output_names = std::make_shared<std::vector<std::string>>();

  CLI::App* info_cmd =
      cmd->add_subcommand("info", "sample count, inputs with dtypes and shape ranges, N range");
  info_cmd->add_option("samples", (*paths)[0], "sample file (.pb, .pbtxt or .npz)")->required();

  CLI::App* to_npz =
      cmd->add_subcommand("to-npz", "convert a SamplesProto file to .npz (arrays s<i>/<input>)");
  to_npz->add_option("samples", (*paths)[0], "sample file (.pb or .pbtxt)")->required();
  to_npz->add_option("npz", (*paths)[1], "output .npz")->required();

  CLI::App* from_npz = cmd->add_subcommand("from-npz", "convert a .npz archive to a SamplesProto file");
  from_npz->add_option("npz", (*paths)[0], "input .npz")->required();
  from_npz->add_option("samples", (*paths)[1], "output sample file (.pb binary, .pbtxt text)")->required();
  from_npz->add_option("--output-names", *output_names, "output names to store (comma separated)")
      ->delimiter(',');

  return [=] {
    const std::string& in = (*paths)[0];
    const std::string& out = (*paths)[1];
    if (info_cmd->parsed()) return info(in);
    if (to_npz->parsed()) {
      write_npz_samples(out, read_samples(in));
      return 0;
    }
    SampleFile file = read_npz_samples(in);
    if (!output_names->empty()) file.output_names = *output_names;
    write_samples(out, file);
    return 0;
  };
}

}  // namespace rankrt::tools
