// score_head_consumer: the pattern match shared by the CPU and CUDA lowerings.
#include "ir/score_head.h"

namespace rankrt {

const Node* score_head_consumer(const Graph& g, const Node& n) {
  const Tensor* w = g.find_initializer(n.inputs[1]);
  if (n.op != "Dense" || !w || w->rank() != 2 || w->dims()[0] > kHeadMaxInputs ||
      w->dims()[1] > kHeadMaxHidden)
    return nullptr;
  for (const ValueInfo& out : g.outputs)
    if (out.name == n.outputs[0]) return nullptr;
  const Node* consumer = nullptr;
  for (const Node& c : g.nodes)
    for (const std::string& in : c.inputs)
      if (in == n.outputs[0]) {
        if (consumer) return nullptr;
        consumer = &c;
      }
  if (!consumer || consumer->op != "Dense" || consumer->inputs[0] != n.outputs[0]) return nullptr;
  const Tensor* w2 = g.find_initializer(consumer->inputs[1]);
  if (!w2 || w2->rank() != 2 || w2->dims()[0] != w->dims()[1] || w2->dims()[1] > kHeadMaxScores)
    return nullptr;
  return consumer;
}

}  // namespace rankrt
