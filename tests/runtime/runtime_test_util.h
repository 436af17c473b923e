// Tiny engines for the load tests: out = Sigmoid(rows + comm) with rows [N,3] and comm [1,3]
// (a candidate input and a batch-1 shared input, as in DQM), optionally slowed down per request.
#pragma once
#include <chrono>
#include <random>
#include <thread>

#include "ops/shape_inference.h"
#include "runtime/engine.h"

namespace rankrt::testing {

inline Graph tiny_graph() {
  Graph g;
  g.source = "tiny";
  g.inputs = {{"rows", DType::kF32, {Dim::sym("N"), Dim(3)}}, {"comm", DType::kF32, {Dim(1), Dim(3)}}};
  g.nodes.push_back({"add", "Add", {"rows", "comm"}, {"sum"}, {}});
  g.nodes.push_back({"sigmoid", "Sigmoid", {"sum"}, {"out"}, {}});
  g.outputs = {{"out", DType::kF32, {Dim::sym("N"), Dim(3)}}};
  verify_graph(g);
  infer_shapes(g);
  return g;
}

inline std::shared_ptr<const Engine> tiny_engine() {
  EngineOptions options;
  options.backend = "reference";
  return build_engine(tiny_graph(), options);
}

// A request of `rows` candidates with random values (never zero) and the given comm row.
inline TensorMap tiny_request(int64_t rows, const Tensor& comm, std::mt19937& rng) {
  std::uniform_real_distribution<float> value(0.1f, 2.0f);
  std::vector<float> data(size_t(rows * 3));
  for (float& v : data) v = value(rng);
  return {{"rows", Tensor::from_vector<float>({rows, 3}, data)}, {"comm", comm}};
}

inline Tensor random_comm(std::mt19937& rng) {
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  return Tensor::from_vector<float>({1, 3}, {value(rng), value(rng) + 2.0f, value(rng) - 2.0f});
}

// An engine whose contexts take at least `delay` per request.
class SlowEngine : public Engine {
 public:
  SlowEngine(std::shared_ptr<const Engine> inner, std::chrono::microseconds delay)
      : inner_(std::move(inner)), delay_(delay) {}
  std::unique_ptr<ExecutionContext> create_context() const override {
    return std::make_unique<Context>(inner_->create_context(), delay_);
  }
  const Graph& graph() const override { return inner_->graph(); }
  std::string description() const override { return "slow " + inner_->description(); }

 private:
  class Context : public ExecutionContext {
   public:
    Context(std::unique_ptr<ExecutionContext> inner, std::chrono::microseconds delay)
        : inner_(std::move(inner)), delay_(delay) {}
    TensorMap run(const TensorMap& inputs) override {
      std::this_thread::sleep_for(delay_);  // simulated device time
      return inner_->run(inputs);
    }

   private:
    std::unique_ptr<ExecutionContext> inner_;
    std::chrono::microseconds delay_;
  };
  std::shared_ptr<const Engine> inner_;
  std::chrono::microseconds delay_;
};

}  // namespace rankrt::testing
