// Declarations of the op groups; each group lives in its own file and appends its schemas.
#pragma once
#include <vector>

#include "ops/op_schema.h"

namespace rankrt {

void append_elementwise_unary_ops(std::vector<OpSchema>& ops);   // Neg, Abs, Relu, Sigmoid, ...
void append_elementwise_binary_ops(std::vector<OpSchema>& ops);  // Add, Sub, Mul, Div, Pow, ...
void append_logic_ops(std::vector<OpSchema>& ops);               // Where, Equal, Greater, And, Not, ...
void append_activation_ops(std::vector<OpSchema>& ops);          // LeakyRelu, PRelu, Clip, Softmax
void append_normalization_ops(std::vector<OpSchema>& ops);       // BatchNormalization, LayerNormalization
void append_matmul_ops(std::vector<OpSchema>& ops);              // MatMul, Gemm
void append_reduce_ops(std::vector<OpSchema>& ops);              // ReduceSum, ReduceMean, ReduceMax
void append_shape_ops(std::vector<OpSchema>& ops);               // Shape, Reshape, Flatten, Squeeze, ...
void append_data_movement_ops(std::vector<OpSchema>& ops);       // Concat, Split, Slice, Gather, Tile, ...
void append_pad_ops(std::vector<OpSchema>& ops);                 // Pad
void append_generator_ops(std::vector<OpSchema>& ops);           // Constant, ConstantOfShape, Range
void append_cast_ops(std::vector<OpSchema>& ops);                // Cast, Identity
void append_dense_ops(std::vector<OpSchema>& ops);               // Dense (fused GEMM + epilogue)

}  // namespace rankrt
