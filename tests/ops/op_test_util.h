// Test helpers for op kernels: one-node graphs run on the reference executor, single-node
// inference, random inputs and comparison against double-precision expectations.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "backends/reference/reference_executor.h"
#include "ops/shape_inference.h"

namespace rankrt::test {

// A graph with one node `op`: inputs "x0".."x{k-1}" (declared with the given dtype/shape; an
// empty name marks an omitted input), outputs "y0".."y{num_outputs-1}".
inline Graph single_op_graph(const std::string& op, const std::vector<ValueInfo>& inputs, AttributeMap attrs,
                             size_t num_outputs = 1) {
  Graph g;
  g.source = "test";
  Node n;
  n.name = "node";
  n.op = op;
  n.attrs = std::move(attrs);
  for (const ValueInfo& v : inputs) {
    n.inputs.push_back(v.name);
    if (!v.name.empty()) g.inputs.push_back(v);
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    n.outputs.push_back("y" + std::to_string(i));
    g.outputs.push_back(ValueInfo{n.outputs.back(), DType::kF32, {}, false});
  }
  g.nodes.push_back(std::move(n));
  return g;
}

// Runs `op` on the reference executor computing in `float_type` (kF32 or kF64). Empty tensors
// (Tensor()) become omitted inputs. Returns the outputs keyed "y0", "y1", ...
inline TensorMap run_single_op(const std::string& op, std::vector<Tensor> inputs, AttributeMap attrs,
                               DType float_type, size_t num_outputs = 1) {
  std::vector<ValueInfo> infos;
  TensorMap feeds;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].empty()) {
      infos.push_back(ValueInfo{"", DType::kF32, {}, true});
      continue;
    }
    const std::string name = "x" + std::to_string(i);
    infos.push_back(ValueInfo{name, inputs[i].dtype(), shape_from_dims(inputs[i].dims()), true});
    feeds[name] = inputs[i];
  }
  Graph g = single_op_graph(op, infos, std::move(attrs), num_outputs);
  verify_graph(g);
  ReferenceExecutor exec(g, float_type);
  return exec.run(feeds);
}

// Runs `op` and returns output 0.
inline Tensor run_op(const std::string& op, std::vector<Tensor> inputs, AttributeMap attrs,
                     DType float_type) {
  return run_single_op(op, std::move(inputs), std::move(attrs), float_type).at("y0");
}

// Inference of one node on the given input states (nullptr marks an omitted input).
inline std::vector<ValueState> infer_single_op(const std::string& op,
                                               const std::vector<const ValueState*>& inputs,
                                               AttributeMap attrs, size_t num_outputs = 1) {
  Node n;
  n.name = "node";
  n.op = op;
  n.attrs = std::move(attrs);
  for (size_t i = 0; i < inputs.size(); ++i) n.inputs.push_back(inputs[i] ? "x" + std::to_string(i) : "");
  for (size_t i = 0; i < num_outputs; ++i) n.outputs.push_back("y" + std::to_string(i));
  return infer_node(n, inputs);
}

// A value state with a symbolic or concrete shape and no known value.
inline ValueState state(DType dtype, Shape shape) {
  return ValueState{dtype, std::move(shape), true, nullptr, {}};
}

// A 1-D value state of `dtype` whose elements `value` (possibly symbolic) are known.
inline ValueState shape_value_state(Shape value, DType dtype = DType::kI64) {
  ValueState s = state(dtype, {Dim(int64_t(value.size()))});
  s.shape_value = std::move(value);
  return s;
}

// Uniform random values in [lo, hi) converted to `dtype` (integers are rounded down).
inline Tensor random_tensor(DType dtype, std::vector<int64_t> dims, double lo = -2.0, double hi = 2.0,
                            uint32_t seed = 1234) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  Tensor t(DType::kF64, std::move(dims));
  for (double& v : t.span<double>())
    v = dtype == DType::kF64 || is_float(dtype) ? dist(rng) : std::floor(dist(rng));
  return t.to(dtype);
}

// All elements of a tensor as doubles.
inline std::vector<double> to_doubles(const Tensor& t) {
  std::vector<double> v(size_t(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[size_t(i)] = t.as_double(i);
  return v;
}

// Checks dims and every element against `expected` within abs + rel * |expected|.
inline void expect_tensor_near(const Tensor& actual, const std::vector<int64_t>& dims,
                               const std::vector<double>& expected, double abs_tol, double rel_tol = 0.0) {
  ASSERT_EQ(actual.dims(), dims);
  ASSERT_EQ(size_t(actual.numel()), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const double a = actual.as_double(int64_t(i)), e = expected[i];
    if (std::isnan(e)) {
      EXPECT_TRUE(std::isnan(a)) << "element " << i;
      continue;
    }
    EXPECT_NEAR(a, e, abs_tol + rel_tol * std::fabs(e)) << "element " << i;
  }
}

// Independent broadcasting reference: the flat index into `in_dims` of output element `o` of
// `out_dims` (right-aligned NumPy rules).
inline int64_t broadcast_source_index(const std::vector<int64_t>& in_dims,
                                      const std::vector<int64_t>& out_dims, int64_t o) {
  int64_t index = 0, in_stride = 1;
  for (size_t k = 0; k < out_dims.size(); ++k) {
    const size_t d = out_dims.size() - 1 - k;
    const int64_t coord = o % out_dims[d];
    o /= out_dims[d];
    if (k < in_dims.size()) {
      const int64_t size = in_dims[in_dims.size() - 1 - k];
      index += (size == 1 ? 0 : coord) * in_stride;
      in_stride *= size;
    }
  }
  return index;
}

// Expected values of f(a, b) over the broadcast of a and b, in double precision.
template <typename F>
std::vector<double> broadcast_reference(const Tensor& a, const Tensor& b,
                                        const std::vector<int64_t>& out_dims, F f) {
  std::vector<double> out(size_t(num_elements(out_dims)));
  for (size_t o = 0; o < out.size(); ++o)
    out[o] = f(a.as_double(broadcast_source_index(a.dims(), out_dims, int64_t(o))),
               b.as_double(broadcast_source_index(b.dims(), out_dims, int64_t(o))));
  return out;
}

// Tolerance suited to a float type: loose for float32, tight for float64.
inline double tol_for(DType float_type) { return float_type == DType::kF64 ? 1e-12 : 1e-5; }

// A value state whose value is known.
inline ValueState constant_state(const Tensor& t) {
  return ValueState{t.dtype(), shape_from_dims(t.dims()), true, &t, {}};
}

// A 1-D int64 tensor.
inline Tensor ints(std::vector<int64_t> v) { return Tensor::from_vector<int64_t>({int64_t(v.size())}, v); }

// The code of the rankrt::Error that f throws (a test failure when it throws none).
inline ErrorCode error_code(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no error thrown";
  return ErrorCode::kRuntime;
}

}  // namespace rankrt::test
