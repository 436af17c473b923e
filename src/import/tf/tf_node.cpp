// TfConversion / TfNode: naming, attribute access and IR emission for the TensorFlow importer.
#include "import/tf/tf_node.h"

#include "import/tf/tf_tensor.h"
#include "ops/shape_inference.h"

namespace rankrt {

std::string TfConversion::unique_name(const std::string& base) {
  std::string name = base;
  for (int k = 1; taken_.count(name); ++k) name = fmt::format("{}_{}", base, k);
  taken_.insert(name);
  return name;
}

std::optional<int64_t> TfConversion::rank_of(const std::string& value) const {
  Graph partial = graph_;
  partial.outputs.clear();
  infer_shapes(partial);
  auto it = partial.value_info.find(value);
  if (it == partial.value_info.end() || !it->second.rank_known) return std::nullopt;
  return int64_t(it->second.shape.size());
}

const tf::AttrValue* TfNode::find_attr(const std::string& key) const {
  auto it = def_.attr().find(key);
  return it == def_.attr().end() ? nullptr : &it->second;
}

int64_t TfNode::attr_int(const std::string& key, int64_t fallback) const {
  const tf::AttrValue* a = find_attr(key);
  if (!a) return fallback;
  if (a->value_case() != tf::AttrValue::kI) fail(ErrorCode::kParse, "attribute '{}' is not an int", key);
  return a->i();
}

bool TfNode::attr_bool(const std::string& key, bool fallback) const {
  const tf::AttrValue* a = find_attr(key);
  if (!a) return fallback;
  if (a->value_case() != tf::AttrValue::kB) fail(ErrorCode::kParse, "attribute '{}' is not a bool", key);
  return a->b();
}

std::string TfNode::attr_string(const std::string& key, const std::string& fallback) const {
  const tf::AttrValue* a = find_attr(key);
  if (!a) return fallback;
  if (a->value_case() != tf::AttrValue::kS) fail(ErrorCode::kParse, "attribute '{}' is not a string", key);
  return a->s();
}

DType TfNode::attr_type(const std::string& key) const {
  const tf::AttrValue* a = find_attr(key);
  if (!a) fail(ErrorCode::kParse, "missing attribute '{}'", key);
  if (a->value_case() != tf::AttrValue::kType) fail(ErrorCode::kParse, "attribute '{}' is not a type", key);
  return dtype_from_tf(a->type(), fmt::format("{}: node '{}' attribute '{}'", conv_.path(), name(), key));
}

std::vector<int64_t> TfNode::attr_ints(const std::string& key) const {
  const tf::AttrValue* a = find_attr(key);
  if (!a) return {};
  if (a->value_case() != tf::AttrValue::kList) fail(ErrorCode::kParse, "attribute '{}' is not a list", key);
  return {a->list().i().begin(), a->list().i().end()};
}

const Tensor& TfNode::const_input(size_t i, const std::string& what) const {
  const Tensor* t = conv_.graph().find_initializer(input(i));
  if (!t) fail(ErrorCode::kUnsupported, "the {} input '{}' must be a constant", what, input(i));
  return *t;
}

std::string TfNode::int64_input(size_t i, const std::string& suffix) {
  if (const Tensor* t = conv_.graph().find_initializer(input(i))) {
    if (t->dtype() == DType::kI64) return input(i);
    if (!is_integer(t->dtype())) fail(ErrorCode::kShape, "input '{}' must be an integer tensor", input(i));
    return add_constant(suffix, t->to(DType::kI64));
  }
  return emit_helper(suffix, "Cast", {input(i)}, {{"to", int64_t(DType::kI64)}});
}

int64_t TfNode::input_rank(size_t i) const {
  std::optional<int64_t> rank = conv_.rank_of(input(i));
  if (!rank) fail(ErrorCode::kUnsupported, "the rank of input '{}' is unknown", input(i));
  return *rank;
}

void TfNode::emit(const std::string& op, std::vector<std::string> inputs, AttributeMap attrs) {
  conv_.graph().nodes.push_back(Node{name(), op, std::move(inputs), {name()}, std::move(attrs)});
}

std::string TfNode::emit_helper(const std::string& suffix, const std::string& op,
                                std::vector<std::string> inputs, AttributeMap attrs) {
  std::string helper = conv_.unique_name(name() + "/" + suffix);
  conv_.graph().nodes.push_back(Node{helper, op, std::move(inputs), {helper}, std::move(attrs)});
  return helper;
}

std::string TfNode::add_constant(const std::string& suffix, Tensor value) {
  std::string constant = conv_.unique_name(name() + "/" + suffix);
  conv_.graph().initializers[constant] = std::move(value);
  return constant;
}

std::string TfNode::add_int64s(const std::string& suffix, const std::vector<int64_t>& values) {
  return add_constant(suffix, Tensor::from_vector<int64_t>({int64_t(values.size())}, values));
}

}  // namespace rankrt
