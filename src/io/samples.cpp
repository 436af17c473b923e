// Reading and writing blaze-benchmark sample files (SamplesProto, binary or text protobuf).
#include "io/samples.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "import/tf/tf_tensor.h"
#include "io/npz.h"
#include "proto/blaze_samples.pb.h"

namespace rankrt {

namespace {

bool is_text_path(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  return ext == ".pbtxt" || ext == ".txt";
}

// Keeps the first text-format parse error instead of logging it.
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    if (first.empty()) first = fmt::format("line {}:{}: {}", line + 1, column + 1, message);
  }
  std::string first;
};

bool parse_text(const std::string& bytes, tf::SamplesProto* proto, std::string* error) {
  google::protobuf::TextFormat::Parser parser;
  FirstErrorCollector collector;
  parser.RecordErrorsTo(&collector);
  const bool ok = parser.ParseFromString(bytes, proto);
  *error = collector.first;
  return ok;
}

tf::SamplesProto parse_samples_proto(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail(ErrorCode::kIo, "{}: no such file", path);
  if (std::filesystem::is_directory(path, ec))
    fail(ErrorCode::kIo, "{}: is a directory, expected a sample file", path);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorCode::kIo, "{}: cannot open sample file", path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = std::move(buffer).str();
  if (bytes.empty()) fail(ErrorCode::kData, "{}: sample file is empty (no samples)", path);

  tf::SamplesProto proto;
  std::string text_error;
  if (is_text_path(path)) {
    if (!parse_text(bytes, &proto, &text_error))
      fail(ErrorCode::kParse, "{}: not a valid text SamplesProto ({})", path, text_error);
    return proto;
  }
  if (proto.ParseFromString(bytes)) return proto;
  proto.Clear();
  if (parse_text(bytes, &proto, &text_error)) return proto;
  fail(ErrorCode::kParse, "{}: not a valid SamplesProto (truncated or corrupt binary protobuf)", path);
}

// Number of values in the typed *_val field that tensor_from_tf would read for this dtype.
int64_t typed_value_count(const tf::TensorProto& t) {
  switch (t.dtype()) {
    case tf::DT_FLOAT:
      return t.float_val_size();
    case tf::DT_DOUBLE:
      return t.double_val_size();
    case tf::DT_HALF:
    case tf::DT_BFLOAT16:
      return t.half_val_size();
    case tf::DT_INT32:
    case tf::DT_INT8:
    case tf::DT_UINT8:
      return t.int_val_size();
    case tf::DT_INT64:
      return t.int64_val_size();
    case tf::DT_BOOL:
      return t.bool_val_size();
    default:
      return 0;
  }
}

Tensor sample_tensor(const tf::NamedTensorProto& named, const std::string& what) {
  if (!named.has_tensor()) fail(ErrorCode::kData, "{}: input has no tensor", what);
  const tf::TensorProto& proto = named.tensor();
  Tensor t = tensor_from_tf(proto, what);
  if (proto.tensor_content().empty() && t.numel() > 0) {
    // A sample must carry its values: one (a splat) or one per element.
    const int64_t have = typed_value_count(proto);
    if (have != 1 && have != t.numel())
      fail(ErrorCode::kData, "{}: tensor has {} values for shape {} ({} elements)", what, have,
           dims_to_string(t.dims()), t.numel());
  }
  return t;
}

}  // namespace

SampleFile read_samples(const std::string& path) {
  const tf::SamplesProto proto = parse_samples_proto(path);
  if (proto.sample_size() == 0) fail(ErrorCode::kData, "{}: sample file has no samples", path);
  SampleFile file;
  file.output_names.assign(proto.output_names().begin(), proto.output_names().end());
  for (int s = 0; s < proto.sample_size(); ++s) {
    const tf::InputsProto& inputs = proto.sample(s);
    if (inputs.input_size() == 0) fail(ErrorCode::kData, "{}: sample {} has no inputs", path, s);
    TensorMap& sample = file.samples.emplace_back();
    for (const tf::NamedTensorProto& named : inputs.input()) {
      const std::string what = fmt::format("{}: sample {} input '{}'", path, s, named.name());
      if (named.name().empty()) fail(ErrorCode::kData, "{}: sample {} has an input without a name", path, s);
      if (sample.count(named.name())) fail(ErrorCode::kData, "{}: input appears twice", what);
      sample.emplace(named.name(), sample_tensor(named, what));
    }
  }
  return file;
}

SampleFile load_samples(const std::string& path) {
  if (std::filesystem::path(path).extension() == ".npz") return read_npz_samples(path);
  return read_samples(path);
}

void write_samples(const std::string& path, const SampleFile& samples) {
  tf::SamplesProto proto;
  for (const std::string& name : samples.output_names) proto.add_output_names(name);
  for (const TensorMap& sample : samples.samples) {
    tf::InputsProto* inputs = proto.add_sample();
    for (const auto& [name, tensor] : sample) {
      tf::NamedTensorProto* named = inputs->add_input();
      named->set_name(name);
      tensor_to_tf(tensor, named->mutable_tensor());
    }
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(ErrorCode::kIo, "{}: cannot open for writing", path);
  if (is_text_path(path)) {
    std::string text;
    if (!google::protobuf::TextFormat::PrintToString(proto, &text))
      fail(ErrorCode::kIo, "{}: cannot print the samples as text protobuf", path);
    out << text;
  } else if (!proto.SerializeToOstream(&out)) {
    fail(ErrorCode::kIo, "{}: cannot serialize the samples", path);
  }
  out.flush();
  if (!out) fail(ErrorCode::kIo, "{}: write failed", path);
}

}  // namespace rankrt
