// `rankrt test-case DIR`: runs DIR/model.onnx on every DIR/test_data_set_*/input_*.pb and compares
// the outputs with output_*.pb elementwise.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "import/model_loader.h"
#include "import/onnx/onnx_tensor_file.h"
#include "io/tensor_compare.h"
#include "runtime/engine.h"
#include "tools/commands.h"

namespace rankrt::tools {

namespace {

namespace fs = std::filesystem;

struct TestCaseOptions {
  std::string dir;
  std::string backend = "reference";  // every op; cpu (oneDNN) runs optimized graphs only
  double rtol = 1e-3;
  double atol = 1e-5;
};

// Entries of `dir` named <prefix><number><suffix>, ordered by number.
std::vector<fs::path> numbered_entries(const fs::path& dir, const std::string& prefix,
                                       const std::string& suffix) {
  std::vector<std::pair<long, fs::path>> found;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.size() <= prefix.size() + suffix.size() || !name.starts_with(prefix) || !name.ends_with(suffix))
      continue;
    std::string index = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    if (std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; }))
      found.emplace_back(std::stol(index), e.path());
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> paths;
  for (auto& [index, path] : found) paths.push_back(std::move(path));
  return paths;
}

// input_<i>.pb bind by their proto name when it is a graph input, else by position.
TensorMap read_inputs(const fs::path& set_dir, const Graph& graph) {
  std::vector<fs::path> files = numbered_entries(set_dir, "input_", ".pb");
  if (files.size() != graph.inputs.size())
    fail(ErrorCode::kData, "{}: {} input files, but the model has {} inputs", set_dir.string(), files.size(),
         graph.inputs.size());
  TensorMap inputs;
  for (size_t i = 0; i < files.size(); ++i) {
    NamedTensor t = read_onnx_tensor_file(files[i].string());
    const std::string& name = graph.find_input(t.name) ? t.name : graph.inputs[i].name;
    inputs[name] = std::move(t.tensor);
  }
  return inputs;
}

// Runs one data set and prints one line per output; true when all pass.
bool check_data_set(const fs::path& set_dir, const Graph& graph, ExecutionContext& context,
                    const TestCaseOptions& o) {
  TensorMap outputs = context.run(read_inputs(set_dir, graph));
  std::vector<fs::path> files = numbered_entries(set_dir, "output_", ".pb");
  if (files.size() != graph.outputs.size())
    fail(ErrorCode::kData, "{}: {} output files, but the model has {} outputs", set_dir.string(),
         files.size(), graph.outputs.size());
  bool all_pass = true;
  for (size_t i = 0; i < files.size(); ++i) {
    const ValueInfo& declared = graph.outputs[i];
    Tensor ref = read_onnx_tensor_file(files[i].string()).tensor;
    std::string label = fmt::format("{}: output '{}' {}{}", set_dir.filename().string(), declared.name,
                                    dtype_name(ref.dtype()), dims_to_string(ref.dims()));
    if (declared.dtype != ref.dtype()) {
      fmt::print("{}: model output is {}: FAIL\n", label, dtype_name(declared.dtype));
      all_pass = false;
      continue;
    }
    auto it = outputs.find(declared.name);
    if (it == outputs.end()) fail(ErrorCode::kRuntime, "output '{}' was not produced", declared.name);
    TensorComparison c = compare_tensors(it->second, ref, o.rtol, o.atol);
    if (!c.problem.empty()) {
      fmt::print("{}: {}: FAIL\n", label, c.problem);
    } else if (c.pass) {
      fmt::print("{}: max abs err {:.3g}, max rel err {:.3g}: PASS\n", label, c.max_abs_err, c.max_rel_err);
    } else {
      fmt::print(
          "{}: max abs err {:.3g}, max rel err {:.3g}, {} of {} values out of tolerance (first at {}: {} vs "
          "{}): FAIL\n",
          label, c.max_abs_err, c.max_rel_err, c.mismatches, ref.numel(), c.first_mismatch,
          it->second.as_double(c.first_mismatch), ref.as_double(c.first_mismatch));
    }
    all_pass = all_pass && c.pass;
  }
  return all_pass;
}

int run_test_case(const TestCaseOptions& o) {
  const fs::path dir(o.dir);
  std::vector<fs::path> sets = numbered_entries(dir, "test_data_set_", "");
  if (sets.empty()) fail(ErrorCode::kData, "{}: no test_data_set_* directories", o.dir);
  EngineOptions options;  // fp32
  options.backend = o.backend;
  std::unique_ptr<Engine> engine = build_engine(import_onnx((dir / "model.onnx").string()), options);
  std::unique_ptr<ExecutionContext> context = engine->create_context();
  bool all_pass = true;
  for (const fs::path& set : sets) all_pass = check_data_set(set, engine->graph(), *context, o) && all_pass;
  fmt::print("{}: {} ({} data sets, {})\n", o.dir, all_pass ? "PASS" : "FAIL", sets.size(),
             engine->description());
  return all_pass ? 0 : 1;
}

}  // namespace

Handler add_test_case_command(CLI::App& app) {
  auto options = std::make_shared<TestCaseOptions>();
  CLI::App* cmd = app.add_subcommand(
      "test-case",
      "run an ONNX test case (model.onnx + test_data_set_*/input_*.pb) and compare with output_*.pb");
  cmd->add_option("dir", options->dir, "test case directory")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--backend", options->backend, "execution backend")->capture_default_str();
  cmd->add_option("--rtol", options->rtol, "relative tolerance")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--atol", options->atol, "absolute tolerance")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  return [options] { return run_test_case(*options); };
}

}  // namespace rankrt::tools
