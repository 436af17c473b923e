// The optimizer pipeline: pass order (and why), fixed-point iteration, final verification.
#include "passes/pipeline.h"

#include <fmt/format.h>

#include <algorithm>

#include "ops/shape_inference.h"
#include "passes/passes.h"

namespace rankrt {

namespace {

struct Pass {
  const char* name;
  bool (*run)(Graph&);
};

// Order constraints:
// - fold_constants first: the affine/activation matchers need per-column constants (e.g. batch
//   norm's rsqrt(var) * gamma) to be initializers, and hoisting needs the shape subgraph feeding
//   Tile's repeats to be reduced to what inference can read symbolically.
// - eliminate_identity and eliminate_common_subexpressions before the fusions, so that patterns
//   are not hidden behind Identity nodes or duplicated constants / nodes.
// - fold_affine before fuse_activation: a batch norm between MatMul + bias and the activation
//   must be folded into the Dense so that the activation directly reads the Dense output.
// - fold_affine before hoist_common_features: the affine preceding the first MatMul (DQM's input
//   batch norm) must be folded into W first, so that the Dense reads Cast(Concat(Tile(c), x)).
// - simplify_output_tail after fold_constants (its fill value and addend are constants).
// - concat_fills_to_pad after simplify_output_tail (whose Expand is the fill it pads with); its Pad
//   leaves the fill's Shape(z) dead, so that (after eliminate_dead_code) the score tail is the
//   Dense output's only reader.
// - fuse_post_ops after fold_affine and fuse_activation: an affine after a Dense without
//   activation folds into its weights instead, and an activation must fuse before any post-op.
// - eliminate_dead_code last: the rewrites leave the replaced nodes (Tile, Concat, the shape
//   subgraph) and the old weights unused.
constexpr Pass kPasses[] = {
    {"fold_constants", fold_constants},
    {"eliminate_identity", eliminate_identity},
    {"eliminate_common_subexpressions", eliminate_common_subexpressions},
    {"fold_affine", fold_affine},
    {"fuse_activation", fuse_activation},
    {"hoist_common_features", hoist_common_features},
    {"simplify_output_tail", simplify_output_tail},
    {"concat_fills_to_pad", concat_fills_to_pad},
    {"fuse_post_ops", fuse_post_ops},
    {"eliminate_dead_code", eliminate_dead_code},
};

// Every pass strictly shrinks or simplifies the graph; the bound only guards against a bug.
constexpr int kMaxRounds = 16;

}  // namespace

std::vector<std::string> pass_names() {
  std::vector<std::string> names;
  for (const Pass& p : kPasses) names.push_back(p.name);
  return names;
}

void optimize(Graph& g, const OptimizeOptions& options) {
  const std::vector<std::string> names = pass_names();
  for (const std::string& d : options.disabled)
    if (std::find(names.begin(), names.end(), d) == names.end())
      fail(ErrorCode::kUsage, "unknown pass '{}' (passes: {})", d, fmt::join(names, ", "));
  topological_sort(g);
  for (int round = 0; round < kMaxRounds; ++round) {
    bool changed = false;
    for (const Pass& p : kPasses)
      if (!options.disabled.count(p.name)) changed = p.run(g) || changed;
    if (!changed) break;
  }
  topological_sort(g);
  verify_graph(g);
  infer_shapes(g);
}

}  // namespace rankrt
