// CPU backend throughput: DQM at N=511 and over the shared sample mix, at 1 and 2 threads (2:
// requests of >= cpu::kDefaultSplitRows rows split into a row slice per thread), per precision
// (fp32 also as imported, --no-optimize), one request at a time through the zero-allocation API
// (inputs copied into the context's buffers, execute, outputs read in place). Prints requests/s,
// p50/p99 latency and the share of scores over 1% relative error against the model's
// baseline.txt (every sample once).
// Usage: cpu_throughput [MODEL_DIR] [SECONDS_PER_CASE] [--precisions fp32,bf16,int8]
//   (default: ../shared/models/dqm, 5 s, fp32); RANKRT_PROFILE=1 also prints each step's mean
//   time (stderr).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "backends/cpu/cpu_engine.h"
#include "import/model_loader.h"
#include "io/accuracy.h"
#include "io/samples.h"
#include "ir/input_binding.h"
#include "passes/pipeline.h"
#include "runtime/latency_stats.h"

namespace {

using namespace rankrt;
using Clock = std::chrono::steady_clock;

struct Request {
  std::vector<const Tensor*> inputs;  // in the context's input order
  int64_t rows = 0;
};

// The share of scores over 1% relative error, every sample through one context.
double share_over_1pct(const Engine& engine, const SampleFile& samples, const ScoreTable& baseline) {
  auto ctx = engine.create_context();
  ScoreTable result;
  for (const TensorMap& s : samples.samples) result.push_back(select_scores(ctx->run(s), engine.graph(), {}));
  return compare_scores(result, baseline, {}, "result", "baseline.txt").share_over_tol;
}

void run_case(const Engine& engine, const char* engine_name, const std::string& precision,
              const std::vector<Request>& requests, const std::string& name, int threads, double seconds,
              double over_1pct) {
  auto context = engine.create_context();
  auto& ctx = dynamic_cast<cpu::CpuExecutionContext&>(*context);
  auto once = [&](const Request& r) {
    for (size_t i = 0; i < r.inputs.size(); ++i)
      std::memcpy(ctx.input_buffer(i), r.inputs[i]->raw(), r.inputs[i]->nbytes());
    ctx.execute(r.rows);
  };
  for (const Request& r : requests) once(r);  // warm-up
  std::vector<double> latencies;
  latencies.reserve(1 << 20);
  int64_t candidates = 0;
  const Clock::time_point start = Clock::now();
  for (size_t i = 0; Clock::now() - start < std::chrono::duration<double>(seconds); ++i) {
    const Request& r = requests[i % requests.size()];
    const Clock::time_point t0 = Clock::now();
    once(r);
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    candidates += r.rows;
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const LatencySummary s = summarize_latencies(latencies);
  if (std::getenv("RANKRT_PROFILE")) {
    once(requests.front());
    for (const auto& t : ctx.profile(requests.front().rows, 50))
      std::fprintf(stderr, "  %-28s %-8s %8.3f ms\n", t.layer.c_str(), t.op.c_str(), t.ms);
  }
  std::printf("| %s | %s | %-6s | %d | %9.1f | %11.0f | %7.3f | %7.3f | %.2f%% |\n", engine_name,
              precision.c_str(), name.c_str(), threads, double(s.count) / elapsed,
              double(candidates) / elapsed, s.p50, s.p99, 100 * over_1pct);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::vector<std::string> positional, precisions{"fp32"};
    for (int i = 1; i < argc; ++i) {
      if (std::strcmp(argv[i], "--precisions") != 0) {
        positional.push_back(argv[i]);
        continue;
      }
      if (++i == argc) throw std::invalid_argument("--precisions needs a list, e.g. fp32,bf16,int8");
      precisions.clear();
      for (std::string list = argv[i]; !list.empty();) {
        const size_t comma = list.find(',');
        precisions.push_back(list.substr(0, comma));
        list = comma == std::string::npos ? "" : list.substr(comma + 1);
      }
    }
    const std::string dir = positional.size() > 0 ? positional[0] : RANKRT_DQM_DIR;
    const double seconds = positional.size() > 1 ? std::stod(positional[1]) : 5.0;
    const SampleFile samples = read_samples(dir + "/samples.pb");
    const ScoreTable baseline = read_scores(dir + "/baseline.txt");
    const Graph imported = load_model(dir + "/frozen_graph.pb", samples.output_names);
    Graph optimized = imported;
    optimize(optimized);
    std::printf(
        "| engine | precision | requests | threads | requests/s | candidates/s | p50 ms | p99 ms | >1%% rel "
        "err "
        "|\n");
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
    using Case = std::pair<const Graph*, const char*>;
    for (const std::string& precision : precisions) {
      for (const auto& [graph, engine_name] :
           {Case{&optimized, "rankrt cpu (oneDNN)"}, Case{&imported, "rankrt cpu (oneDNN), --no-optimize"}}) {
        if (graph == &imported && precision != "fp32") continue;  // the optimizer's effect: fp32 only
        for (int threads : {1, 2}) {
          EngineOptions options;
          options.threads = threads;
          options.precision = precision;
          options.optimize = false;  // optimized above, or deliberately not
          const auto engine = build_engine(*graph, options);
          std::fprintf(stderr, "%s\n", engine->description().c_str());
          const double over_1pct = share_over_1pct(*engine, samples, baseline);
          std::vector<Request> mix, n511;
          for (const TensorMap& s : samples.samples) {
            Request r;
            for (const ValueInfo& in : engine->graph().inputs)
              if (!engine->graph().find_initializer(in.name)) r.inputs.push_back(&s.at(in.name));
            r.rows = bind_inputs(engine->graph(), s).begin()->second;
            mix.push_back(r);
            if (r.rows == 511) n511.push_back(r);
          }
          if (!n511.empty())
            run_case(*engine, engine_name, precision, n511, "N=511", threads, seconds, over_1pct);
          run_case(*engine, engine_name, precision, mix, "mix", threads, seconds, over_1pct);
        }
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cpu_throughput: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
