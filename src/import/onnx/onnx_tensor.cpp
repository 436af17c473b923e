// ONNX TensorProto -> rankrt Tensor: element type mapping, raw_data and typed *_data fields.
#include <cstring>

#include "import/onnx/onnx_convert.h"

namespace rankrt::onnx_import {

namespace {

std::string_view onnx_type_name(int32_t elem_type) {
  if (onnx::TensorProto_DataType_IsValid(elem_type))
    return onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(elem_type));
  return "UNKNOWN";
}

// Copies typed field values into the tensor, converting each to the element type.
template <typename Field>
void copy_typed(const Field& values, Tensor& t, const std::string& name) {
  if (int64_t(values.size()) != t.numel())
    fail(ErrorCode::kParse, "tensor '{}' has {} values, its dims {} need {}", name, values.size(),
         dims_to_string(t.dims()), t.numel());
  for (int64_t i = 0; i < t.numel(); ++i) {
    auto v = values.Get(int(i));
    switch (t.dtype()) {
      case DType::kF32:
        t.data<float>()[i] = float(v);
        break;
      case DType::kF64:
        t.data<double>()[i] = double(v);
        break;
      case DType::kF16:
      case DType::kBF16:
        t.data<uint16_t>()[i] = uint16_t(v);
        break;  // bit patterns in int32_data
      case DType::kI8:
        t.data<int8_t>()[i] = int8_t(v);
        break;
      case DType::kU8:
        t.data<uint8_t>()[i] = uint8_t(v);
        break;
      case DType::kI32:
        t.data<int32_t>()[i] = int32_t(v);
        break;
      case DType::kI64:
        t.data<int64_t>()[i] = int64_t(v);
        break;
      case DType::kBool:
        t.data<bool>()[i] = v != 0;
        break;
    }
  }
}

}  // namespace

DType dtype_from_onnx(int32_t elem_type, const std::string& what) {
  switch (elem_type) {
    case onnx::TensorProto::FLOAT:
      return DType::kF32;
    case onnx::TensorProto::FLOAT16:
      return DType::kF16;
    case onnx::TensorProto::BFLOAT16:
      return DType::kBF16;
    case onnx::TensorProto::DOUBLE:
      return DType::kF64;
    case onnx::TensorProto::INT8:
      return DType::kI8;
    case onnx::TensorProto::UINT8:
      return DType::kU8;
    case onnx::TensorProto::INT32:
      return DType::kI32;
    case onnx::TensorProto::INT64:
      return DType::kI64;
    case onnx::TensorProto::BOOL:
      return DType::kBool;
    default:
      fail(ErrorCode::kUnsupported, "{}: element type {} ({}) is not supported", what,
           onnx_type_name(elem_type), elem_type);
  }
}

Tensor tensor_from_onnx(const onnx::TensorProto& proto) {
  const std::string name = proto.name().empty() ? "<unnamed>" : proto.name();
  const std::string what = fmt::format("tensor '{}'", name);
  if (proto.data_location() == onnx::TensorProto::EXTERNAL || proto.external_data_size() > 0)
    fail(ErrorCode::kUnsupported, "{} uses external data, which is not supported (embed the weights)", what);
  if (proto.has_segment()) fail(ErrorCode::kUnsupported, "{} is segmented, which is not supported", what);
  DType dtype = dtype_from_onnx(proto.data_type(), what);
  std::vector<int64_t> dims(proto.dims().begin(), proto.dims().end());
  for (int64_t d : dims)
    if (d < 0) fail(ErrorCode::kParse, "{} has a negative dimension in {}", what, dims_to_string(dims));
  Tensor t(dtype, dims);
  if (proto.has_raw_data()) {
    const std::string& raw = proto.raw_data();
    if (raw.size() != t.nbytes())
      fail(ErrorCode::kParse, "{} has {} bytes of raw data, its dims {} need {}", what, raw.size(),
           dims_to_string(dims), t.nbytes());
    if (dtype == DType::kBool) {
      for (int64_t i = 0; i < t.numel(); ++i) t.data<bool>()[i] = raw[size_t(i)] != 0;
    } else if (!raw.empty()) {
      std::memcpy(t.raw(), raw.data(), raw.size());
    }
    return t;
  }
  switch (dtype) {
    case DType::kF32:
      copy_typed(proto.float_data(), t, name);
      break;
    case DType::kF64:
      copy_typed(proto.double_data(), t, name);
      break;
    case DType::kI64:
      copy_typed(proto.int64_data(), t, name);
      break;
    default:
      copy_typed(proto.int32_data(), t, name);
      break;
  }
  return t;
}

}  // namespace rankrt::onnx_import
