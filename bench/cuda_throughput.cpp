// CUDA throughput benchmark: one engine, C execution contexts each driven by its own thread in
// a closed loop over the zero-allocation path, for every precision x context count x workload.
// Each request copies its inputs host->device and its outputs device->host; `--io pinned` (default)
// reads the samples from pinned host memory as the PyTorch peer does, `--io staging` first copies
// each sample into the context's pinned staging buffers. `--device-timing` adds the mean device
// time per request split by CUDA events. Prints a markdown table.
//
// Usage: cuda_throughput MODEL SAMPLES [--precisions fp32,tf32] [--contexts 1,2,4,8] [--seconds 3]
//                        [--io pinned|staging] [--device-timing] [--tune-gemms] [--no-cuda-graph]
//                        [--graph-buckets] [--no-optimize] [--profile N=1:512:512]
//                        [--calibration-cache FILE]   (int8 / fp8: `rankrt build --calibrate` writes it)
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <sstream>
#include <thread>

#include "backends/cuda/cuda_engine.h"
#include "backends/cuda/device_buffer.h"
#include "import/model_loader.h"
#include "io/samples.h"
#include "ir/input_binding.h"
#include "plan/calibration_cache.h"

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
  DeviceTimes device;  // mean per request (zero unless timed)
};

struct Io {
  bool pinned = true;  // read samples from pinned host memory (no staging copy)
  bool timed = false;  // CUDA-event split of each request
};

// A request's inputs in pinned host memory, in graph input order.
struct PinnedRequest {
  std::vector<cuda::PinnedBuffer> buffers;
  std::vector<const void*> pointers;
};

std::vector<PinnedRequest> pin(const Graph& g, const std::vector<const TensorMap*>& requests) {
  std::vector<PinnedRequest> pinned(requests.size());
  for (size_t r = 0; r < requests.size(); ++r)
    for (const ValueInfo& input : g.inputs) {
      const Tensor& t = requests[r]->at(input.name);
      cuda::PinnedBuffer& b = pinned[r].buffers.emplace_back(t.nbytes(), "benchmark sample");
      std::memcpy(b.get(), t.raw(), t.nbytes());
      pinned[r].pointers.push_back(b.get());
    }
  return pinned;
}

