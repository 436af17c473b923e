// NumPy .npy encoding and decoding: header dictionary, dtype descriptors, unicode arrays.
#include "io/npy.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "core/error.h"

namespace rankrt {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

struct Descr {
  char byte_order;  // '<', '>', '|' or '='
  char kind;        // 'f', 'i', 'u', 'b', 'U', ...
  int64_t count;    // bytes per element, or characters for 'U'
  int64_t item_size() const { return kind == 'U' ? 4 * count : count; }
};

Descr parse_descr(const std::string& descr, const std::string& what) {
  const bool has_order = !descr.empty() && std::strchr("<>|=", descr[0]);
  const size_t kind_at = has_order ? 1 : 0;
  if (descr.size() < kind_at + 2 || !std::isalpha(static_cast<unsigned char>(descr[kind_at])))
    fail(ErrorCode::kUnsupported, "{}: unsupported NumPy dtype '{}'", what, descr);
  int64_t count = 0;
  for (size_t i = kind_at + 1; i < descr.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(descr[i])) || count > (int64_t(1) << 40))
      fail(ErrorCode::kUnsupported, "{}: unsupported NumPy dtype '{}'", what, descr);
    count = count * 10 + (descr[i] - '0');
  }
  return Descr{has_order ? descr[0] : '=', descr[kind_at], count};
}

// Position just after "'key':" in the header dictionary (npos when absent).
size_t value_position(const std::string& header, const std::string& key) {
  for (const char quote : {'\'', '"'}) {
    const std::string quoted = std::string(1, quote) + key + quote;
    size_t at = header.find(quoted);
    if (at == std::string::npos) continue;
    at = header.find(':', at + quoted.size());
    if (at == std::string::npos) return at;
    at = header.find_first_not_of(' ', at + 1);
    return at;
  }
  return std::string::npos;
}

std::string parse_header_string(const std::string& header, const std::string& key, const std::string& what) {
  const size_t at = value_position(header, key);
  if (at == std::string::npos || (header[at] != '\'' && header[at] != '"'))
    fail(ErrorCode::kParse, "{}: .npy header has no string '{}' (structured dtypes are not supported)", what,
         key);
  const size_t end = header.find(header[at], at + 1);
  if (end == std::string::npos) fail(ErrorCode::kParse, "{}: .npy header is malformed", what);
  return header.substr(at + 1, end - at - 1);
}

std::vector<int64_t> parse_header_shape(const std::string& header, const std::string& what) {
  size_t at = value_position(header, "shape");
  if (at == std::string::npos || header[at] != '(')
    fail(ErrorCode::kParse, "{}: .npy header has no shape", what);
  const size_t end = header.find(')', at);
  if (end == std::string::npos) fail(ErrorCode::kParse, "{}: .npy header has a malformed shape", what);
  std::vector<int64_t> shape;
  int64_t value = -1;
  for (size_t i = at + 1; i < end; ++i) {
    const char c = header[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      if (value > (int64_t(1) << 48)) fail(ErrorCode::kParse, "{}: .npy shape is too large", what);
      value = (value < 0 ? 0 : value * 10) + (c - '0');
    } else if (c == ',') {
      if (value < 0) fail(ErrorCode::kParse, "{}: .npy header has a malformed shape", what);
      shape.push_back(value);
      value = -1;
    } else if (c != ' ' && c != 'L') {
      fail(ErrorCode::kParse, "{}: .npy header has a malformed shape", what);
    }
  }
  if (value >= 0) shape.push_back(value);
  return shape;
}

int64_t count_elements(const std::vector<int64_t>& shape, const std::string& what) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d != 0 && n > (int64_t(1) << 50) / d) fail(ErrorCode::kParse, "{}: .npy shape is too large", what);
    n *= d;
  }
  return n;
}

