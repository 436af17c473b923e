// CUDA engine and execution contexts: staging, stream-ordered execution, CUDA-graph replay.
#include "backends/cuda/cuda_engine.h"

#include <fmt/format.h>

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

class CudaContext : public CudaExecutionContext {
 public:
  CudaContext(const CudaEngine& engine);
  ~CudaContext() override;

  void* input_staging(size_t i) override { return input_staging_.at(i).get(); }
  const void* output_staging(size_t i) const override { return output_staging_.at(i).get(); }
  void enqueue(int64_t rows) override;
  void wait() override { RANKRT_CUDA_CHECK(cudaStreamSynchronize(stream_), "request"); }
  int64_t arena_bytes() const override;
  TensorMap run(const TensorMap& inputs) override;

 private:
  void enqueue_steps(const RunState& s);

  const CudaEngine& engine_;
  cudaStream_t stream_ = nullptr;
  LtHandle lt_{"cublasLtCreate"};
  DeviceBuffer arena_, workspace_, scratch_;
  std::vector<PinnedBuffer> input_staging_, output_staging_;
  std::map<int64_t, cudaGraphExec_t> graphs_;  // one per candidate count, captured on first use
};

class CudaEngine : public Engine {
 public:
  CudaEngine(Graph graph, const CudaOptions& options) : graph_(std::move(graph)), options_(options) {
    if (device_count() == 0) fail(ErrorCode::kRuntime, "backend cuda: no CUDA device");
    RANKRT_CUDA_CHECK(cudaSetDevice(options.device), "engine");
    LtHandle lt("engine");
    program_ = lower_graph(graph_, options_, lt.get());
  }
  std::unique_ptr<ExecutionContext> create_context() const override { return std::make_unique<CudaContext>(*this); }
  const Graph& graph() const override { return graph_; }
  std::string description() const override {
    cudaDeviceProp prop{};
    cudaGetDeviceProperties(&prop, options_.device);
    return fmt::format("cuda {} on {} (sm_{}{}), {} steps, arena {:.1f} KiB per context, graphs {}", options_.precision,
                       prop.name, prop.major, prop.minor, program_->steps.size(), program_->arena_bytes / 1024.0,
                       options_.cuda_graphs ? "on" : "off");
  }
  const Program& program() const { return *program_; }
  const CudaOptions& options() const { return options_; }

 private:
  Graph graph_;
  CudaOptions options_;
  std::unique_ptr<Program> program_;
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
}

CudaContext::~CudaContext() {
  for (auto& [rows, exec] : graphs_) cudaGraphExecDestroy(exec);
  if (stream_) cudaStreamDestroy(stream_);
}

int64_t CudaContext::arena_bytes() const { return engine_.program().arena_bytes; }

void CudaContext::enqueue_steps(const RunState& s) {
  const Program& p = engine_.program();
  for (size_t i = 0; i < p.inputs.size(); ++i) {
    const DeviceValue& v = p.values[p.inputs[i]];
    const size_t bytes = size_t(v.dims(s.rows).numel()) * dtype_size(v.dtype);
    RANKRT_CUDA_CHECK(cudaMemcpyAsync(p.pointer(s, p.inputs[i]), input_staging_[i].get(), bytes, cudaMemcpyHostToDevice,
                                      s.stream),
                      v.name);
  }
  for (const Step& step : p.steps) step.run(s);
  for (size_t i = 0; i < p.outputs.size(); ++i) {
    const DeviceValue& v = p.values[p.outputs[i]];
    const size_t bytes = size_t(v.dims(s.rows).numel()) * dtype_size(v.dtype);
    RANKRT_CUDA_CHECK(cudaMemcpyAsync(output_staging_[i].get(), p.pointer(s, p.outputs[i]), bytes, cudaMemcpyDeviceToHost,
                                      s.stream),
                      v.name);
  }
}

void CudaContext::enqueue(int64_t rows) {
  const Program& p = engine_.program();
  if (rows < 1 || rows > p.max_rows)
    fail(ErrorCode::kShape, "{}={} is outside the engine's shape profile 1..{}", p.symbol.empty() ? "rows" : p.symbol, rows,
         p.max_rows);
  RunState s{static_cast<std::byte*>(arena_.get()), stream_, lt_.get(), workspace_.get(), scratch_.get(), rows};
  if (!engine_.options().cuda_graphs) return enqueue_steps(s);
  auto it = graphs_.find(rows);
  if (it == graphs_.end()) {
    cudaGraph_t graph = nullptr;
    RANKRT_CUDA_CHECK(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal), "graph capture");
    try {
      enqueue_steps(s);
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
    it = graphs_.emplace(rows, exec).first;
  }
  RANKRT_CUDA_CHECK(cudaGraphLaunch(it->second, stream_), "graph launch");
}

TensorMap CudaContext::run(const TensorMap& inputs) {
  const Program& p = engine_.program();
  const Graph& g = engine_.graph();
  SymbolBindings bindings = bind_inputs(g, inputs);
  const int64_t rows = p.symbol.empty() ? 1 : bindings.at(p.symbol);
  if (rows < 1 || rows > p.max_rows)
    fail(ErrorCode::kShape, "{}={} is outside the engine's shape profile 1..{}", p.symbol, rows, p.max_rows);
  for (size_t i = 0; i < p.inputs.size(); ++i) {
    const Tensor& t = inputs.at(p.values[p.inputs[i]].name);
    std::memcpy(input_staging_[i].get(), t.raw(), t.nbytes());
  }
  RANKRT_CUDA_CHECK(cudaSetDevice(engine_.options().device), "request");
  enqueue(rows);
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

}  // namespace

std::unique_ptr<Engine> build_cuda_engine(Graph graph, const CudaOptions& options) {
  return std::make_unique<CudaEngine>(std::move(graph), options);
}

}  // namespace rankrt::cuda
