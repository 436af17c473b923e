// ONNX importer: opset normalisation into the IR, tensor/value conversion, and bad-input errors.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "backends/reference/reference_executor.h"
#include "import/model_loader.h"
#include "import/onnx/onnx_convert.h"
#include "import/onnx/onnx_tensor_file.h"
#include "import/onnx_model_builder.h"

namespace rankrt {
namespace {

using testing::OnnxModelBuilder;
constexpr int32_t kFloat = onnx::TensorProto::FLOAT;
constexpr int32_t kInt64 = onnx::TensorProto::INT64;

const Node& only_node(const Graph& g, const std::string& op) {
  for (const Node& n : g.nodes)
    if (n.op == op) return n;
  throw std::runtime_error("no node " + op);
}

std::vector<int64_t> constant_input(const Graph& g, const Node& n, size_t i) {
  const Tensor* t = g.find_initializer(n.inputs.at(i));
  if (!t) throw std::runtime_error("input " + std::to_string(i) + " of " + n.name + " is not a constant");
  return t->to_int64_vector();
}

// Expects `f` to throw a rankrt::Error with `code` whose message contains every fragment.
template <typename F>
void expect_error(F&& f, ErrorCode code, const std::vector<std::string>& fragments) {
  try {
    f();
    ADD_FAILURE() << "no error thrown";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    for (const std::string& s : fragments)
      EXPECT_NE(std::string(e.what()).find(s), std::string::npos) << e.what();
  }
}

TEST(OnnxImporter, AxesAttributesBecomeInputsBeforeTheirOpset) {
  OnnxModelBuilder b(11);
  b.input("x", kFloat, {2, 3});
  OnnxModelBuilder::attr_ints(b.node("Unsqueeze", {"x"}, {"u"}, "unsq"), "axes", {0, 3});
  OnnxModelBuilder::attr_ints(b.node("ReduceSum", {"u"}, {"s"}, "rsum"), "axes", {2});
  OnnxModelBuilder::attr_ints(b.node("ReduceMean", {"s"}, {"m"}, "rmean"), "axes", {1});
  OnnxModelBuilder::attr_ints(b.node("Squeeze", {"m"}, {"y"}, "sq"), "axes", {0});
  b.output("y", kFloat);
  Graph g = onnx_import::graph_from_onnx(b.model());
  for (const char* op : {"Unsqueeze", "ReduceSum", "ReduceMean", "Squeeze"}) {
    const Node& n = only_node(g, op);
    EXPECT_FALSE(n.has_attr("axes")) << op;
    ASSERT_EQ(n.inputs.size(), 2u) << op;
  }
  EXPECT_EQ(constant_input(g, only_node(g, "Unsqueeze"), 1), (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(constant_input(g, only_node(g, "ReduceSum"), 1), (std::vector<int64_t>{2}));
  EXPECT_EQ(g.find_initializer(only_node(g, "ReduceMean").inputs[1])->dtype(), DType::kI64);
}

TEST(OnnxImporter, ReduceMeanKeepsAttributeFormOnlyBefore18) {
  OnnxModelBuilder b(17);
  b.input("x", kFloat, {2, 3});
  OnnxModelBuilder::attr_ints(b.node("ReduceMean", {"x"}, {"m"}), "axes", {1});
  b.node("Unsqueeze", {"m", "ax"}, {"y"});
  b.initializer("ax", kInt64, {1})->add_int64_data(0);
  b.output("y", kFloat);
  Graph g = onnx_import::graph_from_onnx(b.model());
  EXPECT_EQ(constant_input(g, only_node(g, "ReduceMean"), 1), (std::vector<int64_t>{1}));
  EXPECT_EQ(only_node(g, "Unsqueeze").inputs, (std::vector<std::string>{"m", "ax"}));
}

TEST(OnnxImporter, SplitSliceTopKAttributesBecomeInputs) {
  OnnxModelBuilder b(9);
  b.input("x", kFloat, {4, 6});
  onnx::NodeProto* slice = b.node("Slice", {"x"}, {"s"}, "slice");
  OnnxModelBuilder::attr_ints(slice, "starts", {1});
  OnnxModelBuilder::attr_ints(slice, "ends", {3});
  OnnxModelBuilder::attr_ints(slice, "axes", {1});
  OnnxModelBuilder::attr_int(b.node("TopK", {"x"}, {"v", "i"}, "topk"), "k", 2);
  onnx::NodeProto* split = b.node("Split", {"x"}, {"a", "c"}, "split");
  OnnxModelBuilder::attr_ints(split, "split", {1, 3});
  OnnxModelBuilder::attr_int(split, "axis", 0);
  b.output("s", kFloat);
  Graph g = onnx_import::graph_from_onnx(b.model());
  const Node& s = only_node(g, "Slice");
  ASSERT_EQ(s.inputs.size(), 4u);
  EXPECT_EQ(constant_input(g, s, 1), (std::vector<int64_t>{1}));
  EXPECT_EQ(constant_input(g, s, 2), (std::vector<int64_t>{3}));
  EXPECT_EQ(constant_input(g, s, 3), (std::vector<int64_t>{1}));
  EXPECT_EQ(constant_input(g, only_node(g, "TopK"), 1), (std::vector<int64_t>{2}));
  const Node& sp = only_node(g, "Split");
  EXPECT_EQ(constant_input(g, sp, 1), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(sp.attr_int("axis"), 0);
}

TEST(OnnxImporter, ClipAttributesBecomeInputsOfTheInputDtype) {
  OnnxModelBuilder b(10);
  b.input("x", onnx::TensorProto::DOUBLE, {3});
  OnnxModelBuilder::attr_float(b.node("Clip", {"x"}, {"y"}, "clip"), "max", 2.5f);
  b.output("y", onnx::TensorProto::DOUBLE);
  Graph g = onnx_import::graph_from_onnx(b.model());
  const Node& c = only_node(g, "Clip");
  ASSERT_EQ(c.inputs.size(), 3u);
  EXPECT_EQ(c.inputs[1], "");  // no min
  const Tensor* max = g.find_initializer(c.inputs[2]);
  ASSERT_NE(max, nullptr);
  EXPECT_EQ(max->dtype(), DType::kF64);
  EXPECT_EQ(max->rank(), 0);
  EXPECT_DOUBLE_EQ(max->as_double(0), 2.5);
}

TEST(OnnxImporter, CastTargetBecomesRankrtDType) {
  OnnxModelBuilder b(13);
  b.input("x", kFloat, {2});
  OnnxModelBuilder::attr_int(b.node("Cast", {"x"}, {"h"}), "to", onnx::TensorProto::FLOAT16);
  OnnxModelBuilder::attr_int(b.node("Cast", {"h"}, {"y"}), "to", onnx::TensorProto::INT64);
  b.output("y", kInt64);
  Graph g = onnx_import::graph_from_onnx(b.model());
  EXPECT_EQ(g.nodes[0].attr_int("to"), int64_t(DType::kF16));
  EXPECT_EQ(g.nodes[1].attr_int("to"), int64_t(DType::kI64));
  EXPECT_EQ(g.nodes[0].name, "Cast_0");  // generated names: <op>_<index>
  EXPECT_EQ(g.nodes[1].name, "Cast_1");

  OnnxModelBuilder bad(13);
  bad.input("x", kFloat, {2});
  OnnxModelBuilder::attr_int(bad.node("Cast", {"x"}, {"y"}, "to_string"), "to", onnx::TensorProto::STRING);
  expect_error([&] { onnx_import::graph_from_onnx(bad.model()); }, ErrorCode::kUnsupported,
               {"to_string", "STRING"});
}

TEST(OnnxImporter, ConstantScalarAttributesBecomeValueTensors) {
  OnnxModelBuilder b(13);
  OnnxModelBuilder::attr_ints(b.node("Constant", {}, {"ints"}), "value_ints", {4, -1});
  OnnxModelBuilder::attr_float(b.node("Constant", {}, {"f"}), "value_float", 0.5f);
  b.output("ints", kInt64);
  Graph g = onnx_import::graph_from_onnx(b.model());
  const Tensor& ints = g.nodes[0].attr_tensor("value");
  EXPECT_EQ(ints.dtype(), DType::kI64);
  EXPECT_EQ(ints.to_int64_vector(), (std::vector<int64_t>{4, -1}));
  const Tensor& f = g.nodes[1].attr_tensor("value");
  EXPECT_EQ(f.dtype(), DType::kF32);
  EXPECT_EQ(f.rank(), 0);
  EXPECT_FLOAT_EQ(f.data<float>()[0], 0.5f);
  EXPECT_FALSE(g.nodes[1].has_attr("value_float"));
}

TEST(OnnxImporter, OldSoftmaxIsCoercedTo2D) {
  OnnxModelBuilder b(11);
  b.input("x", kFloat, {2, 3, 4});
  b.input("z", kFloat, {2, 5});
  b.node("Softmax", {"x"}, {"y"}, "sm");      // axis 1 of a 3-D input: flatten, softmax, reshape
  b.node("LogSoftmax", {"z"}, {"w"}, "lsm");  // axis 1 of a 2-D input: already the last axis
  b.output("y", kFloat).output("w", kFloat);
  Graph g = onnx_import::graph_from_onnx(b.model());
  std::vector<std::string> ops;
  for (const Node& n : g.nodes) ops.push_back(n.op);
  EXPECT_EQ(ops, (std::vector<std::string>{"Flatten", "Shape", "Reshape", "Softmax", "LogSoftmax"}));
  EXPECT_EQ(only_node(g, "Flatten").attr_int("axis"), 1);
  EXPECT_EQ(only_node(g, "Reshape").outputs[0], "y");
  EXPECT_EQ(only_node(g, "LogSoftmax").attr_int("axis"), -1);
}

TEST(OnnxImporter, InputsKeepSymbolicAndUnknownDimsAndSkipInitializers) {
  OnnxModelBuilder b(17);
  b.input("x", kFloat, {std::string("N"), int64_t(-1), 8});
  b.input("w", kFloat, {8});
  onnx::TensorProto* w = b.initializer("w", kFloat, {8});
  for (int i = 0; i < 8; ++i) w->add_float_data(float(i));
  b.node("Mul", {"x", "w"}, {"y"});
  b.output("y", kFloat);
  Graph g = onnx_import::graph_from_onnx(b.model());
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.inputs[0].shape[0], Dim::sym("N"));
  EXPECT_FALSE(g.inputs[0].shape[1].is_known());
  EXPECT_FALSE(g.inputs[0].shape[1].is_symbolic());
  EXPECT_EQ(g.inputs[0].shape[2], Dim(8));
  EXPECT_FLOAT_EQ(g.find_initializer("w")->data<float>()[7], 7.0f);
}

TEST(OnnxImporter, TensorsFromRawAndTypedFields) {
  onnx::TensorProto raw;
  raw.set_name("raw");
  raw.set_data_type(kFloat);
  raw.add_dims(2);
  const float values[2] = {1.5f, -2.25f};
  raw.set_raw_data(std::string(reinterpret_cast<const char*>(values), sizeof values));
  Tensor t = onnx_import::tensor_from_onnx(raw);
  EXPECT_EQ(t.dims(), (std::vector<int64_t>{2}));
  EXPECT_FLOAT_EQ(t.data<float>()[1], -2.25f);

  onnx::TensorProto half;
  half.set_data_type(onnx::TensorProto::FLOAT16);
  half.add_int32_data(0x3C00);  // 1.0
  half.add_dims(1);
  EXPECT_DOUBLE_EQ(onnx_import::tensor_from_onnx(half).as_double(0), 1.0);

  onnx::TensorProto flags;
  flags.set_data_type(onnx::TensorProto::BOOL);
  flags.add_dims(3);
  flags.set_raw_data(std::string("\x01\x00\x01", 3));
  EXPECT_EQ(onnx_import::tensor_from_onnx(flags).to_int64_vector(), (std::vector<int64_t>{1, 0, 1}));

  onnx::TensorProto short_data;
  short_data.set_name("short");
  short_data.set_data_type(kInt64);
  short_data.add_dims(3);
  short_data.add_int64_data(1);
  expect_error([&] { onnx_import::tensor_from_onnx(short_data); }, ErrorCode::kParse, {"short", "3"});
}

// Old-opset forms imported end to end and run, against a double-precision reference:
// y = Softmax_opset11(Unsqueeze(x, axes=[1]) * 2) summed over axis 2 (ReduceSum axes attr).
TEST(OnnxImporter, OldOpsetModelRunsLikeItsReference) {
  OnnxModelBuilder b(11);
  b.input("x", kFloat, {std::string("N"), 3, 4});
  onnx::TensorProto* two = b.initializer("two", kFloat, {});
  two->add_float_data(2.0f);
  OnnxModelBuilder::attr_ints(b.node("Unsqueeze", {"x"}, {"u"}), "axes", {1});
  b.node("Mul", {"u", "two"}, {"m"});
  OnnxModelBuilder::attr_int(b.node("Softmax", {"m"}, {"s"}), "axis", 2);
  onnx::NodeProto* sum = b.node("ReduceSum", {"s"}, {"y"});
  OnnxModelBuilder::attr_ints(sum, "axes", {3});
  OnnxModelBuilder::attr_int(sum, "keepdims", 0);
  b.output("y", kFloat);
  Graph g = import_onnx(b.save("rankrt_old_opset.onnx"));
  EXPECT_EQ(g.value_info.at("y").shape, (Shape{Dim::sym("N"), 1, 3}));

  const int64_t n = 2;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-3.0f, 3.0f);
  Tensor x(DType::kF32, {n, 3, 4});
  for (float& v : x.span<float>()) v = dist(rng);
  TensorMap out = ReferenceExecutor(g, DType::kF32).run({{"x", x}});
  const Tensor& y = out.at("y");
  ASSERT_EQ(y.dims(), (std::vector<int64_t>{n, 1, 3}));
  // Softmax over the flattened (3*4) block of each batch row, then sums over the last axis.
  for (int64_t b0 = 0; b0 < n; ++b0) {
    double total = 0;
    for (int64_t i = 0; i < 12; ++i) total += std::exp(2.0 * x.data<float>()[b0 * 12 + i]);
    for (int64_t r = 0; r < 3; ++r) {
      double expected = 0;
      for (int64_t c = 0; c < 4; ++c)
        expected += std::exp(2.0 * x.data<float>()[b0 * 12 + r * 4 + c]) / total;
      EXPECT_NEAR(y.as_double(b0 * 3 + r), expected, 1e-5);
    }
  }
}

TEST(OnnxImporterErrors, MissingFile) {
  expect_error([] { import_onnx("/nonexistent/model.onnx"); }, ErrorCode::kIo,
               {"/nonexistent/model.onnx", "no such file"});
}

std::string valid_model_path(const std::string& name) {
  OnnxModelBuilder b(17);
  b.input("x", kFloat, {4});
  onnx::TensorProto* w = b.initializer("w", kFloat, {64});
  for (int i = 0; i < 64; ++i) w->add_float_data(float(i) * 0.5f);
  b.node("Add", {"x", "x"}, {"y"}, "add");
  b.output("y", kFloat);
  return b.save(name);
}

TEST(OnnxImporterErrors, TruncatedFile) {
  std::string path = valid_model_path("rankrt_truncated.onnx");
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 40);
  expect_error([&] { import_onnx(path); }, ErrorCode::kParse, {path, "not a valid ONNX model"});
}

TEST(OnnxImporterErrors, CorruptBytes) {
  std::string path = (std::filesystem::temp_directory_path() / "rankrt_corrupt.onnx").string();
  std::ofstream(path, std::ios::binary) << std::string("\xff\xfe garbage \x07\x01\x02", 14);
  expect_error([&] { import_onnx(path); }, ErrorCode::kParse, {path, "not a valid ONNX model"});
}

TEST(OnnxImporterErrors, UnsupportedOpNamesNodeOpAndFile) {
  OnnxModelBuilder b(17);
  b.input("x", kFloat, {4});
  b.node("FancyOp", {"x"}, {"y"}, "fancy_node");
  b.output("y", kFloat);
  std::string path = b.save("rankrt_unsupported_op.onnx");
  expect_error([&] { import_onnx(path); }, ErrorCode::kUnsupported, {path, "fancy_node", "FancyOp"});
}

TEST(OnnxImporterErrors, UnsupportedDtypeNamesTensorAndFile) {
  OnnxModelBuilder b(17);
  b.input("words", onnx::TensorProto::STRING, {4});
  b.node("Identity", {"words"}, {"y"});
  b.output("y", onnx::TensorProto::STRING);
  std::string path = b.save("rankrt_unsupported_dtype.onnx");
  expect_error([&] { import_onnx(path); }, ErrorCode::kUnsupported, {path, "words", "STRING"});
}

TEST(OnnxImporterErrors, ForeignDomainOldOpsetAndExternalData) {
  OnnxModelBuilder foreign(17);
  foreign.input("x", kFloat, {4});
  foreign.node("Gelu", {"x"}, {"y"}, "ms_gelu")->set_domain("com.microsoft");
  foreign.output("y", kFloat);
  std::string path = foreign.save("rankrt_foreign_domain.onnx");
  expect_error([&] { import_onnx(path); }, ErrorCode::kUnsupported, {path, "ms_gelu", "com.microsoft"});

  OnnxModelBuilder old(5);
  old.input("x", kFloat, {4});
  old.node("Relu", {"x"}, {"y"});
  old.output("y", kFloat);
  path = old.save("rankrt_opset5.onnx");
  expect_error([&] { import_onnx(path); }, ErrorCode::kUnsupported, {path, "opset 5"});

  OnnxModelBuilder external(17);
  external.input("x", kFloat, {4});
  onnx::TensorProto* w = external.initializer("big_weight", kFloat, {4});
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  onnx::StringStringEntryProto* location = w->add_external_data();
  location->set_key("location");
  location->set_value("weights.bin");
  external.node("Add", {"x", "big_weight"}, {"y"});
  external.output("y", kFloat);
  path = external.save("rankrt_external.onnx");
  expect_error([&] { import_onnx(path); }, ErrorCode::kUnsupported, {path, "big_weight", "external data"});
}

TEST(OnnxTensorFile, ReadsNamedTensorAndRejectsCorruptFiles) {
  onnx::TensorProto proto;
  proto.set_name("scores");
  proto.set_data_type(onnx::TensorProto::DOUBLE);
  proto.add_dims(2);
  proto.add_double_data(0.25);
  proto.add_double_data(-4.5);
  std::string path = (std::filesystem::temp_directory_path() / "rankrt_tensor.pb").string();
  {
    std::ofstream out(path, std::ios::binary);
    proto.SerializeToOstream(&out);
  }
  NamedTensor t = read_onnx_tensor_file(path);
  EXPECT_EQ(t.name, "scores");
  EXPECT_EQ(t.tensor.dtype(), DType::kF64);
  EXPECT_DOUBLE_EQ(t.tensor.as_double(1), -4.5);

  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 3);
  expect_error([&] { read_onnx_tensor_file(path); }, ErrorCode::kParse,
               {path, "not a valid ONNX TensorProto"});
  expect_error([] { read_onnx_tensor_file("/nonexistent/input_0.pb"); }, ErrorCode::kIo,
               {"/nonexistent/input_0.pb"});
}

}  // namespace
}  // namespace rankrt
