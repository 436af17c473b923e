// Row-wise merging and splitting of requests for dynamic batching.
#include "runtime/dynamic_batcher.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "core/error.h"

namespace rankrt {

namespace {

const Tensor& input(const TensorMap& request, const std::string& name) {
  const auto it = request.find(name);
  if (it == request.end()) fail(ErrorCode::kData, "dynamic batching: request has no input '{}'", name);
  return it->second;
}

bool same_row_layout(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.rank() == b.rank() && a.rank() > 0 &&
         std::equal(a.dims().begin() + 1, a.dims().end(), b.dims().begin() + 1);
}

// Rows [begin, begin + count) of a tensor with a leading row dim.
Tensor slice_rows(const Tensor& t, int64_t begin, int64_t count) {
  std::vector<int64_t> dims = t.dims();
  const size_t row_bytes = dims.front() == 0 ? 0 : t.nbytes() / size_t(dims.front());
  dims.front() = count;
  Tensor out(t.dtype(), dims);
  std::memcpy(out.raw(), static_cast<const std::byte*>(t.raw()) + size_t(begin) * row_bytes,
              size_t(count) * row_bytes);
  return out;
}

}  // namespace

DynamicBatcher::DynamicBatcher(const Graph& graph) {
  std::map<std::string, int> votes;
  for (const ValueInfo& v : graph.inputs)
    if (v.rank_known && !v.shape.empty() && v.shape.front().is_symbolic()) ++votes[v.shape.front().symbol];
  for (const auto& [symbol, count] : votes)
    if (symbol_.empty() || count > votes[symbol_]) symbol_ = symbol;
  if (symbol_.empty())
    fail(ErrorCode::kUnsupported, "dynamic batching: no input of the graph has a symbolic leading dim");
  for (const ValueInfo& v : graph.inputs) {
    const bool row = v.rank_known && !v.shape.empty() && v.shape.front().symbol == symbol_;
    (row ? row_inputs_ : shared_inputs_).push_back(v.name);
  }
}

int64_t DynamicBatcher::rows(const TensorMap& request) const {
  const Tensor& t = input(request, row_inputs_.front());
  return t.rank() > 0 ? t.dims().front() : 0;
}

bool DynamicBatcher::compatible(const TensorMap& a, const TensorMap& b) const {
  for (const std::string& name : row_inputs_)
    if (!same_row_layout(input(a, name), input(b, name))) return false;
  for (const std::string& name : shared_inputs_) {
    const Tensor &x = input(a, name), &y = input(b, name);
    if (x.dtype() != y.dtype() || x.dims() != y.dims()) return false;
    if (x.raw() != y.raw() && std::memcmp(x.raw(), y.raw(), x.nbytes()) != 0) return false;
  }
  return true;
}

TensorMap DynamicBatcher::merge(const std::vector<const TensorMap*>& requests) const {
  TensorMap merged;
  for (const std::string& name : shared_inputs_) merged[name] = input(*requests.front(), name);
  for (const std::string& name : row_inputs_) {
    std::vector<int64_t> dims = input(*requests.front(), name).dims();
    dims.front() = 0;
    for (const TensorMap* r : requests) dims.front() += input(*r, name).dims().front();
    Tensor out(input(*requests.front(), name).dtype(), dims);
    auto* cursor = static_cast<std::byte*>(out.raw());
    for (const TensorMap* r : requests) {
      const Tensor& t = input(*r, name);
      std::memcpy(cursor, t.raw(), t.nbytes());
      cursor += t.nbytes();
    }
    merged[name] = std::move(out);
  }
  return merged;
}

std::vector<TensorMap> DynamicBatcher::split(const TensorMap& outputs,
                                             const std::vector<int64_t>& rows) const {
  int64_t total = 0;
  for (int64_t r : rows) total += r;
  std::vector<TensorMap> parts(rows.size());
  for (const auto& [name, t] : outputs) {
    const bool row_output = t.rank() > 0 && t.dims().front() == total;
    int64_t begin = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      parts[i][name] = row_output ? slice_rows(t, begin, rows[i]) : t;
      begin += rows[i];
    }
  }
  return parts;
}

}  // namespace rankrt
