// CPU engine and execution contexts: arena, oneDNN stream and memory bindings per lane (a
// context's own, plus one per thread where requests are split into row slices); requests run the
// lowered steps in order on the caller's thread (oneDNN uses OpenMP inside), or large ones as one
// row slice per OpenMP thread.
#include "backends/cpu/cpu_engine.h"

#include <fmt/format.h>
#include <omp.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>

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
std::string precision_description(DensePrecision p, bool calibrated) {
  switch (p) {
    case DensePrecision::kF32:
      return "fp32";
    case DensePrecision::kBF16:
      return native_bf16() ? "bf16 (f32 accumulation)"
                           : "bf16 (f32 accumulation; emulated: this CPU has no native bf16 for oneDNN)";
    case DensePrecision::kInt8:
      return calibrated ? "int8 (s8 weights per column, s8 inputs with calibrated scales)"
                        : "int8 (s8 weights per column, s8 inputs with a per-request scale)";
  }
  return "";
}

class CpuEngine : public Engine {
 public:
  CpuEngine(Graph graph, const CpuOptions& options)
      : graph_(std::move(graph)),
        threads_(options.threads > 0 ? options.threads : default_cpu_threads()),
        split_rows_(
            std::max<int64_t>(options.split_rows > 0 ? options.split_rows : kDefaultSplitRows, threads_)),
        precision_(parse_precision(options.precision)),
        calibrated_(!options.activation_amax.empty()) {
    program_ = lower_graph(graph_, options.profile, precision_, options.activation_amax);
  }
  std::unique_ptr<ExecutionContext> create_context() const override;
  const Graph& graph() const override { return graph_; }
  std::string description() const override {
    const dnnl_version_t* v = dnnl_version();
    std::string split;
    if (threads_ > 1)
      split = splits_rows() ? fmt::format(", requests of >= {} rows split into {} row slices (an arena each)",
                                          split_rows_, threads_)
                            : fmt::format(", no row split ({})", program_->row_split_blocker);
    return fmt::format(
        "cpu oneDNN {}.{}.{} {}, {} steps ({} Dense), arena {:.1f} KiB per context, {} thread(s){}", v->major,
        v->minor, v->patch, precision_description(precision_, calibrated_), program_->steps.size(),
        program_->dense.size(), program_->arena_bytes / 1024.0, threads_, split);
  }
  const Program& program() const { return *program_; }
  int threads() const { return threads_; }
  // Whether contexts run large requests as one row slice per thread.
  bool splits_rows() const { return threads_ > 1 && program_->row_split_blocker.empty(); }
  int64_t split_rows() const { return split_rows_; }

 private:
  Graph graph_;
  int threads_;
  int64_t split_rows_;
  DensePrecision precision_;
  bool calibrated_;  // int8 with static input scales
  std::unique_ptr<Program> program_;
};

// One thread's request state: an arena in the program's layout, a oneDNN stream, and the Dense
// layers' memory objects over that arena.
class Lane {
 public:
  explicit Lane(const Program& p) : arena_(p.arena_bytes), stream_(p.engine) {
    for (const DenseStep& d : p.dense)
      bindings_.push_back(std::make_unique<DenseLayer::Binding>(
          *d.layer, p.engine, p.read(arena_.data, d.x), p.write(arena_.data, d.y),
          d.bias ? p.read(arena_.data, *d.bias) : nullptr,
          d.converted ? p.write(arena_.data, *d.converted) : nullptr));
    for (const auto& b : bindings_) binding_ptrs_.push_back(b.get());
  }
  std::byte* arena() const { return arena_.data; }
  RunState state(int64_t rows) { return {arena_.data, rows, stream_.get(), binding_ptrs_.data()}; }
  void wait() { stream_.wait(); }
  void run(const Program& p, int64_t rows) {
    const RunState s = state(rows);
    for (const Step& step : p.steps) step.run(s);
    stream_.wait();
  }

