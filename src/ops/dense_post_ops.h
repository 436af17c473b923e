// A Dense node's post-ops (ops/post_op_math.h) as attributes: `post_ops`, the op names in order
// (abs, neg, add, sub, rsub, mul, div, rdiv), and `post_values`, one constant per op (0 for the
// unary ones), stored as float64.
#pragma once
#include <string>

#include "ir/graph.h"
#include "ops/post_op_math.h"

namespace rankrt {

inline constexpr const char* kPostOpsAttr = "post_ops";
inline constexpr const char* kPostValuesAttr = "post_values";

const char* post_op_name(PostOp op);

// The node's post-ops (none without the attributes); kInvalidGraph naming the node for an unknown
// name, more than kMaxPostOps ops or a value count that differs from the op count.
PostOps<double> dense_post_ops(const Node& n);

// Appends one op to the node's attributes.
void append_post_op(Node& n, PostOp op, double value);

}  // namespace rankrt
