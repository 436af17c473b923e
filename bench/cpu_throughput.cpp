// CPU backend throughput: DQM at N=511 and over the shared sample mix, at 1 and 2 intra-op
// threads, optimized and as imported (--no-optimize), one request at a time through the
// zero-allocation API (inputs copied into the context's buffers, execute, outputs read in place).
// Prints requests/s and p50/p99 latency.
// Usage: cpu_throughput [MODEL_DIR] [SECONDS_PER_CASE]   (default: ../shared/models/dqm, 5 s);
// RANKRT_PROFILE=1 also prints each step's mean time (stderr).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "backends/cpu/cpu_engine.h"
#include "import/model_loader.h"
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

void run_case(const Engine& engine, const char* engine_name, const std::vector<Request>& requests,
              const std::string& name, int threads, double seconds) {
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
  std::printf("| %s | %-10s | %d | %9.1f | %11.0f | %7.3f | %7.3f |\n", engine_name, name.c_str(), threads,
              double(s.count) / elapsed, double(candidates) / elapsed, s.p50, s.p99);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string dir = argc > 1 ? argv[1] : RANKRT_DQM_DIR;
    const double seconds = argc > 2 ? std::stod(argv[2]) : 5.0;
    const SampleFile samples = read_samples(dir + "/samples.pb");
    const Graph imported = load_model(dir + "/frozen_graph.pb", samples.output_names);
    Graph optimized = imported;
    optimize(optimized);
    std::printf("| engine | requests | threads | requests/s | candidates/s | p50 ms | p99 ms |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    using Case = std::pair<const Graph*, const char*>;
    for (const auto& [graph, engine_name] :
         {Case{&optimized, "rankrt cpu (oneDNN)"}, Case{&imported, "rankrt cpu (oneDNN), --no-optimize"}}) {
      for (int threads : {1, 2}) {
        EngineOptions options;
        options.threads = threads;
        options.optimize = false;  // optimized above, or deliberately not
        const auto engine = build_engine(*graph, options);
        std::fprintf(stderr, "%s\n", engine->description().c_str());
        std::vector<Request> mix, n511;
        for (const TensorMap& s : samples.samples) {
          Request r;
          for (const ValueInfo& in : engine->graph().inputs)
            if (!engine->graph().find_initializer(in.name)) r.inputs.push_back(&s.at(in.name));
          r.rows = bind_inputs(engine->graph(), s).begin()->second;
          mix.push_back(r);
          if (r.rows == 511) n511.push_back(r);
        }
        if (!n511.empty()) run_case(*engine, engine_name, n511, "N=511", threads, seconds);
        run_case(*engine, engine_name, mix, "mix", threads, seconds);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cpu_throughput: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
