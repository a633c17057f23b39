// Looking inside a network: the hidden states of one RNNPool patch.
//
//   auto run = net.run(input, {.keepAllOutputs = true});
//   Expected<RnnPoolTrace> t = traceRnnPoolPatch(net, input, *run, "rnnpool", 10, 20);
#pragma once

#include <string>

#include "model/network.h"
#include "ops/rnnpool.h"

namespace rnnpool {

// The RNNPool layers of a network, by node index.
std::vector<int> rnnPoolLayers(const Network& net);

// Every hidden state of patch (row, col) of RNNPool layer `layer` (a node or
// group name), from a run that kept all outputs.
Expected<RnnPoolTrace> traceRnnPoolPatch(const Network& net, const Tensor& networkInput, const RunResult& run,
                                         const std::string& layer, int64_t patchRow, int64_t patchCol);

} // namespace rnnpool
