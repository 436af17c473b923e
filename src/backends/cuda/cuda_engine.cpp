// CUDA engine and execution contexts: staging, stream-ordered execution, CUDA-graph replay.
#include "backends/cuda/cuda_engine.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>

#include "backends/cuda/cuda_program.h"
#include "ir/input_binding.h"

namespace rankrt::cuda {

namespace {

class LtHandle {
 public:
  explicit LtHandle(const std::string& what) { RANKRT_CUDA_CHECK(cublasLtCreate(&handle_), what); }
  ~LtHandle() { cublasLtDestroy(handle_); }
  LtHandle(const LtHandle&) = delete;
  LtHandle& operator=(const LtHandle&) = delete;
  cublasLtHandle_t get() const { return handle_; }

 private:
  cublasLtHandle_t handle_ = nullptr;
};

class CudaEngine;

// Whether host memory is page-locked (cudaHostAlloc or cudaHostRegister).
bool page_locked(const void* p) {
  cudaPointerAttributes a{};
  if (cudaPointerGetAttributes(&a, p) != cudaSuccess) {
    cudaGetLastError();  // not a CUDA pointer: no error to carry to the next check
    return false;
  }
  return a.type == cudaMemoryTypeHost;
}

class CudaContext : public CudaExecutionContext {
 public:
  CudaContext(const CudaEngine& engine);
  ~CudaContext() override;

  void* input_staging(size_t i) override { return input_staging_.at(i).get(); }
  const void* output_staging(size_t i) const override { return output_staging_.at(i).get(); }
  void enqueue(int64_t rows) override { enqueue_request(rows, nullptr, nullptr); }
  void enqueue(int64_t rows, const void* const* inputs, void* const* outputs) override {
    enqueue_request(rows, inputs, outputs);
  }
  void wait() override { RANKRT_CUDA_CHECK(cudaStreamSynchronize(stream_), "request"); }
  int64_t arena_bytes() const override;
  TensorMap run(const TensorMap& inputs) override;
  void enable_device_timing() override;
  std::optional<DeviceTimes> device_times() const override;

 private:
  // `inputs` / `outputs`: the caller's pinned buffers, or null for the staging buffers.
  void enqueue_request(int64_t rows, const void* const* inputs, void* const* outputs);
  void enqueue_inputs(const RunState& s, const void* const* inputs);
  void enqueue_steps(const RunState& s);
  void enqueue_outputs(const RunState& s, void* const* outputs);
  // Launches the graph captured under `key` (capturing `body` on first use).
  template <typename Body>
  void launch_graph(const std::pair<int64_t, bool>& key, const RunState& s, Body body);
  // Records timing event `i` (0 start, 1 inputs copied, 2 computed, 3 outputs copied) when enabled
  // (never inside a capture).
  void mark(int i);

