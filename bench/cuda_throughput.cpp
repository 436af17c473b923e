// CUDA throughput benchmark: one engine, C execution contexts each driven by its own thread in
// a closed loop over the zero-allocation path (host sample -> pinned staging -> H2D -> compute
// -> D2H), for every precision x context count x workload. Prints a markdown table.
//
// Usage: cuda_throughput MODEL SAMPLES [--precisions fp32,tf32] [--contexts 1,2,4,8]
//                        [--seconds 3] [--no-cuda-graph] [--graph-buckets] [--no-optimize] [--max-rows 512]
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <sstream>
#include <thread>

#include "backends/cuda/cuda_engine.h"
#include "import/model_loader.h"
#include "io/samples.h"
#include "ir/input_binding.h"

using namespace rankrt;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(item);
  return out;
}

struct Result {
  double requests_per_s, candidates_per_s, p50_us, p99_us;
};

// Each worker cycles through `requests` (indices into samples) with its own context.
Result measure(const Engine& engine, const std::vector<const TensorMap*>& requests,
               const std::vector<int64_t>& rows, int contexts, double seconds) {
  std::vector<std::unique_ptr<ExecutionContext>> ctxs;
  for (int c = 0; c < contexts; ++c) ctxs.push_back(engine.create_context());
  const Graph& g = engine.graph();
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(contexts));
  std::vector<int64_t> done(static_cast<size_t>(contexts)), candidates(static_cast<size_t>(contexts));
  auto worker = [&](int c) {
    auto& ctx = static_cast<cuda::CudaExecutionContext&>(*ctxs[size_t(c)]);
    latencies[size_t(c)].reserve(1 << 20);
    for (size_t i = size_t(c); !stop.load(std::memory_order_relaxed); i += size_t(contexts)) {
      const size_t r = i % requests.size();
      const auto t0 = Clock::now();
      for (size_t k = 0; k < g.inputs.size(); ++k) {
        const Tensor& t = requests[r]->at(g.inputs[k].name);
        std::memcpy(ctx.input_staging(k), t.raw(), t.nbytes());
      }
      ctx.enqueue(rows[r]);
      ctx.wait();
      latencies[size_t(c)].push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      ++done[size_t(c)];
      candidates[size_t(c)] += rows[r];
    }
  };
  // Warm-up: every context runs every request once (captures the CUDA graphs).
  for (auto& ctx : ctxs) {
    for (const TensorMap* req : requests) ctx->run(*req);
  }
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int c = 0; c < contexts; ++c) threads.emplace_back(worker, c);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  int64_t total = 0, cands = 0;
  for (int c = 0; c < contexts; ++c) {
    all.insert(all.end(), latencies[size_t(c)].begin(), latencies[size_t(c)].end());
    total += done[size_t(c)];
    cands += candidates[size_t(c)];
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[size_t(p * double(all.size() - 1))]; };
  return {double(total) / elapsed, double(cands) / elapsed, pct(0.5), pct(0.99)};
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 3) {
    fmt::print(stderr,
               "usage: cuda_throughput MODEL SAMPLES [--precisions P,..] [--contexts C,..] [--seconds S] "
               "[--no-cuda-graph] [--graph-buckets] [--no-optimize] [--max-rows R]\n");
    return 2;
  }
  std::vector<std::string> precisions{"fp32"}, context_counts{"1", "2", "4", "8"};
  double seconds = 3;
  bool graphs = true, buckets = false, optimized = true;
  int64_t max_rows = 512;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--precisions" && i + 1 < argc)
      precisions = split(argv[++i]);
    else if (a == "--contexts" && i + 1 < argc)
      context_counts = split(argv[++i]);
    else if (a == "--seconds" && i + 1 < argc)
      seconds = std::stod(argv[++i]);
    else if (a == "--max-rows" && i + 1 < argc)
      max_rows = std::stoll(argv[++i]);
    else if (a == "--no-cuda-graph")
      graphs = false;
    else if (a == "--graph-buckets")
      buckets = true;
    else if (a == "--no-optimize")
      optimized = false;
    else
      fail(ErrorCode::kUsage, "unknown argument '{}'", a);
  }
  const SampleFile samples = read_samples(argv[2]);
  Graph graph = load_model(argv[1], samples.output_names);
  // Workloads: the largest sample repeated (N = max candidates), and the whole sample mix.
  std::vector<const TensorMap*> mix;
  std::vector<int64_t> mix_rows;
  size_t largest = 0;
  for (size_t i = 0; i < samples.samples.size(); ++i) {
    mix.push_back(&samples.samples[i]);
    int64_t n = 1;
    for (const auto& [sym, v] : bind_inputs(graph, samples.samples[i])) n = v;
    mix_rows.push_back(n);
    if (n > mix_rows[largest]) largest = i;
  }
  fmt::print(
      "| precision | graphs | optimized | workload | contexts | requests/s | candidates/s | p50 us | p99 us "
      "|\n");
  fmt::print("|---|---|---|---|---|---|---|---|---|\n");
  for (const std::string& precision : precisions) {
    EngineOptions options{"cuda", precision, max_rows, graphs};
    options.optimize = optimized;
    options.graph_buckets = buckets;
    auto engine = build_engine(graph, options);
    fmt::print(stderr, "engine: {}\n", engine->description());
    for (const auto& [name, reqs, rows] :
         {std::tuple{fmt::format("N={}", mix_rows[largest]), std::vector<const TensorMap*>{mix[largest]},
                     std::vector<int64_t>{mix_rows[largest]}},
          std::tuple{std::string("sample mix"), mix, mix_rows}}) {
      for (const std::string& c : context_counts) {
        const Result r = measure(*engine, reqs, rows, std::stoi(c), seconds);
        fmt::print("| {} | {} | {} | {} | {} | {:.0f} | {:.0f} | {:.0f} | {:.0f} |\n", precision,
                   graphs ? (buckets ? "buckets" : "on") : "off", optimized ? "yes" : "no", name, c,
                   r.requests_per_s, r.candidates_per_s, r.p50_us, r.p99_us);
        std::fflush(stdout);
      }
    }
  }
  return 0;
} catch (const std::exception& e) {
  fmt::print(stderr, "cuda_throughput: error: {}\n", e.what());
  return 1;
}
