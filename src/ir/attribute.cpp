// Attribute printing and Node's typed attribute accessors.
#include <fmt/format.h>

#include "ir/graph.h"

namespace rankrt {

std::string attribute_to_string(const Attribute& a) {
  struct Visitor {
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return fmt::format("{:g}", v); }
    std::string operator()(const std::string& v) const { return "\"" + v + "\""; }
    std::string operator()(const std::vector<int64_t>& v) const {
      return fmt::format("[{}]", fmt::join(v, ","));
    }
    std::string operator()(const std::vector<double>& v) const {
      return fmt::format("[{}]", fmt::join(v, ","));
    }
    std::string operator()(const std::vector<std::string>& v) const {
      return fmt::format("[{}]", fmt::join(v, ","));
    }
    std::string operator()(const Tensor& t) const {
      return fmt::format("tensor<{}{}>", dtype_name(t.dtype()), dims_to_string(t.dims()));
    }
  };
  return std::visit(Visitor{}, a);
}

namespace {

template <typename T>
const T* get_attr(const Node& n, const std::string& key) {
  auto it = n.attrs.find(key);
  if (it == n.attrs.end()) return nullptr;
  const T* v = std::get_if<T>(&it->second);
  if (!v)
    fail(ErrorCode::kInvalidGraph, "node '{}' ({}): attribute '{}' has the wrong type", n.name, n.op, key);
  return v;
}

[[noreturn]] void missing(const Node& n, const std::string& key) {
  fail(ErrorCode::kInvalidGraph, "node '{}' ({}): missing required attribute '{}'", n.name, n.op, key);
}

}  // namespace

int64_t Node::attr_int(const std::string& key, int64_t fallback) const {
  const int64_t* v = get_attr<int64_t>(*this, key);
  return v ? *v : fallback;
}

int64_t Node::attr_int(const std::string& key) const {
  const int64_t* v = get_attr<int64_t>(*this, key);
  if (!v) missing(*this, key);
  return *v;
}

double Node::attr_float(const std::string& key, double fallback) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return fallback;
  if (auto* i = std::get_if<int64_t>(&it->second)) return double(*i);
  const double* v = get_attr<double>(*this, key);
  return *v;
}

std::string Node::attr_string(const std::string& key, const std::string& fallback) const {
  const std::string* v = get_attr<std::string>(*this, key);
  return v ? *v : fallback;
}

std::vector<int64_t> Node::attr_ints(const std::string& key) const {
  const auto* v = get_attr<std::vector<int64_t>>(*this, key);
  if (!v) missing(*this, key);
  return *v;
}

std::vector<int64_t> Node::attr_ints(const std::string& key, std::vector<int64_t> fallback) const {
  const auto* v = get_attr<std::vector<int64_t>>(*this, key);
  return v ? *v : fallback;
}

const Tensor& Node::attr_tensor(const std::string& key) const {
  const Tensor* v = get_attr<Tensor>(*this, key);
  if (!v) missing(*this, key);
  return *v;
}

}  // namespace rankrt
