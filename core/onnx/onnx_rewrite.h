// Rewrites multi-node ONNX idioms into single nodes of the "rnnpool" domain
// before translation, so that each becomes one engine layer:
//   Sigmoid(a), Mul(a, .)                         -> Swish(a)
//   HardSigmoid(a; 1/6, 1/2), Mul(a, .)           -> HardSwish(a)
//   GlobalAveragePool/ReduceMean(x) - Conv - act - Conv - Sigmoid|HardSigmoid,
//   Mul(x, gate)                                  -> SqueezeExcite(x, W1, B1, W2, B2)
// A pattern is rewritten only when its inner values have no other reader and
// are not graph outputs.
#pragma once

#include "onnx/onnx_graph.h"

namespace rnnpool {

void rewriteOnnxPatterns(OnnxGraph& graph);

} // namespace rnnpool