 private:
  AlignedBuffer arena_;
  dnnl::stream stream_;
  std::vector<std::unique_ptr<DenseLayer::Binding>> bindings_;
  std::vector<DenseLayer::Binding*> binding_ptrs_;
};

// Copies rows [begin, end) of value v between a context's main arena and a row slice's arena,
// where they start at row 0 (a value without the symbol: all of it, at the same place in both);
// the symbol leads v's shape (Program::row_split_blocker).
void copy_slice(const Program& p, size_t v, std::byte* main, std::byte* slice, int64_t begin, int64_t end,
                bool into_slice) {
  const CpuValue& value = p.values[v];
  if (value.weight) return;
  if (!value.symbolic()) {
    begin = 0;
    end = 1;
  }
  const size_t row = size_t(value.dims(1).numel()) * dtype_size(value.dtype);
  std::byte* whole = main + value.arena_offset + begin * int64_t(row);
  std::byte* part = slice + value.arena_offset;
  if (into_slice)
    std::memcpy(part, whole, size_t(end - begin) * row);
  else
    std::memcpy(whole, part, size_t(end - begin) * row);
}

class CpuContext : public CpuExecutionContext {
 public:
  explicit CpuContext(const CpuEngine& engine) : engine_(engine), main_(engine.program()) {
    if (engine.splits_rows())
      for (int t = 0; t < engine.threads(); ++t) slices_.push_back(std::make_unique<Lane>(engine.program()));
  }

  void* input_buffer(size_t i) override {
    return engine_.program().write(main_.arena(), engine_.program().inputs.at(i));
  }
  const void* output_buffer(size_t i) const override {
    return engine_.program().read(main_.arena(), engine_.program().outputs.at(i));
  }
  int64_t arena_bytes() const override { return engine_.program().arena_bytes * int64_t(1 + slices_.size()); }

  void execute(int64_t rows) override {
    const Program& p = engine_.program();
    check_rows(p.profile, p.symbol, rows);
    if (!slices_.empty() && rows >= engine_.split_rows()) return execute_split(rows);
    omp_set_num_threads(engine_.threads());
    main_.run(p, rows);
  }

  std::vector<StepTime> profile(int64_t rows, int repeats) override {
    const Program& p = engine_.program();
    execute(rows);
    omp_set_num_threads(engine_.threads());
    const RunState s = main_.state(rows);
    std::vector<StepTime> times;
    for (const Step& step : p.steps) times.push_back({step.layer, step.op, 0.0});
    for (int r = 0; r < repeats; ++r) {
      for (size_t i = 0; i < p.steps.size(); ++i) {
        const auto start = std::chrono::steady_clock::now();
        p.steps[i].run(s);
        main_.wait();
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
  // One contiguous row slice per thread, each on its own lane (oneDNN runs on one thread inside
  // this parallel region): the slice's input rows copied in, the steps run, its output rows
  // copied back. Values without the symbol: every lane reads them whole, lane 0 writes them.
  void execute_split(int64_t rows) {
    const Program& p = engine_.program();
    std::exception_ptr error;
#pragma omp parallel num_threads(int(slices_.size()))
    {
      const int64_t t = omp_get_thread_num(), count = omp_get_num_threads();
      const int64_t begin = rows * t / count, end = rows * (t + 1) / count;
      Lane& lane = *slices_[size_t(t)];
      for (size_t v : p.inputs) copy_slice(p, v, main_.arena(), lane.arena(), begin, end, true);
#pragma omp barrier  // every input row read before output rows, which may share its bytes, are written
      try {
        lane.run(p, end - begin);
        for (size_t v : p.outputs)
          if (t == 0 || p.values[v].symbolic())
            copy_slice(p, v, main_.arena(), lane.arena(), begin, end, false);
      } catch (...) {
#pragma omp critical(rankrt_cpu_split_error)
        error = std::current_exception();
      }
    }
    if (error) std::rethrow_exception(error);
  }

  const CpuEngine& engine_;
  Lane main_;
  std::vector<std::unique_ptr<Lane>> slices_;  // one per thread where the engine splits rows
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
