// TensorFlow importer: TensorProto decoding, placeholders, outputs, naming, text format and
// error handling (missing, truncated, corrupt files, unsupported ops, cycles, dangling inputs).
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "core/half.h"
#include "import/tf_graph_fixture.h"

namespace rankrt::testing {
namespace {

void expect_error_naming(const std::string& path, ErrorCode code, const std::string& fragment) {
  try {
    import_tf(path);
    FAIL() << "no error for " << path;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(TfTensor, HalfValBitPatternsAndSplat) {
  tf::TensorProto p;
  p.set_dtype(tf::DT_HALF);
  p.mutable_tensor_shape()->add_dim()->set_size(3);
  p.add_half_val(float_to_half(1.5f));
  p.add_half_val(float_to_half(-0.25f));
  Tensor t = tensor_from_tf(p, "t");
  ASSERT_EQ(t.dtype(), DType::kF16);
  expect_values(t, {3}, {1.5, -0.25, -0.25});  // the last value repeats (TF splat)
}

TEST(TfTensor, TypedValueFields) {
  tf::TensorProto p;
  p.set_dtype(tf::DT_FLOAT);
  p.mutable_tensor_shape()->add_dim()->set_size(2);
  p.mutable_tensor_shape()->add_dim()->set_size(2);
  p.add_float_val(0.75f);
  expect_values(tensor_from_tf(p, "t"), {2, 2}, {0.75, 0.75, 0.75, 0.75});

  tf::TensorProto i64;
  i64.set_dtype(tf::DT_INT64);
  i64.mutable_tensor_shape()->add_dim()->set_size(2);
  i64.add_int64_val(int64_t(1) << 40);
  i64.add_int64_val(-3);
  Tensor t = tensor_from_tf(i64, "t");
  EXPECT_EQ(t.to_int64_vector(), (std::vector<int64_t>{int64_t(1) << 40, -3}));

  tf::TensorProto b;
  b.set_dtype(tf::DT_BOOL);
  b.add_bool_val(true);
  EXPECT_TRUE(tensor_from_tf(b, "t").data<bool>()[0]);

  tf::TensorProto i8;
  i8.set_dtype(tf::DT_INT8);
  i8.mutable_tensor_shape()->add_dim()->set_size(2);
  i8.add_int_val(-7);
  i8.add_int_val(5);
  EXPECT_EQ(tensor_from_tf(i8, "t").to_int64_vector(), (std::vector<int64_t>{-7, 5}));

  tf::TensorProto bf;
  bf.set_dtype(tf::DT_BFLOAT16);
  bf.add_half_val(float_to_bf16(3.0f));
  expect_values(tensor_from_tf(bf, "t"), {}, {3.0});
}

TEST(TfTensor, ContentRoundTripForEveryDtype) {
  for (DType d : {DType::kF32, DType::kF16, DType::kBF16, DType::kF64, DType::kI8, DType::kU8, DType::kI32,
                  DType::kI64, DType::kBool}) {
    Tensor src = random_f32({2, 3}, 0.5, 3.0).to(d);
    tf::TensorProto p;
    tensor_to_tf(src, &p);
    Tensor back = tensor_from_tf(p, "t");
    ASSERT_EQ(back.dtype(), d);
    ASSERT_EQ(back.dims(), src.dims());
    EXPECT_EQ(std::memcmp(back.raw(), src.raw(), src.nbytes()), 0) << dtype_name(d);
  }
}

TEST(TfTensor, BadContentNamesTheTensor) {
  tf::TensorProto p;
  p.set_dtype(tf::DT_FLOAT);
  p.mutable_tensor_shape()->add_dim()->set_size(4);
  p.set_tensor_content(std::string(12, '\0'));
  EXPECT_THROW(
      {
        try {
          tensor_from_tf(p, "weights");
        } catch (const Error& e) {
          EXPECT_NE(std::string(e.what()).find("weights"), std::string::npos);
          throw;
        }
      },
      Error);
  p.clear_tensor_content();
  for (int i = 0; i < 5; ++i) p.add_float_val(1.0f);
  EXPECT_THROW(tensor_from_tf(p, "weights"), Error);
  p.set_dtype(tf::DT_STRING);
  EXPECT_THROW(tensor_from_tf(p, "weights"), Error);
  p.set_dtype(tf::DT_FLOAT);
  p.mutable_tensor_shape()->add_dim()->set_size(int64_t(1) << 40);
  EXPECT_THROW(tensor_from_tf(p, "weights"), Error);  // corrupt shape, no huge allocation
}

TfGraphDef small_mlp() {
  TfGraphDef g;
  g.placeholder("x", DType::kF32, {-1, 3});
  g.constant("w", random_f32({3, 2}));
  g.node("mm", "MatMul", {"x", "w"});
  g.constant("b", random_f32({2}));
  g.node("out", "AddV2", {"mm:0", "b", "^w"});
  return g;
}

TEST(TfImporter, PlaceholdersConstantsAndOutputs) {
  TfGraphDef g = small_mlp();
  g.placeholder("y", DType::kF16, {-1, 4, -1});
  g.node("y_abs", "Abs", {"y"});
  g.node("nothing", "NoOp", {"^out"});
  Graph ir = import_def(g.def);
  ASSERT_EQ(ir.inputs.size(), 2u);
  EXPECT_EQ(ir.inputs[0].name, "x");
  EXPECT_EQ(shape_to_string(ir.inputs[0].shape), shape_to_string({Dim::sym("N"), Dim(3)}));
  EXPECT_EQ(ir.inputs[1].dtype, DType::kF16);
  EXPECT_EQ(shape_to_string(ir.inputs[1].shape), shape_to_string({Dim::sym("N"), Dim(4), Dim::sym("y_d2")}));
  EXPECT_EQ(ir.initializers.count("w"), 1u);
  EXPECT_EQ(ir.initializers.count("b"), 1u);
  ASSERT_EQ(ir.outputs.size(), 2u);
  EXPECT_EQ(ir.outputs[0].name, "out");
  EXPECT_EQ(ir.outputs[1].name, "y_abs");
  EXPECT_EQ(shape_to_string(ir.outputs[0].shape), shape_to_string({Dim::sym("N"), Dim(2)}));
  EXPECT_EQ(find_node(ir, "out").inputs, (std::vector<std::string>{"mm", "b"}));
  EXPECT_EQ(ir.source, write_graph(g.def));
}

TEST(TfImporter, RunsAgainstHandComputedResult) {
  TfGraphDef g = small_mlp();
  Graph ir = import_def(g.def);
  const Tensor& w = ir.initializers.at("w");
  const Tensor& b = ir.initializers.at("b");
  Tensor x = random_f32({4, 3});
  std::vector<double> expected;
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 2; ++c) {
      double acc = b.as_double(c);
      for (int k = 0; k < 3; ++k) acc += x.as_double(r * 3 + k) * w.as_double(k * 2 + c);
      expected.push_back(acc);
    }
  }
  expect_values(run_f64(ir, {{"x", x}}).at("out"), {4, 2}, expected);
}

TEST(TfImporter, TextFormat) {
  TfGraphDef g = small_mlp();
  const std::string path = temp_path("model.pbtxt");
  std::string text;
  ASSERT_TRUE(google::protobuf::TextFormat::PrintToString(g.def, &text));
  std::ofstream(path) << text;
  Graph ir = import_tf(path);
  EXPECT_EQ(ir.nodes.size(), 2u);
  std::ofstream(path) << "node { name: 'x' op: ";
  expect_error_naming(path, ErrorCode::kParse, "text GraphDef");
}

TEST(TfImporter, UnknownRankPlaceholder) {
  TfGraphDef g;
  g.node("x", "Placeholder");
  TfGraphDef::type(*g.def.mutable_node(0), "dtype", DType::kF32);
  g.node("y", "Relu", {"x"});
  Graph ir = import_def(g.def);
  EXPECT_FALSE(ir.inputs[0].rank_known);
  expect_values(run_f64(ir, {{"x", Tensor::from_vector<float>({3}, {-1.f, 2.f, 0.5f})}}).at("y"), {3},
                {0, 2, 0.5});
}

TEST(TfImporter, HelperNamesAvoidTfNames) {
  TfGraphDef g;
  g.placeholder("x", DType::kF32, {2});
  g.node("r", "Rsqrt", {"x"});
  g.node("r/sqrt", "Abs", {"r"});
  Graph ir = import_def(g.def);
  EXPECT_EQ(find_node(ir, "r").op, "Reciprocal");
  EXPECT_EQ(find_node(ir, "r/sqrt").op, "Abs");
  EXPECT_EQ(find_node(ir, "r/sqrt_1").op, "Sqrt");
  EXPECT_EQ(find_node(ir, "r").inputs, (std::vector<std::string>{"r/sqrt_1"}));
}

TEST(TfImporter, NodesOutOfOrderAreSorted) {
  TfGraphDef g;
  g.node("y", "Neg", {"x"});
  g.placeholder("x", DType::kF32, {2});
  Graph ir = import_def(g.def);
  expect_values(run_f64(ir, {{"x", Tensor::from_vector<float>({2}, {1.5f, -2.f})}}).at("y"), {2}, {-1.5, 2});
}

TEST(TfImporterErrors, MissingFile) {
  expect_error_naming(temp_path("absent.pb"), ErrorCode::kIo, "cannot open");
}

TEST(TfImporterErrors, TruncatedFile) {
  TfGraphDef g = small_mlp();
  g.constant("big", random_f32({64, 64}));
  const std::string bytes = g.def.SerializeAsString();
  const std::string path = temp_path("truncated.pb");
  std::ofstream(path, std::ios::binary) << bytes.substr(0, bytes.size() - 100);
  expect_error_naming(path, ErrorCode::kParse, "corrupt or truncated");
}

TEST(TfImporterErrors, CorruptFile) {
  const std::string path = temp_path("corrupt.pb");
  std::ofstream(path, std::ios::binary)
      << std::string("\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff garbage", 20);
  expect_error_naming(path, ErrorCode::kParse, "corrupt or truncated");
  std::ofstream(path, std::ios::binary | std::ios::trunc);
  expect_error_naming(path, ErrorCode::kParse, "no nodes");
}

TEST(TfImporterErrors, UnsupportedOp) {
  TfGraphDef g;
  g.placeholder("x", DType::kF32, {2});
  g.node("weird", "FancyOp", {"x"});
  const std::string path = write_graph(g.def);
  expect_error_naming(path, ErrorCode::kUnsupported, "node 'weird': unsupported TensorFlow op 'FancyOp'");
}

TEST(TfImporterErrors, UnsupportedAttribute) {
  TfGraphDef g;
  g.placeholder("x", DType::kF32, {2, 3});
  TfGraphDef::integer(g.node("g", "GatherV2", {"x", "i", "a"}), "batch_dims", 1);
  g.constant("i", Tensor::from_vector<int32_t>({1}, {0}));
  g.constant("a", Tensor::scalar<int32_t>(0));
  expect_error_naming(write_graph(g.def), ErrorCode::kUnsupported, "batch_dims");
}

TEST(TfImporterErrors, Cycle) {
  TfGraphDef g;
  g.placeholder("x", DType::kF32, {2});
  g.node("a", "Add", {"x", "b"});
  g.node("b", "Neg", {"a"});
  expect_error_naming(write_graph(g.def), ErrorCode::kInvalidGraph, "cycle");
}

TEST(TfImporterErrors, DanglingInput) {
  TfGraphDef g;
  g.placeholder("x", DType::kF32, {2});
  g.node("a", "Add", {"x", "ghost"});
  expect_error_naming(write_graph(g.def), ErrorCode::kInvalidGraph, "ghost");
}

TEST(TfImporterErrors, MissingOutputIndex) {
  TfGraphDef g;
  g.placeholder("x", DType::kF32, {2});
  g.node("a", "Neg", {"x:1"});
  expect_error_naming(write_graph(g.def), ErrorCode::kInvalidGraph, "x:1");
}

TEST(TfImporterErrors, UnsupportedStridedSliceMask) {
  TfGraphDef g;
  g.placeholder("x", DType::kF32, {2, 3});
  g.constant("s", Tensor::from_vector<int32_t>({1}, {0}));
  TfGraphDef::integer(g.node("ss", "StridedSlice", {"x", "s", "s", "s"}), "ellipsis_mask", 1);
  expect_error_naming(write_graph(g.def), ErrorCode::kUnsupported, "node 'ss'");
}

}  // namespace
}  // namespace rankrt::testing