std::string make_npy(const std::string& descr, const std::vector<int64_t>& shape, const char* data,
                     size_t bytes) {
  std::string dims;
  for (int64_t d : shape) dims += fmt::format("{}, ", d);
  if (shape.size() > 1) dims.resize(dims.size() - 2);
  if (shape.size() == 1) dims.resize(dims.size() - 1);
  std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}", descr, dims);
  const bool v2 = header.size() + 1 + kMagicSize + 4 > 65535;
  const size_t prefix = kMagicSize + 2 + (v2 ? 4 : 2);
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string out(kMagic, kMagicSize);
  out += char(v2 ? 2 : 1);
  out += char(0);
  const uint32_t len = uint32_t(header.size());
  for (size_t i = 0; i < (v2 ? 4u : 2u); ++i) out += char((len >> (8 * i)) & 0xff);
  out += header;
  out.append(data, bytes);
  return out;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xc0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += char(0xe0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  } else {
    out += char(0xf0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3f));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  }
}

std::vector<uint32_t> decode_utf8(const std::string& s) {
  std::vector<uint32_t> cps;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : -1;
    if (extra < 0 || i + size_t(extra) >= s.size())
      fail(ErrorCode::kData, "string '{}' is not valid UTF-8", s);
    uint32_t cp = extra == 0 ? c : c & (0x3f >> extra);
    for (int k = 1; k <= extra; ++k) {
      const unsigned char cont = static_cast<unsigned char>(s[i + size_t(k)]);
      if ((cont >> 6) != 0x2) fail(ErrorCode::kData, "string '{}' is not valid UTF-8", s);
      cp = (cp << 6) | (cont & 0x3f);
    }
    cps.push_back(cp);
    i += size_t(extra) + 1;
  }
  return cps;
}

}  // namespace

NpyArray parse_npy(const std::string& bytes, const std::string& what) {
  if (bytes.size() < kMagicSize + 4 || bytes.compare(0, kMagicSize, kMagic, kMagicSize) != 0)
    fail(ErrorCode::kParse, "{}: not a .npy array (bad magic)", what);
  const int major = static_cast<unsigned char>(bytes[kMagicSize]);
  if (major < 1 || major > 3)
    fail(ErrorCode::kUnsupported, "{}: unsupported .npy format version {}", what, major);
  const size_t len_bytes = major == 1 ? 2 : 4;
  const size_t start = kMagicSize + 2 + len_bytes;
  if (bytes.size() < start) fail(ErrorCode::kParse, "{}: truncated .npy header", what);
  size_t header_len = 0;
  for (size_t i = 0; i < len_bytes; ++i)
    header_len |= size_t(static_cast<unsigned char>(bytes[kMagicSize + 2 + i])) << (8 * i);
  if (bytes.size() < start + header_len) fail(ErrorCode::kParse, "{}: truncated .npy header", what);
  const std::string header = bytes.substr(start, header_len);

  NpyArray array;
  array.descr = parse_header_string(header, "descr", what);
  const size_t order = value_position(header, "fortran_order");
  if (order == std::string::npos) fail(ErrorCode::kParse, "{}: .npy header has no fortran_order", what);
  if (header.compare(order, 4, "True") == 0)
    fail(ErrorCode::kUnsupported, "{}: Fortran-order arrays are not supported (save in C order)", what);
  array.shape = parse_header_shape(header, what);
  const int64_t expected = count_elements(array.shape, what) * parse_descr(array.descr, what).item_size();
  const size_t have = bytes.size() - start - header_len;
  if (int64_t(have) != expected)
    fail(ErrorCode::kParse, "{}: .npy data has {} bytes, expected {} for {} {}", what, have, expected,
         array.descr, dims_to_string(array.shape));
  array.data = bytes.substr(start + header_len);
  return array;
}

