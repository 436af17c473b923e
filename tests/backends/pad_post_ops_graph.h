// Test graphs of Pad and of Dense post-ops, shared by the CPU and GPU backend tests.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"

namespace rankrt::test {

using PostOpList = std::vector<std::pair<std::string, double>>;

// Every post-op, chained so that the values stay O(1) and away from cancellation.
inline const PostOpList kEveryPostOp = {{"abs", 0},    {"add", 0.5}, {"rdiv", 1}, {"mul", -2},
                                        {"sub", 0.25}, {"neg", 0},   {"rsub", 5}, {"div", 1.5}};

inline void set_post_ops(Node& n, const PostOpList& ops) {
  std::vector<std::string> names;
  std::vector<double> values;
  for (const auto& [name, value] : ops) {
    names.push_back(name);
    values.push_back(value);
  }
  n.attrs["post_ops"] = names;
  n.attrs["post_values"] = values;
}

inline Node* find_named(Graph& g, const std::string& name) {
  for (Node& n : g.nodes)
    if (n.name == name) return &n;
  return nullptr;
}

// x [N, 3, 4] of `dtype` -> Pad(x, pads [4] on axes (1, -1), value, mode) -> y.
inline Graph pad_graph(DType dtype, const std::string& mode, const std::vector<int64_t>& pads, double value) {
  Graph g;
  g.source = "pad-test";
  g.inputs.push_back({"x", dtype, {Dim::sym("N"), 3, 4}, true});
  g.initializers["pads"] = Tensor::from_vector<int64_t>({4}, pads);
  g.initializers["value"] = Tensor::scalar<double>(value).to(dtype);
  g.initializers["axes"] = Tensor::from_vector<int64_t>({2}, {1, -1});
  g.nodes.push_back({"pad", "Pad", {"x", "pads", "value", "axes"}, {"y"}, {{"mode", mode}}});
  g.outputs.push_back({"y", dtype, {}, false});
  return g;
}

// Pads of the Pad tests: growing, one-sided, cropping (negative) and large (repeated reflection).
inline const std::vector<std::vector<int64_t>> kPadCases = {
    {0, 1, 0, 0}, {1, 2, 2, 1}, {0, 0, 0, 0}, {-1, 1, 0, -2}, {4, 7, 5, 9}};

}  // namespace rankrt::test
