// The CPU backend: an immutable engine (Dense layers as oneDNN matmul primitives created at
// build time, weights in the primitives' layouts) and per-worker execution contexts (own oneDNN
// stream, memory objects and liveness-planned arena, sized at build time).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "runtime/engine.h"

namespace rankrt::cpu {

struct CpuOptions {
  ShapeProfile profile;  // the symbolic candidate count served: arena and primitives sized for max
  int threads = 0;       // intra-op (OpenMP) threads per context; 0: default_cpu_threads()
  // Dense layers' arithmetic: fp32 | bf16 | int8 (dense_layer.h's DensePrecision); the rest of
  // the graph runs in float32.
  std::string precision = "fp32";
};

// The cores this process may run on (sched_getaffinity), at least 1.
int default_cpu_threads();

// Lowers an optimized, shape-inferred graph. Throws kUsage on an unknown precision, kUnsupported
// naming the node for an op or dtype the CPU backend does not run (the reference executor runs
// every op) or a Dense layer oneDNN cannot run at that precision on this CPU.
std::unique_ptr<Engine> build_cpu_engine(Graph graph, const CpuOptions& options);

// The zero-allocation request path of a CPU execution context: write the inputs into
// input_buffer(i) (row-major, the graph's dtype, `rows` candidates) before every execute(rows),
// then read output_buffer(i) until the next execute. No heap allocation in rankrt's code;
// oneDNN's primitive execution itself allocates a few small objects per Dense layer.
class CpuExecutionContext : public ExecutionContext {
 public:
  virtual void* input_buffer(size_t input_index) = 0;  // sized for the profile's max
  virtual const void* output_buffer(size_t output_index) const = 0;
  virtual void execute(int64_t rows) = 0;
  virtual int64_t arena_bytes() const = 0;
  // Runs `repeats` requests of `rows` (on whatever the input buffers hold) and returns each
  // step's layer name, op and mean milliseconds.
  struct StepTime {
    std::string layer, op;
    double ms = 0;
  };
  virtual std::vector<StepTime> profile(int64_t rows, int repeats) = 0;
};

}  // namespace rankrt::cpu