// Each worker cycles through `requests` (indices into samples) with its own context.
Result measure(const Engine& engine, const std::vector<const TensorMap*>& requests,
               const std::vector<int64_t>& rows, int contexts, double seconds, Io io) {
  std::vector<std::unique_ptr<ExecutionContext>> ctxs;
  for (int c = 0; c < contexts; ++c) {
    ctxs.push_back(engine.create_context());
    if (io.timed) ctxs.back()->enable_device_timing();
  }
  const Graph& g = engine.graph();
  const std::vector<PinnedRequest> pinned = pin(g, requests);
  // Per context: pinned output buffers as large as the largest request's outputs.
  std::vector<size_t> output_bytes(g.outputs.size());
  for (const TensorMap* req : requests) {
    const TensorMap out = ctxs[0]->run(*req);
    for (size_t o = 0; o < g.outputs.size(); ++o)
      output_bytes[o] = std::max(output_bytes[o], out.at(g.outputs[o].name).nbytes());
  }
  std::vector<std::vector<cuda::PinnedBuffer>> outputs(static_cast<size_t>(contexts));
  std::vector<std::vector<void*>> output_pointers(static_cast<size_t>(contexts));
  for (size_t c = 0; c < size_t(contexts); ++c)
    for (size_t bytes : output_bytes)
      output_pointers[c].push_back(outputs[c].emplace_back(bytes, "benchmark output").get());
  std::vector<DeviceTimes> device(static_cast<size_t>(contexts));
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(contexts));
  std::vector<int64_t> done(static_cast<size_t>(contexts)), candidates(static_cast<size_t>(contexts));
  // One request r on context c, through the chosen I/O path.
  auto request = [&](size_t c, size_t r) {
    auto& ctx = static_cast<cuda::CudaExecutionContext&>(*ctxs[c]);
    if (io.pinned) {
      ctx.enqueue(rows[r], pinned[r].pointers.data(), output_pointers[c].data());
    } else {
      for (size_t k = 0; k < g.inputs.size(); ++k) {
        const Tensor& t = requests[r]->at(g.inputs[k].name);
        std::memcpy(ctx.input_staging(k), t.raw(), t.nbytes());
      }
      ctx.enqueue(rows[r]);
    }
    ctx.wait();
  };
  auto worker = [&](int c) {
    const ExecutionContext& ctx = *ctxs[size_t(c)];
    latencies[size_t(c)].reserve(1 << 20);
    for (size_t i = size_t(c); !stop.load(std::memory_order_relaxed); i += size_t(contexts)) {
      const size_t r = i % requests.size();
      const auto t0 = Clock::now();
      request(size_t(c), r);
      latencies[size_t(c)].push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      if (io.timed) {
        const DeviceTimes t = *ctx.device_times();
        DeviceTimes& sum = device[size_t(c)];
        sum.h2d_us += t.h2d_us;
        sum.compute_us += t.compute_us;
        sum.d2h_us += t.d2h_us;
      }
      ++done[size_t(c)];
      candidates[size_t(c)] += rows[r];
    }
  };
  // Warm-up: every context runs every request once (captures the CUDA graphs).
  for (size_t c = 0; c < size_t(contexts); ++c)
    for (size_t r = 0; r < requests.size(); ++r) request(c, r);
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int c = 0; c < contexts; ++c) threads.emplace_back(worker, c);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  int64_t total = 0, cands = 0;
  DeviceTimes dev;
  for (int c = 0; c < contexts; ++c) {
    all.insert(all.end(), latencies[size_t(c)].begin(), latencies[size_t(c)].end());
    total += done[size_t(c)];
    cands += candidates[size_t(c)];
    dev.h2d_us += device[size_t(c)].h2d_us;
    dev.compute_us += device[size_t(c)].compute_us;
    dev.d2h_us += device[size_t(c)].d2h_us;
  }
  const double n = double(std::max<int64_t>(total, 1));
  dev = {dev.h2d_us / n, dev.compute_us / n, dev.d2h_us / n};
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[size_t(p * double(all.size() - 1))]; };
  return {double(total) / elapsed, double(cands) / elapsed, pct(0.5), pct(0.99), dev};
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 3) {
    fmt::print(stderr,
               "usage: cuda_throughput MODEL SAMPLES [--precisions P,..] [--contexts C,..] [--seconds S] "
               "[--io pinned|staging] [--device-timing] [--tune-gemms] [--no-cuda-graph] [--graph-buckets] "
               "[--no-optimize] [--profile N=min:opt:max] [--calibration-cache FILE]\n");
    return 2;
  }
  std::vector<std::string> precisions{"fp32"}, context_counts{"1", "2", "4", "8"};
  double seconds = 3;
  bool graphs = true, buckets = false, optimized = true;
  ShapeProfile profile;
  Io io;
  bool tune = false;
  std::map<std::string, float> amax;  // int8 / fp8 layers' input ranges (rankrt build --calibrate)
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--precisions" && i + 1 < argc)
      precisions = split(argv[++i]);
    else if (a == "--contexts" && i + 1 < argc)
      context_counts = split(argv[++i]);
    else if (a == "--seconds" && i + 1 < argc)
      seconds = std::stod(argv[++i]);
    else if (a == "--profile" && i + 1 < argc)
      profile = parse_shape_profile(argv[++i], "--profile");
    else if (a == "--io" && i + 1 < argc &&
             (argv[i + 1] == std::string("pinned") || argv[i + 1] == std::string("staging")))
      io.pinned = argv[++i] == std::string("pinned");
    else if (a == "--tune-gemms")
      tune = true;
    else if (a == "--device-timing")
      io.timed = true;
    else if (a == "--no-cuda-graph")
      graphs = false;
    else if (a == "--graph-buckets")
      buckets = true;
    else if (a == "--no-optimize")
      optimized = false;
    else if (a == "--calibration-cache" && i + 1 < argc)
      amax = plan::read_calibration_cache(argv[++i]).activation_amax;
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
      "| precision | graphs | optimized | io | workload | contexts | requests/s | candidates/s | p50 us | "
      "p99 us "
      "|{}\n",
      io.timed ? " h2d us | compute us | d2h us |" : "");
  fmt::print("|---|---|---|---|---|---|---|---|---|---|{}\n", io.timed ? "---|---|---|" : "");
  for (const std::string& precision : precisions) {
    EngineOptions options{"cuda", precision, profile, graphs};
    options.optimize = optimized;
    options.graph_buckets = buckets;
    options.tune_gemms = tune;
    options.activation_amax = amax;
    auto engine = build_engine(graph, options);
    fmt::print(stderr, "engine: {}\n", engine->description());
    for (const auto& [name, reqs, rows] :
         {std::tuple{fmt::format("N={}", mix_rows[largest]), std::vector<const TensorMap*>{mix[largest]},
                     std::vector<int64_t>{mix_rows[largest]}},
          std::tuple{std::string("sample mix"), mix, mix_rows}}) {
      for (const std::string& c : context_counts) {
        const Result r = measure(*engine, reqs, rows, std::stoi(c), seconds, io);
        fmt::print("| {} | {} | {} | {} | {} | {} | {:.0f} | {:.0f} | {:.0f} | {:.0f} |{}\n", precision,
                   graphs ? (buckets ? "buckets" : "on") : "off", optimized ? "yes" : "no",
                   io.pinned ? "pinned" : "staging", name, c, r.requests_per_s, r.candidates_per_s, r.p50_us,
                   r.p99_us,
                   io.timed ? fmt::format(" {:.1f} | {:.1f} | {:.1f} |", r.device.h2d_us, r.device.compute_us,
                                          r.device.d2h_us)
                            : "");
        std::fflush(stdout);
      }
    }
  }
  return 0;
} catch (const std::exception& e) {
  fmt::print(stderr, "cuda_throughput: error: {}\n", e.what());
  return 1;
}
