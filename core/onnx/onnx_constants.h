// Evaluates ONNX nodes whose inputs are all constants at load time: the shape
// arithmetic exporters emit around Reshape (Shape, Gather, Unsqueeze, Concat,
// Cast, ...), Constant nodes, and weight transposes.
#pragma once

#include <vector>

#include "onnx/onnx_graph.h"
#include "util/expected.h"

namespace rnnpool {

// Whether foldConstantNode knows this op type.
bool canFoldConstant(const OnnxNode& node);
// The node's outputs. `inputs` holds nullptr for omitted optional inputs.
// The error is a bare problem ("Gather index 7 is out of range"); the caller names the node.
Expected<std::vector<OnnxConstant>> foldConstantNode(const OnnxNode& node, const std::vector<const OnnxConstant*>& inputs);

OnnxConstant intConstant(Shape shape, std::vector<int64_t> values);

} // namespace rnnpool