  const CudaEngine& engine_;
  cudaStream_t stream_ = nullptr;
  LtHandle lt_{"cublasLtCreate"};
  DeviceBuffer arena_, workspace_, scratch_;
  std::vector<PinnedBuffer> input_staging_, output_staging_;
  // Captured on first use, per (candidate count or bucket, whether the copies are inside).
  std::map<std::pair<int64_t, bool>, cudaGraphExec_t> graphs_;
  std::array<cudaEvent_t, 4> events_{};     // device timing, when enabled
  std::vector<const void*> direct_inputs_;  // run(): the request's page-locked inputs
};

class CudaEngine : public Engine {
 public:
  CudaEngine(Graph graph, const CudaOptions& options) : graph_(std::move(graph)), options_(options) {
    if (device_count() == 0) fail(ErrorCode::kRuntime, "backend cuda: no CUDA device");
    RANKRT_CUDA_CHECK(cudaSetDevice(options.device), "engine");
    LtHandle lt("engine");
    program_ = lower_graph(graph_, options_, lt.get());
    if (!options_.gemm_algorithms.empty()) check_planned_algorithms();
  }
  std::unique_ptr<ExecutionContext> create_context() const override {
    return std::make_unique<CudaContext>(*this);
  }
  const Graph& graph() const override { return graph_; }
  std::string description() const override {
    cudaDeviceProp prop{};
    cudaGetDeviceProperties(&prop, options_.device);
    return fmt::format("cuda {}{} on {} (sm_{}{}), {} steps, arena {:.1f} KiB per context, graphs {}",
                       options_.precision, describe_overrides(options_.layer_precision, options_.precision),
                       prop.name, prop.major, prop.minor, program_->steps.size(),
                       program_->arena_bytes / 1024.0, graph_mode());
  }
  // Whether graphs run on power-of-two buckets of the row count.
  bool bucketed() const {
    return options_.cuda_graphs && options_.graph_buckets && program_->bucket_blocker.empty();
  }
  std::vector<GemmAlgorithms> gemm_algorithms() const override {
    std::vector<GemmAlgorithms> layers;
    for (const auto& gemm : program_->gemms) {
      GemmAlgorithms& l = layers.emplace_back();
      l.layer = gemm->layer();
      l.precision = precision_name(gemm->precision());
      l.k = gemm->k();
      l.m = gemm->m();
      for (const cublasLtMatmulAlgo_t& a : gemm->algorithms())
        std::memcpy(l.algorithms.emplace_back().data(), &a, sizeof a);
    }
    return layers;
  }
  std::shared_ptr<void> pin_host_memory(const std::vector<TensorMap>& tensors) const override;
  const Program& program() const { return *program_; }
  const CudaOptions& options() const { return options_; }
  std::string graph_mode() const {
    if (!options_.cuda_graphs) return "off";
    if (bucketed()) return "on (power-of-two row buckets)";
    if (options_.graph_buckets) return "on (per row count: no buckets, " + program_->bucket_blocker + ")";
    return "on (per row count)";
  }

 private:
  Graph graph_;
  CudaOptions options_;
  std::unique_ptr<Program> program_;

