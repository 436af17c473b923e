// build_engine: picks the backend (oneDNN CPU engine, reference executor, CUDA).
#include "runtime/engine.h"

#include <fmt/format.h>

#include "backends/cpu/cpu_engine.h"
#include "passes/pipeline.h"

#ifdef RANKRT_HAVE_CUDA
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_engine.h"
#endif

namespace rankrt {

namespace {

class ReferenceContext : public ExecutionContext {
 public:
  explicit ReferenceContext(const ReferenceExecutor& executor) : executor_(executor) {}
  TensorMap run(const TensorMap& inputs) override { return executor_.run(inputs); }

 private:
  const ReferenceExecutor& executor_;
};

class ReferenceEngine : public Engine {
 public:
  ReferenceEngine(Graph graph, DType float_type) : graph_(std::move(graph)), executor_(graph_, float_type) {}
  std::unique_ptr<ExecutionContext> create_context() const override {
    return std::make_unique<ReferenceContext>(executor_);
  }
  const Graph& graph() const override { return graph_; }
  std::string description() const override {
    return fmt::format("cpu reference {}", executor_.float_type() == DType::kF64 ? "fp64" : "fp32");
  }

 private:
  Graph graph_;
  ReferenceExecutor executor_;
};

}  // namespace

bool cuda_available() {
#ifdef RANKRT_HAVE_CUDA
  return cuda::device_count() > 0;
#else
  return false;
#endif
}

DeviceDescription describe_cuda_device(int device) {
#ifdef RANKRT_HAVE_CUDA
  return cuda::describe_device(device);
#else
  fail(ErrorCode::kUsage, "backend cuda: this rankrt was built without CUDA (device {})", device);
#endif
}

std::unique_ptr<Engine> build_engine(Graph graph, const EngineOptions& options) {
  if (options.backend == "cpu" || options.backend == "cuda")
    check_profile(options.profile, "backend " + options.backend);
  if (options.optimize && options.backend != "reference") optimize(graph, {options.disabled_passes});
  // Checks every layer's precision on every backend; only cuda runs layers in different ones.
  LayerPrecisionMap layers =
      resolve_layer_precision(graph, options.layer_precision, options.backend, options.precision);
  if (options.backend == "cuda") {
#ifdef RANKRT_HAVE_CUDA
    return cuda::build_cuda_engine(
        std::move(graph),
        {options.precision, options.profile, options.cuda_graphs, options.device, options.gemm_algorithms,
         options.graph_buckets, options.tune_gemms, std::move(layers), options.activation_amax});
#else
    fail(ErrorCode::kUsage, "backend cuda: this rankrt was built without CUDA");
#endif
  }
  if (options.backend != "cpu" && options.backend != "reference")
    fail(ErrorCode::kUsage, "unknown backend '{}' (cpu, reference, cuda)", options.backend);
  if (options.threads < 0) fail(ErrorCode::kUsage, "threads must be >= 0, got {}", options.threads);
  if (options.backend == "cpu" && options.precision != "fp64")
    return cpu::build_cpu_engine(
        std::move(graph), {options.profile, options.threads, options.precision, options.activation_amax});
  if (options.precision == "fp32") return std::make_unique<ReferenceEngine>(std::move(graph), DType::kF32);
  if (options.precision == "fp64") return std::make_unique<ReferenceEngine>(std::move(graph), DType::kF64);
  fail(ErrorCode::kUsage, "precision '{}' is not supported on backend {} (fp32, fp64)", options.precision,
       options.backend);
}

}  // namespace rankrt
