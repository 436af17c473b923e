// Per-layer precision: `--layer-precision` rules (GLOB=PRECISION, comma-separated, later rules
// win) resolved over the GEMM layers of a graph (Dense, Gemm, MatMul by a constant 2-D weight).
// A glob matches a layer's name or any original node name it stands for (its source_nodes).
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.h"

namespace rankrt {

using LayerPrecisionMap = std::map<std::string, std::string>;  // GEMM layer -> precision

struct LayerPrecision {
  // As given to --layer-precision, e.g. "fc1*=fp32,fc[2-4]*=fp16" ("": none).
  std::string rules;
  // The final precision of every GEMM layer of the optimized graph (build_engine resolves the rules
  // into it), or given directly (engine plans, the mixed-precision search) with no rules.
  LayerPrecisionMap layers;
};

struct PrecisionRule {
  std::string pattern, precision;
  std::string text;  // the rule as written, for messages
};

// Parses rules; throws kUsage naming the rule that is not GLOB=PRECISION. Commas inside [...] or
// after a backslash do not separate rules.
std::vector<PrecisionRule> parse_precision_rules(const std::string& text);

// Shell-style glob: * any run, ? one character, [abc] [a-z] [!a] a set, \c the character c.
bool glob_match(std::string_view pattern, std::string_view text);

// Whether the layer has a selectable GEMM precision (the CUDA backend runs it through cuBLASLt).
bool has_gemm_precision(const Graph& g, const Node& n);

// The final precision of every GEMM layer of `g`: `precision` (the engine's) overridden by the
// rules, or the given `layers` checked against `g`. Throws kUsage for a rule matching no GEMM layer,
// an unknown precision, or one the backend cannot run per layer (cuda: fp32, tf32, tf32x3, fp16,
// bf16, int8, fp8; the others run every layer in `precision`); kData for given layers that do not
// fit the graph.
LayerPrecisionMap resolve_layer_precision(const Graph& g, const LayerPrecision& lp,
                                          const std::string& backend, const std::string& precision);

// Rules that select exactly these layers (names escaped), e.g. "fc1=fp32,fc2=fp16".
std::string exact_rules(const LayerPrecisionMap& layers);

// The rules of a plan key: the given rules normalized (spaces dropped), else exact_rules(layers).
std::string canonical_rules(const LayerPrecision& lp);

// The layers whose precision differs from `precision`, for descriptions: " (per layer: fc2 fp16,
// fc3 tf32)", "" when none.
std::string describe_overrides(const LayerPrecisionMap& layers, const std::string& precision);

}  // namespace rankrt
