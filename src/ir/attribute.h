// Node attributes: a small variant type and typed accessors that name the node on error.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "core/tensor.h"

namespace rankrt {

using Attribute = std::variant<int64_t, double, std::string, std::vector<int64_t>, std::vector<double>,
                               std::vector<std::string>, Tensor>;
using AttributeMap = std::map<std::string, Attribute>;

std::string attribute_to_string(const Attribute& a);

}  // namespace rankrt
