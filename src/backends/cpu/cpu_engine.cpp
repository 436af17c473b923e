// CPU engine and execution contexts: arena, oneDNN stream and memory bindings per context;
// requests run the lowered steps in order on the caller's thread (oneDNN uses OpenMP inside).
#include "backends/cpu/cpu_engine.h"

#include <fmt/format.h>
#include <omp.h>
#include <sched.h>

#include <chrono>
#include <cstdlib>
#include <cstring>

#include "backends/cpu/cpu_program.h"
#include "ir/input_binding.h"

namespace rankrt::cpu {

namespace {

// 64-byte aligned, zero-filled bytes.
struct AlignedBuffer {
  explicit AlignedBuffer(int64_t bytes)
      : data(static_cast<std::byte*>(std::aligned_alloc(64, round_up(bytes)))) {
    if (!data) fail(ErrorCode::kRuntime, "backend cpu: cannot allocate a {}-byte arena", bytes);
    std::memset(data, 0, round_up(bytes));
  }
  ~AlignedBuffer() { std::free(data); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  static size_t round_up(int64_t bytes) { return size_t((std::max<int64_t>(bytes, 1) + 63) / 64 * 64); }
  std::byte* data;
};

DensePrecision parse_precision(const std::string& precision) {
  if (precision == "fp32") return DensePrecision::kF32;
  if (precision == "bf16") return DensePrecision::kBF16;
  if (precision == "int8") return DensePrecision::kInt8;
  fail(ErrorCode::kUsage,
       "precision '{}' is not supported on backend cpu (fp32, bf16, int8; fp64 runs the "
       "reference executor)",
       precision);
}

// How the engine's Dense layers compute, for its description.
std::string precision_description(DensePrecision p) {
  switch (p) {
    case DensePrecision::kF32:
      return "fp32";
    case DensePrecision::kBF16:
      return native_bf16() ? "bf16 (f32 accumulation)"
                           : "bf16 (f32 accumulation; emulated: this CPU has no native bf16 for oneDNN)";
    case DensePrecision::kInt8:
      return "int8 (s8 weights per column, s8 inputs with a per-request scale)";
  }
  return "";
}

class CpuEngine : public Engine {
 public:
  CpuEngine(Graph graph, const CpuOptions& options)
      : graph_(std::move(graph)),
        threads_(options.threads > 0 ? options.threads : default_cpu_threads()),
        precision_(parse_precision(options.precision)) {
    program_ = lower_graph(graph_, options.profile, precision_);
  }
  std::unique_ptr<ExecutionContext> create_context() const override;
  const Graph& graph() const override { return graph_; }
  std::string description() const override {
    const dnnl_version_t* v = dnnl_version();
    return fmt::format(
        "cpu oneDNN {}.{}.{} {}, {} steps ({} Dense), arena {:.1f} KiB per context, {} thread(s)", v->major,
        v->minor, v->patch, precision_description(precision_), program_->steps.size(), program_->dense.size(),
        program_->arena_bytes / 1024.0, threads_);
  }
  const Program& program() const { return *program_; }
  int threads() const { return threads_; }

 private:
  Graph graph_;
  int threads_;
  DensePrecision precision_;
  std::unique_ptr<Program> program_;
};

class CpuContext : public CpuExecutionContext {
 public:
  explicit CpuContext(const CpuEngine& engine)
      : engine_(engine), arena_(engine.program().arena_bytes), stream_(engine.program().engine) {
    const Program& p = engine.program();
    for (const DenseStep& d : p.dense)
      bindings_.push_back(std::make_unique<DenseLayer::Binding>(
          *d.layer, p.engine, p.read(arena_.data, d.x), p.write(arena_.data, d.y),
          d.bias ? p.read(arena_.data, *d.bias) : nullptr,
          d.converted ? p.write(arena_.data, *d.converted) : nullptr));
    for (const auto& b : bindings_) binding_ptrs_.push_back(b.get());
  }

  void* input_buffer(size_t i) override {
    return engine_.program().write(arena_.data, engine_.program().inputs.at(i));
  }
  const void* output_buffer(size_t i) const override {
    return engine_.program().read(arena_.data, engine_.program().outputs.at(i));
  }
  int64_t arena_bytes() const override { return engine_.program().arena_bytes; }

  void execute(int64_t rows) override {
    const Program& p = engine_.program();
    check_rows(p.profile, p.symbol, rows);
    omp_set_num_threads(engine_.threads());
    const RunState s{arena_.data, rows, stream_.get(), binding_ptrs_.data()};
    for (const Step& step : p.steps) step.run(s);
    stream_.wait();
  }

  std::vector<StepTime> profile(int64_t rows, int repeats) override {
    const Program& p = engine_.program();
    execute(rows);
    const RunState s{arena_.data, rows, stream_.get(), binding_ptrs_.data()};
    std::vector<StepTime> times;
    for (const Step& step : p.steps) times.push_back({step.layer, step.op, 0.0});
    for (int r = 0; r < repeats; ++r) {
      for (size_t i = 0; i < p.steps.size(); ++i) {
        const auto start = std::chrono::steady_clock::now();
        p.steps[i].run(s);
        stream_.wait();
        times[i].ms +=
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      }
    }
    for (StepTime& t : times) t.ms /= std::max(repeats, 1);
    return times;
  }

  TensorMap run(const TensorMap& inputs) override {
    const Program& p = engine_.program();
    const SymbolBindings bindings = bind_inputs(engine_.graph(), inputs);
    const int64_t rows = p.symbol.empty() ? 1 : bindings.at(p.symbol);
    check_rows(p.profile, p.symbol, rows);
    for (size_t i = 0; i < p.inputs.size(); ++i) {
      const Tensor& t = inputs.at(p.values[p.inputs[i]].name);
      std::memcpy(input_buffer(i), t.raw(), t.nbytes());
    }
    execute(rows);
    TensorMap out;
    for (size_t i = 0; i < p.outputs.size(); ++i) {
      const CpuValue& v = p.values[p.outputs[i]];
      const Dims d = v.dims(rows);
      Tensor t(v.dtype, std::vector<int64_t>(d.d, d.d + d.rank));
      std::memcpy(t.raw(), output_buffer(i), t.nbytes());
      out[v.name] = std::move(t);
    }
    return out;
  }

 private:
  const CpuEngine& engine_;
  AlignedBuffer arena_;
  dnnl::stream stream_;
  std::vector<std::unique_ptr<DenseLayer::Binding>> bindings_;
  std::vector<DenseLayer::Binding*> binding_ptrs_;
};

std::unique_ptr<ExecutionContext> CpuEngine::create_context() const {
  return std::make_unique<CpuContext>(*this);
}

}  // namespace

int default_cpu_threads() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

std::unique_ptr<Engine> build_cpu_engine(Graph graph, const CpuOptions& options) {
  return std::make_unique<CpuEngine>(std::move(graph), options);
}

}  // namespace rankrt::cpu
