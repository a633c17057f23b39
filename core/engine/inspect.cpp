#include "engine/inspect.h"

namespace rnnpool {

std::vector<int> rnnPoolLayers(const Network& net)
{
    std::vector<int> layers;
    for (size_t i = 0; i < net.nodes().size(); ++i)
        if (net.nodes()[i].op->kind() == "rnnpool")
            layers.push_back(static_cast<int>(i));
    return layers;
}

Expected<RnnPoolTrace> traceRnnPoolPatch(const Network& net, const Tensor& networkInput, const RunResult& run,
                                         const std::string& layer, int64_t patchRow, int64_t patchCol)
{
    const int index = net.findLayer(layer);
    if (index < 0)
        return makeError("no layer named '" + layer + "' in " + net.spec().name);
    const Node& node = net.nodes()[static_cast<size_t>(index)];
    const auto* op = dynamic_cast<const RnnPool*>(node.op.get());
    if (!op)
        return makeError("layer '" + layer + "' is a " + std::string(node.op->kind()) + ", not an RNNPool layer");
    const int source = node.inputs.front();
    const Tensor& input = source == kNetworkInput ? networkInput : run.outputs[static_cast<size_t>(source)];
    if (input.empty())
        return makeError("the input of layer '" + layer + "' was not kept; run with keepAllOutputs");
    return op->trace(input, patchRow, patchCol);
}

} // namespace rnnpool
