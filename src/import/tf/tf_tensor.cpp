// TensorFlow TensorProto <-> rankrt Tensor conversion (tensor_content or typed *_val fields).
#include "import/tf/tf_tensor.h"

#include <cstring>

#include "core/error.h"

namespace rankrt {

namespace {

constexpr int64_t kMaxElements = int64_t(1) << 32;  // a sanity bound against corrupt shapes

std::vector<int64_t> dims_of(const tf::TensorProto& proto, const std::string& what) {
  if (proto.tensor_shape().unknown_rank()) fail(ErrorCode::kParse, "{}: tensor has an unknown rank", what);
  std::vector<int64_t> dims;
  for (const auto& d : proto.tensor_shape().dim()) {
    if (d.size() < 0) fail(ErrorCode::kParse, "{}: tensor has a negative dimension {}", what, d.size());
    dims.push_back(d.size());
  }
  int64_t elements = 1;
  for (int64_t d : dims) {
    if (d != 0 && elements > kMaxElements / d) fail(ErrorCode::kParse, "{}: tensor shape is too large", what);
    elements *= d;
  }
  return dims;
}

// Copies n typed values (or splats the last one) into the tensor's storage as T.
template <typename T, typename Field>
void fill_from_field(Tensor& t, const Field& field, const std::string& what) {
  const int64_t n = t.numel();
  const int64_t have = field.size();
  if (have > n) fail(ErrorCode::kParse, "{}: tensor has {} values for {} elements", what, have, n);
  if (n > 0 && have == 0) return;  // TF: no values means all zeros
  T* out = t.data<T>();
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(field.Get(int(i < have ? i : have - 1)));
}

}  // namespace

DType dtype_from_tf(tf::DataType t, const std::string& what) {
  switch (t) {
    case tf::DT_FLOAT:
      return DType::kF32;
    case tf::DT_HALF:
      return DType::kF16;
    case tf::DT_BFLOAT16:
      return DType::kBF16;
    case tf::DT_DOUBLE:
      return DType::kF64;
    case tf::DT_INT32:
      return DType::kI32;
    case tf::DT_INT64:
      return DType::kI64;
    case tf::DT_INT8:
      return DType::kI8;
    case tf::DT_UINT8:
      return DType::kU8;
    case tf::DT_BOOL:
      return DType::kBool;
    default:
      fail(ErrorCode::kUnsupported, "{}: unsupported TensorFlow dtype {}", what, int(t));
  }
}

tf::DataType dtype_to_tf(DType t) {
  switch (t) {
    case DType::kF32:
      return tf::DT_FLOAT;
    case DType::kF16:
      return tf::DT_HALF;
    case DType::kBF16:
      return tf::DT_BFLOAT16;
    case DType::kF64:
      return tf::DT_DOUBLE;
    case DType::kI32:
      return tf::DT_INT32;
    case DType::kI64:
      return tf::DT_INT64;
    case DType::kI8:
      return tf::DT_INT8;
    case DType::kU8:
      return tf::DT_UINT8;
    case DType::kBool:
      return tf::DT_BOOL;
  }
  return tf::DT_INVALID;
}

Tensor tensor_from_tf(const tf::TensorProto& proto, const std::string& what) {
  const DType dtype = dtype_from_tf(proto.dtype(), what);
  Tensor t(dtype, dims_of(proto, what));
  if (!proto.tensor_content().empty()) {
    const std::string& content = proto.tensor_content();
    if (content.size() != t.nbytes()) {
      fail(ErrorCode::kParse, "{}: tensor_content has {} bytes, expected {} for {} {}", what, content.size(),
           t.nbytes(), dtype_name(dtype), dims_to_string(t.dims()));
    }
    if (dtype == DType::kBool) {
      for (size_t i = 0; i < content.size(); ++i) t.data<bool>()[i] = content[i] != 0;
    } else {
      std::memcpy(t.raw(), content.data(), content.size());
    }
    return t;
  }
  switch (dtype) {
    case DType::kF32:
      fill_from_field<float>(t, proto.float_val(), what);
      break;
    case DType::kF64:
      fill_from_field<double>(t, proto.double_val(), what);
      break;
    case DType::kF16:
    case DType::kBF16:
      fill_from_field<uint16_t>(t, proto.half_val(), what);
      break;
    case DType::kI32:
      fill_from_field<int32_t>(t, proto.int_val(), what);
      break;
    case DType::kI8:
      fill_from_field<int8_t>(t, proto.int_val(), what);
      break;
    case DType::kU8:
      fill_from_field<uint8_t>(t, proto.int_val(), what);
      break;
    case DType::kI64:
      fill_from_field<int64_t>(t, proto.int64_val(), what);
      break;
    case DType::kBool:
      fill_from_field<bool>(t, proto.bool_val(), what);
      break;
  }
  return t;
}

void tensor_to_tf(const Tensor& tensor, tf::TensorProto* proto) {
  proto->Clear();
  proto->set_dtype(dtype_to_tf(tensor.dtype()));
  for (int64_t d : tensor.dims()) proto->mutable_tensor_shape()->add_dim()->set_size(d);
  std::string content(tensor.nbytes(), '\0');
  if (tensor.dtype() == DType::kBool) {
    for (int64_t i = 0; i < tensor.numel(); ++i) content[size_t(i)] = tensor.data<bool>()[i] ? 1 : 0;
  } else if (!content.empty()) {
    std::memcpy(content.data(), tensor.raw(), content.size());
  }
  proto->set_tensor_content(std::move(content));
}

}  // namespace rankrt
