// import_tf: reads a frozen GraphDef (.pb binary or .pbtxt text), orders its nodes, maps
// placeholders to graph inputs, constants to initializers and other ops to IR nodes.
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "import/model_loader.h"
#include "import/tf/tf_op_conversion.h"
#include "import/tf/tf_tensor.h"
#include "ops/shape_inference.h"

namespace rankrt {

namespace {

// Keeps the first text-format parse error for the error message.
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (first.empty()) first = fmt::format("line {}, column {}: {}", line + 1, column + 1, message);
  }
  std::string first;
};

tf::GraphDef read_graph_def(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorCode::kIo, "{}: cannot open file", path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) fail(ErrorCode::kIo, "{}: read error", path);
  const std::string bytes = buffer.str();
  tf::GraphDef graph_def;
  if (std::filesystem::path(path).extension() == ".pbtxt") {
    google::protobuf::TextFormat::Parser parser;
    FirstErrorCollector errors;
    parser.RecordErrorsTo(&errors);
    if (!parser.ParseFromString(bytes, &graph_def))
      fail(ErrorCode::kParse, "{}: not a valid text GraphDef ({})", path, errors.first);
  } else if (!graph_def.ParseFromString(bytes)) {
    fail(ErrorCode::kParse, "{}: not a valid binary GraphDef (corrupt or truncated file)", path);
  }
  if (graph_def.node_size() == 0) fail(ErrorCode::kParse, "{}: the GraphDef has no nodes", path);
  return graph_def;
}

struct TfInput {
  std::string node;   // producing node
  int64_t index = 0;  // its output index
};

// "x" / "x:k" -> {x, k}; control inputs ("^x") -> nullopt. A suffix that is not an output index
// stays part of the node name (which then fails to resolve).
std::optional<TfInput> parse_input(const std::string& input) {
  if (input.empty() || input[0] == '^') return std::nullopt;
  const size_t colon = input.rfind(':');
  if (colon == std::string::npos) return TfInput{input, 0};
  int64_t index = 0;
  const char* first = input.data() + colon + 1;
  const char* last = input.data() + input.size();
  auto [end, ec] = std::from_chars(first, last, index);
  if (first == last || ec != std::errc() || end != last || index < 0) return TfInput{input, 0};
  return TfInput{input.substr(0, colon), index};
}

std::string value_name(const TfInput& in) {
  return in.index == 0 ? in.node : fmt::format("{}:{}", in.node, in.index);
}

// Data inputs of every node, checked against the node names.
std::vector<std::vector<TfInput>> resolve_inputs(const tf::GraphDef& gd,
                                                 const std::map<std::string, int>& index,
                                                 const std::string& path) {
  std::vector<std::vector<TfInput>> inputs(size_t(gd.node_size()));
  for (int i = 0; i < gd.node_size(); ++i) {
    for (const std::string& raw : gd.node(i).input()) {
      std::optional<TfInput> in = parse_input(raw);
      if (!in) continue;
      if (!index.count(in->node))
        fail(ErrorCode::kInvalidGraph, "{}: node '{}' reads '{}', which no node produces", path,
             gd.node(i).name(), raw);
      inputs[size_t(i)].push_back(*in);
    }
  }
  return inputs;
}

// Node indices in a topological order that keeps the file order where it can; fails on a cycle.
std::vector<int> topological_order(const tf::GraphDef& gd, const std::map<std::string, int>& index,
                                   const std::vector<std::vector<TfInput>>& inputs, const std::string& path) {
  enum class Mark { kNone, kActive, kDone };
  std::vector<Mark> mark(size_t(gd.node_size()), Mark::kNone);
  std::vector<int> order;
  for (int root = 0; root < gd.node_size(); ++root) {
    // Iterative DFS: (node, next input to visit).
    std::vector<std::pair<int, size_t>> stack;
    if (mark[size_t(root)] == Mark::kNone) stack.push_back({root, 0});
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      mark[size_t(node)] = Mark::kActive;
      if (next < inputs[size_t(node)].size()) {
        const int producer = index.at(inputs[size_t(node)][next++].node);
        if (mark[size_t(producer)] == Mark::kActive)
          fail(ErrorCode::kInvalidGraph, "{}: node '{}' is on a cycle", path, gd.node(producer).name());
        if (mark[size_t(producer)] == Mark::kNone) stack.push_back({producer, 0});
        continue;
      }
      mark[size_t(node)] = Mark::kDone;
      order.push_back(node);
      stack.pop_back();
    }
  }
  return order;
}

ValueInfo placeholder_input(const TfNode& n, const tf::NodeDef& def) {
  ValueInfo info{n.name(), n.attr_type("dtype"), {}, true};
  auto it = def.attr().find("shape");
  if (it == def.attr().end() || it->second.shape().unknown_rank()) {
    info.rank_known = false;
    return info;
  }
  bool first_unknown = true;
  for (int axis = 0; axis < it->second.shape().dim_size(); ++axis) {
    const int64_t size = it->second.shape().dim(axis).size();
    if (size >= 0) {
      info.shape.push_back(Dim(size));
    } else {
      info.shape.push_back(Dim::sym(first_unknown ? "N" : fmt::format("{}_d{}", n.name(), axis)));
      first_unknown = false;
    }
  }
  return info;
}

}  // namespace

Graph import_tf(const std::string& path) {
  const tf::GraphDef gd = read_graph_def(path);
  std::map<std::string, int> index;
  std::set<std::string> names;
  for (int i = 0; i < gd.node_size(); ++i) {
    if (!index.emplace(gd.node(i).name(), i).second)
      fail(ErrorCode::kInvalidGraph, "{}: node name '{}' is used twice", path, gd.node(i).name());
    names.insert(gd.node(i).name());
  }
  const std::vector<std::vector<TfInput>> inputs = resolve_inputs(gd, index, path);

  Graph g;
  g.source = path;
  TfConversion conversion(g, names);
  std::set<std::string> consumed;
  for (int i : topological_order(gd, index, inputs, path)) {
    const tf::NodeDef& def = gd.node(i);
    std::vector<std::string> values;
    for (const TfInput& in : inputs[size_t(i)]) {
      values.push_back(value_name(in));
      consumed.insert(in.node);
    }
    TfNode node(def, values, conversion);
    if (def.op() == "Const") {
      auto it = def.attr().find("value");
      if (it == def.attr().end() || it->second.value_case() != tf::AttrValue::kTensor)
        node.fail(ErrorCode::kParse, "missing tensor attribute 'value'");
      g.initializers[def.name()] =
          tensor_from_tf(it->second.tensor(), fmt::format("{}: node '{}'", path, def.name()));
    } else if (def.op() == "Placeholder") {
      g.inputs.push_back(placeholder_input(node, def));
    } else if (def.op() != "NoOp") {
      convert_tf_node(node);
    }
  }
  for (const tf::NodeDef& def : gd.node()) {
    if (consumed.count(def.name()) || def.op() == "Const" || def.op() == "Placeholder" || def.op() == "NoOp")
      continue;
    g.outputs.push_back(ValueInfo{def.name(), DType::kF32, {}, false});
  }
  if (g.outputs.empty()) fail(ErrorCode::kInvalidGraph, "{}: the graph has no outputs", path);
  topological_sort(g);
  verify_graph(g);
  infer_shapes(g);
  return g;
}

}  // namespace rankrt
