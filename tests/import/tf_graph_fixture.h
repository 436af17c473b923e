// Test helpers for the TensorFlow importer: build GraphDefs node by node, write them to temporary
// files, import them and run them in float64 with the reference executor.
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "backends/reference/reference_executor.h"
#include "import/model_loader.h"
#include "import/tf/tf_tensor.h"
#include "proto/tf_graph.pb.h"

namespace rankrt::testing {

struct TfGraphDef {
  tf::GraphDef def;

  tf::NodeDef& node(const std::string& name, const std::string& op,
                    const std::vector<std::string>& inputs = {}) {
    tf::NodeDef* n = def.add_node();
    n->set_name(name);
    n->set_op(op);
    for (const std::string& in : inputs) n->add_input(in);
    return *n;
  }
  void placeholder(const std::string& name, DType dtype, const std::vector<int64_t>& dims) {
    tf::NodeDef& n = node(name, "Placeholder");
    type(n, "dtype", dtype);
    for (int64_t d : dims) (*n.mutable_attr())["shape"].mutable_shape()->add_dim()->set_size(d);
    if (dims.empty()) (*n.mutable_attr())["shape"].mutable_shape();
  }
  void constant(const std::string& name, const Tensor& value) {
    tensor_to_tf(value, (*node(name, "Const").mutable_attr())["value"].mutable_tensor());
  }
  static void type(tf::NodeDef& n, const std::string& key, DType t) {
    (*n.mutable_attr())[key].set_type(dtype_to_tf(t));
  }
  static void integer(tf::NodeDef& n, const std::string& key, int64_t v) {
    (*n.mutable_attr())[key].set_i(v);
  }
  static void boolean(tf::NodeDef& n, const std::string& key, bool v) { (*n.mutable_attr())[key].set_b(v); }
  static void ints(tf::NodeDef& n, const std::string& key, const std::vector<int64_t>& v) {
    for (int64_t x : v) (*n.mutable_attr())[key].mutable_list()->add_i(x);
  }
};

// A fresh path under the test temp directory.
inline std::string temp_path(const std::string& file) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "rankrt_tf_test" / info->name();
  std::filesystem::create_directories(dir);
  return (dir / file).string();
}

inline std::string write_graph(const tf::GraphDef& def, const std::string& file = "model.pb") {
  const std::string path = temp_path(file);
  std::ofstream(path, std::ios::binary) << def.SerializeAsString();
  return path;
}

inline Graph import_def(const tf::GraphDef& def) { return import_tf(write_graph(def)); }

// Uniform random float32 values in [lo, hi), never all zeros.
inline Tensor random_f32(const std::vector<int64_t>& dims, double lo = -2.0, double hi = 2.0) {
  static std::mt19937 rng(1234);
  std::uniform_real_distribution<double> dist(lo, hi);
  Tensor t(DType::kF32, dims);
  for (float& v : t.span<float>()) v = float(dist(rng));
  return t;
}

// Every value of the graph, not only its outputs.
inline TensorMap run_f64(const Graph& g, const TensorMap& inputs) {
  return ReferenceExecutor(g, DType::kF64).run(inputs, true);
}

// Compares a tensor elementwise (as double) with expected values and dims.
inline void expect_values(const Tensor& got, const std::vector<int64_t>& dims,
                          const std::vector<double>& expected, double tolerance = 1e-12) {
  ASSERT_EQ(got.dims(), dims);
  ASSERT_EQ(size_t(got.numel()), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(got.as_double(int64_t(i)), expected[i], tolerance * std::max(1.0, std::abs(expected[i])))
        << "element " << i;
  }
}

// The node of an imported graph with this name.
inline const Node& find_node(const Graph& g, const std::string& name) {
  for (const Node& n : g.nodes) {
    if (n.name == name) return n;
  }
  throw std::runtime_error("no node " + name);
}

}  // namespace rankrt::testing
