// NumPy .npz sample archives through libzip: one .npy member per (sample, input) plus output names.
#include "io/npz.h"

#include <zip.h>

#include <filesystem>
#include <list>
#include <memory>

#include "io/npy.h"

namespace rankrt {

namespace {

constexpr char kOutputNames[] = "output_names";

struct ZipDiscard {
  void operator()(zip_t* z) const { zip_discard(z); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipDiscard>;

std::string zip_error_text(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

ZipPtr open_for_reading(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail(ErrorCode::kIo, "{}: no such file", path);
  int code = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &code);
  if (!z) {
    if (code == ZIP_ER_NOZIP || code == ZIP_ER_INCONS || code == ZIP_ER_EOF)
      fail(ErrorCode::kParse, "{}: not a valid .npz (zip) archive ({})", path, zip_error_text(code));
    fail(ErrorCode::kIo, "{}: cannot open .npz archive ({})", path, zip_error_text(code));
  }
  return ZipPtr(z);
}

std::string read_member(zip_t* z, zip_uint64_t index, const std::string& what) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(z, index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
    fail(ErrorCode::kParse, "{}: cannot read the member's size ({})", what, zip_strerror(z));
  zip_file_t* f = zip_fopen_index(z, index, 0);
  if (!f) fail(ErrorCode::kParse, "{}: cannot open the member ({})", what, zip_strerror(z));
  std::string bytes(st.size, '\0');
  const zip_int64_t got = zip_fread(f, bytes.data(), st.size);
  std::string error = got < 0 ? zip_file_strerror(f) : "";
  zip_fclose(f);
  if (got < 0 || zip_uint64_t(got) != st.size)
    fail(ErrorCode::kParse, "{}: truncated or corrupt member ({})", what, got < 0 ? error : "short read");
  return bytes;
}

// "s<index>/<input>" -> (index, input); false for other names.
bool split_member_name(const std::string& name, int64_t* index, std::string* input) {
  const size_t slash = name.find('/');
  if (name.size() < 2 || name[0] != 's' || slash == std::string::npos || slash < 2 ||
      slash + 1 == name.size())
    return false;
  int64_t value = 0;
  for (size_t i = 1; i < slash; ++i) {
    if (name[i] < '0' || name[i] > '9' || value > (int64_t(1) << 40)) return false;
    value = value * 10 + (name[i] - '0');
  }
  *index = value;
  *input = name.substr(slash + 1);
  return true;
}

}  // namespace

SampleFile read_npz_samples(const std::string& path) {
  ZipPtr zip = open_for_reading(path);
  const zip_int64_t entries = zip_get_num_entries(zip.get(), 0);
  std::map<int64_t, TensorMap> by_index;
  SampleFile file;
  for (zip_int64_t i = 0; i < entries; ++i) {
    const char* raw_name = zip_get_name(zip.get(), zip_uint64_t(i), 0);
    if (!raw_name)
      fail(ErrorCode::kParse, "{}: cannot read member {} ({})", path, i, zip_strerror(zip.get()));
    std::string name = raw_name;
    if (!name.empty() && name.back() == '/') continue;  // directory entry
    if (name.size() > 4 && name.ends_with(".npy")) name.resize(name.size() - 4);
    const std::string what = fmt::format("{}: array '{}'", path, name);
    const NpyArray array = parse_npy(read_member(zip.get(), zip_uint64_t(i), what), what);
    if (name == kOutputNames) {
      file.output_names = npy_to_strings(array, what);
      continue;
    }
    int64_t index;
    std::string input;
    if (!split_member_name(name, &index, &input))
      fail(ErrorCode::kData, "{}: array name is not 's<sample index>/<input name>' or '{}'", what,
           kOutputNames);
    by_index[index].emplace(input, npy_to_tensor(array, what));
  }
  if (by_index.empty())
    fail(ErrorCode::kData, "{}: archive has no samples (no 's<index>/<input>' arrays)", path);
  int64_t expected = 0;
  for (auto& [index, sample] : by_index) {
    if (index != expected)
      fail(ErrorCode::kData, "{}: sample {} has no arrays (indices must be 0..n-1)", path, expected);
    file.samples.push_back(std::move(sample));
    ++expected;
  }
  return file;
}

void write_npz_samples(const std::string& path, const SampleFile& samples) {
  int code = 0;
  zip_t* raw = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  if (!raw) fail(ErrorCode::kIo, "{}: cannot create .npz archive ({})", path, zip_error_text(code));
  ZipPtr zip(raw);
  std::list<std::string> buffers;  // must outlive zip_close
  auto add = [&](const std::string& name, std::string bytes) {
    const std::string& data = buffers.emplace_back(std::move(bytes));
    zip_source_t* src = zip_source_buffer(zip.get(), data.data(), data.size(), 0);
    if (!src || zip_file_add(zip.get(), (name + ".npy").c_str(), src, ZIP_FL_ENC_UTF_8) < 0) {
      if (src) zip_source_free(src);
      fail(ErrorCode::kIo, "{}: cannot add array '{}' ({})", path, name, zip_strerror(zip.get()));
    }
  };
  if (!samples.output_names.empty()) add(kOutputNames, encode_npy(samples.output_names));
  for (size_t s = 0; s < samples.samples.size(); ++s)
    for (const auto& [input, tensor] : samples.samples[s])
      add(fmt::format("s{}/{}", s, input), encode_npy(tensor));
  if (zip_close(zip.get()) != 0)
    fail(ErrorCode::kIo, "{}: cannot write .npz archive ({})", path, zip_strerror(zip.get()));
  zip.release();
}

}  // namespace rankrt