Tensor npy_to_tensor(const NpyArray& array, const std::string& what) {
  const Descr d = parse_descr(array.descr, what);
  DType dtype;
  const std::string code = std::string(1, d.kind) + std::to_string(d.count);
  if (code == "f4")
    dtype = DType::kF32;
  else if (code == "f2")
    dtype = DType::kF16;
  else if (code == "f8")
    dtype = DType::kF64;
  else if (code == "i4")
    dtype = DType::kI32;
  else if (code == "i8")
    dtype = DType::kI64;
  else if (code == "i1")
    dtype = DType::kI8;
  else if (code == "u1")
    dtype = DType::kU8;
  else if (code == "b1")
    dtype = DType::kBool;
  else
    fail(ErrorCode::kUnsupported, "{}: unsupported NumPy dtype '{}'", what, array.descr);
  if (d.byte_order == '>' && d.count > 1)
    fail(ErrorCode::kUnsupported, "{}: big-endian NumPy dtype '{}' is not supported", what, array.descr);
  Tensor t(dtype, array.shape);
  if (dtype == DType::kBool) {
    for (size_t i = 0; i < array.data.size(); ++i) t.data<bool>()[i] = array.data[i] != 0;
  } else if (!array.data.empty()) {
    std::memcpy(t.raw(), array.data.data(), array.data.size());
  }
  return t;
}

std::vector<std::string> npy_to_strings(const NpyArray& array, const std::string& what) {
  const Descr d = parse_descr(array.descr, what);
  if (d.kind != 'U' || d.byte_order == '>' || array.shape.size() > 1)
    fail(ErrorCode::kData, "{}: expected a 1-D NumPy unicode array ('<U'), got {} {}", what, array.descr,
         dims_to_string(array.shape));
  std::vector<std::string> strings;
  const int64_t n = count_elements(array.shape, what);
  for (int64_t i = 0; i < n; ++i) {
    std::string& s = strings.emplace_back();
    for (int64_t c = 0; c < d.count; ++c) {
      uint32_t cp;
      std::memcpy(&cp, array.data.data() + size_t((i * d.count + c) * 4), 4);
      if (cp == 0) break;
      if (cp > 0x10ffff) fail(ErrorCode::kData, "{}: invalid code point {} in a unicode array", what, cp);
      append_utf8(s, cp);
    }
  }
  return strings;
}

std::string encode_npy(const Tensor& tensor) {
  const char* descr = nullptr;
  switch (tensor.dtype()) {
    case DType::kF32:
      descr = "<f4";
      break;
    case DType::kF16:
      descr = "<f2";
      break;
    case DType::kF64:
      descr = "<f8";
      break;
    case DType::kI32:
      descr = "<i4";
      break;
    case DType::kI64:
      descr = "<i8";
      break;
    case DType::kI8:
      descr = "|i1";
      break;
    case DType::kU8:
      descr = "|u1";
      break;
    case DType::kBool:
      descr = "|b1";
      break;
    case DType::kBF16:
      fail(ErrorCode::kUnsupported, "bfloat16 tensors cannot be stored in .npy (NumPy has no bfloat16)");
  }
  if (tensor.dtype() == DType::kBool) {
    std::string bytes(size_t(tensor.numel()), '\0');
    for (int64_t i = 0; i < tensor.numel(); ++i) bytes[size_t(i)] = tensor.data<bool>()[i] ? 1 : 0;
    return make_npy(descr, tensor.dims(), bytes.data(), bytes.size());
  }
  return make_npy(descr, tensor.dims(), static_cast<const char*>(tensor.raw()), tensor.nbytes());
}

std::string encode_npy(const std::vector<std::string>& strings) {
  std::vector<std::vector<uint32_t>> decoded;
  size_t width = 1;
  for (const std::string& s : strings) width = std::max(width, decoded.emplace_back(decode_utf8(s)).size());
  std::vector<uint32_t> data(strings.size() * width, 0);
  for (size_t i = 0; i < decoded.size(); ++i)
    std::copy(decoded[i].begin(), decoded[i].end(), data.begin() + i * width);
  return make_npy(fmt::format("<U{}", width), {int64_t(strings.size())},
                  reinterpret_cast<const char*>(data.data()), data.size() * 4);
}

}  // namespace rankrt
