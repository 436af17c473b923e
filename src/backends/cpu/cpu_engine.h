// The CPU backend: an immutable engine (Dense layers as oneDNN matmul primitives created at
// build time, weights in the primitives' layouts) and per-worker execution contexts (own oneDNN
// stream, memory objects and liveness-planned arena, sized at build time; one more of each per
// thread where large requests are split into row slices).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "runtime/engine.h"

namespace rankrt::cpu {

struct CpuOptions {
  ShapeProfile profile;  // the symbolic candidate count served: arena and primitives sized for max
  int threads = 0;       // OpenMP threads per context (see split_rows); 0: default_cpu_threads()
  // Dense layers' arithmetic: fp32 | bf16 | int8 (dense_layer.h's DensePrecision); the rest of
  // the graph runs in float32.
  std::string precision = "fp32";
  // int8: the calibrated max |x| of each Dense layer's input, by layer name (absent: measured per
  // request).
  std::map<std::string, float> activation_amax;
  // threads > 1: requests of at least this many rows run as one contiguous row slice per thread
  // (each slice the whole step list on its own arena, one thread inside oneDNN) where the program
  // is row-separable (Program::row_split_blocker); smaller ones, and every request of a program
  // that is not, run each step on `threads` OpenMP threads. 0: kDefaultSplitRows.
  int64_t split_rows = 0;
};

// The row count from which a request is split between threads. Measured on DQM, 2 threads of a
// 2-core AVX-512 VM, speed of the split over both threads inside every step: 0.78x at 8 rows,
// 0.94-0.98x at 16-24, 1.06x at 32, 1.11x at 48, 1.15-1.18x from 64 to 511 (small slices lose:
// each slice streams all the weights).
constexpr int64_t kDefaultSplitRows = 32;

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
  virtual int64_t arena_bytes() const = 0;  // of all its arenas (one per row slice too)
  // Runs `repeats` requests of `rows` (on whatever the input buffers hold) and returns each
  // step's layer name, op and mean milliseconds (every step over all rows, as unsplit requests).
  struct StepTime {
    std::string layer, op;
    double ms = 0;
  };
  virtual std::vector<StepTime> profile(int64_t rows, int repeats) = 0;
};

}  // namespace rankrt::cpu