  // Every planned layer must have been lowered (make_gemm checks each one it lowers).
  void check_planned_algorithms() const {
    if (options_.gemm_algorithms.size() != program_->gemms.size())
      fail(ErrorCode::kData, "engine plan has GEMM algorithms for {} layers, the graph lowers to {}",
           options_.gemm_algorithms.size(), program_->gemms.size());
  }
};

CudaContext::CudaContext(const CudaEngine& engine) : engine_(engine) {
  const Program& p = engine.program();
  RANKRT_CUDA_CHECK(cudaSetDevice(engine.options().device), "context");
  RANKRT_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "context");
  arena_ = DeviceBuffer(size_t(p.arena_bytes), "activation arena");
  workspace_ = DeviceBuffer(kGemmWorkspaceBytes, "cuBLASLt workspace");
  scratch_ = DeviceBuffer(size_t(p.scratch_bytes), "GEMM operand scratch");
  for (size_t v : p.inputs) input_staging_.emplace_back(size_t(p.values[v].max_bytes), "input staging");
  for (size_t v : p.outputs) output_staging_.emplace_back(size_t(p.values[v].max_bytes), "output staging");
  direct_inputs_.resize(p.inputs.size());
}

CudaContext::~CudaContext() {
  for (auto& [key, exec] : graphs_) cudaGraphExecDestroy(exec);
  for (cudaEvent_t e : events_)
    if (e) cudaEventDestroy(e);
  if (stream_) cudaStreamDestroy(stream_);
}

int64_t CudaContext::arena_bytes() const { return engine_.program().arena_bytes; }

void CudaContext::enable_device_timing() {
  if (events_[0]) return;
  for (cudaEvent_t& e : events_) RANKRT_CUDA_CHECK(cudaEventCreate(&e), "device timing event");
  // Graphs captured so far hold the copies the events must separate.
  for (auto& [key, exec] : graphs_) cudaGraphExecDestroy(exec);
  graphs_.clear();
}

std::optional<DeviceTimes> CudaContext::device_times() const {
  if (!events_[0]) return std::nullopt;
  float ms[3] = {};
  for (int i = 0; i < 3; ++i)
    RANKRT_CUDA_CHECK(cudaEventElapsedTime(&ms[i], events_[size_t(i)], events_[size_t(i) + 1]),
                      "device timing");
  return DeviceTimes{ms[0] * 1e3, ms[1] * 1e3, ms[2] * 1e3};
}

void CudaContext::mark(int i) {
  if (events_[0]) RANKRT_CUDA_CHECK(cudaEventRecord(events_[size_t(i)], stream_), "device timing");
}

void CudaContext::enqueue_inputs(const RunState& s, const void* const* inputs) {
  const Program& p = engine_.program();
  for (size_t i = 0; i < p.inputs.size(); ++i) {
    const DeviceValue& v = p.values[p.inputs[i]];
    const size_t bytes = size_t(v.dims(s.rows).numel()) * dtype_size(v.dtype);
    const void* source = inputs ? inputs[i] : input_staging_[i].get();
    RANKRT_CUDA_CHECK(
        cudaMemcpyAsync(p.pointer(s, p.inputs[i]), source, bytes, cudaMemcpyHostToDevice, s.stream), v.name);
  }
}

void CudaContext::enqueue_steps(const RunState& s) {
  for (const Step& step : engine_.program().steps) step.run(s);
}

void CudaContext::enqueue_outputs(const RunState& s, void* const* outputs) {
  const Program& p = engine_.program();
  for (size_t i = 0; i < p.outputs.size(); ++i) {
    const DeviceValue& v = p.values[p.outputs[i]];
    const size_t bytes = size_t(v.dims(s.rows).numel()) * dtype_size(v.dtype);
    void* target = outputs ? outputs[i] : output_staging_[i].get();
    RANKRT_CUDA_CHECK(
        cudaMemcpyAsync(target, p.pointer(s, p.outputs[i]), bytes, cudaMemcpyDeviceToHost, s.stream), v.name);
  }
}

template <typename Body>
void CudaContext::launch_graph(const std::pair<int64_t, bool>& key, const RunState& s, Body body) {
  auto it = graphs_.find(key);
  if (it == graphs_.end()) {
    cudaGraph_t graph = nullptr;
    RANKRT_CUDA_CHECK(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal), "graph capture");
    try {
      body(s);
    } catch (...) {
      cudaStreamEndCapture(stream_, &graph);
      if (graph) cudaGraphDestroy(graph);
      throw;
    }
    RANKRT_CUDA_CHECK(cudaStreamEndCapture(stream_, &graph), "graph capture");
    cudaGraphExec_t exec = nullptr;
    const cudaError_t status = cudaGraphInstantiate(&exec, graph, 0);
    cudaGraphDestroy(graph);
    RANKRT_CUDA_CHECK(status, "graph instantiate");
    it = graphs_.emplace(key, exec).first;
  }
  RANKRT_CUDA_CHECK(cudaGraphLaunch(it->second, stream_), "graph launch");
}

void CudaContext::enqueue_request(int64_t rows, const void* const* inputs, void* const* outputs) {
  const Program& p = engine_.program();
  check_rows(p.profile, p.symbol, rows);
  RunState s{
      static_cast<std::byte*>(arena_.get()), stream_, lt_.get(), workspace_.get(), scratch_.get(), rows};
  mark(0);
  if (!engine_.options().cuda_graphs) {
    enqueue_inputs(s, inputs);
    mark(1);
    enqueue_steps(s);
    mark(2);
    enqueue_outputs(s, outputs);
    return mark(3);
  }
  if (!engine_.bucketed() && !inputs && !events_[0]) {  // one graph: staging copies and steps
    launch_graph({rows, true}, s, [this](const RunState& r) {
      enqueue_inputs(r, nullptr);
      enqueue_steps(r);
      enqueue_outputs(r, nullptr);
    });
    return;
  }
  // The copies outside the graph (also when timed: the events go between them and the graph). Bucketed: they
  // move the real rows while the graph computes the bucket's rows (padding rows hold stale data that no real
  // row reads, every step being row-independent).
  RunState computed = s;
  if (engine_.bucketed()) {
    int64_t bucket = 1;
    while (bucket < rows) bucket *= 2;
    computed.rows = std::min(bucket, p.profile.max);
  }
  enqueue_inputs(s, inputs);
  mark(1);
  launch_graph({computed.rows, false}, computed, [this](const RunState& r) { enqueue_steps(r); });
  mark(2);
  enqueue_outputs(s, outputs);
  mark(3);
}

TensorMap CudaContext::run(const TensorMap& inputs) {
  const Program& p = engine_.program();
  const Graph& g = engine_.graph();
  SymbolBindings bindings = bind_inputs(g, inputs);
  const int64_t rows = p.symbol.empty() ? 1 : bindings.at(p.symbol);
  check_rows(p.profile, p.symbol, rows);
  RANKRT_CUDA_CHECK(cudaSetDevice(engine_.options().device), "request");
  // Inputs in page-locked memory (Engine::pin_host_memory) go to the device directly.
  bool direct = true;
  for (size_t i = 0; i < p.inputs.size(); ++i) {
    direct_inputs_[i] = inputs.at(p.values[p.inputs[i]].name).raw();
    direct = direct && page_locked(direct_inputs_[i]);
  }
  if (!direct)
    for (size_t i = 0; i < p.inputs.size(); ++i) {
      const Tensor& t = inputs.at(p.values[p.inputs[i]].name);
      std::memcpy(input_staging_[i].get(), t.raw(), t.nbytes());
    }
  enqueue_request(rows, direct ? direct_inputs_.data() : nullptr, nullptr);
  wait();
  TensorMap out;
  for (size_t i = 0; i < p.outputs.size(); ++i) {
    const DeviceValue& v = p.values[p.outputs[i]];
    const Dims d = v.dims(rows);
    Tensor t(v.dtype, std::vector<int64_t>(d.d, d.d + d.rank));
    std::memcpy(t.raw(), output_staging_[i].get(), t.nbytes());
    out[v.name] = std::move(t);
  }
  return out;
}

std::shared_ptr<void> CudaEngine::pin_host_memory(const std::vector<TensorMap>& tensors) const {
  // Whole pages, merged: neighbouring tensors may share one, and a page registers once.
  const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
  std::vector<std::pair<uintptr_t, uintptr_t>> ranges;
  for (const TensorMap& map : tensors)
    for (const auto& [name, t] : map)
      if (t.nbytes() > 0) {
        const uintptr_t begin = uintptr_t(t.raw()), end = begin + t.nbytes();
        ranges.emplace_back(begin / page * page, (end + page - 1) / page * page);
      }
  std::sort(ranges.begin(), ranges.end());
  auto registered = std::shared_ptr<std::vector<void*>>(new std::vector<void*>, [](std::vector<void*>* r) {
    for (void* p : *r) cudaHostUnregister(p);
    delete r;
  });
  for (size_t i = 0; i < ranges.size();) {
    auto [begin, end] = ranges[i];
    for (++i; i < ranges.size() && ranges[i].first <= end; ++i) end = std::max(end, ranges[i].second);
    RANKRT_CUDA_CHECK(cudaHostRegister(reinterpret_cast<void*>(begin), end - begin, cudaHostRegisterPortable),
                      "page-locking host tensors");
    registered->push_back(reinterpret_cast<void*>(begin));
  }
  return registered;
}

static_assert(sizeof(cublasLtMatmulAlgo_t) == sizeof(std::array<uint64_t, 8>));

}  // namespace

DeviceDescription describe_device(int device) {
  if (device_count() == 0) fail(ErrorCode::kRuntime, "backend cuda: no CUDA device");
  cudaDeviceProp prop{};
  RANKRT_CUDA_CHECK(cudaGetDeviceProperties(&prop, device), "device description");
  DeviceDescription d;
  d.name = prop.name;
  d.sm = prop.major * 10 + prop.minor;
  RANKRT_CUDA_CHECK(cudaDriverGetVersion(&d.driver_version), "device description");
  RANKRT_CUDA_CHECK(cudaRuntimeGetVersion(&d.runtime_version), "device description");
  d.cublaslt_version = int64_t(cublasLtGetVersion());
  return d;
}

std::unique_ptr<Engine> build_cuda_engine(Graph graph, const CudaOptions& options) {
  return std::make_unique<CudaEngine>(std::move(graph), options);
}

}  // namespace rankrt::cuda
