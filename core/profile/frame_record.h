// FrameRecord: what one live frame cost: its total time, the time per group
// of layers, and the peak bytes measured in the metered arena. Layers are
// grouped by the kind of spec entry they came from ("rnnpool",
// "inverted_residual", "conv", ...), so a handful of series describe any
// architecture.
//
//   RunResult r = *net.run(input);
//   FrameRecord rec = makeFrameRecord(net, r.layerSeconds, r.totalSeconds, arenaRun.highWaterBytes);
#pragma once

#include <string>
#include <vector>

#include "model/network.h"

namespace rnnpool {

struct LayerGroupTime {
    std::string group;   // the spec entry's op, e.g. "rnnpool"
    double seconds = 0.0;
};

struct FrameRecord {
    double totalSeconds = 0.0;
    std::vector<LayerGroupTime> groups; // in order of first appearance in the network
    int64_t measuredPeakBytes = -1;     // -1: not measured for this frame
    bool measuredInt8 = false;          // measured in the int8 arena (else float32)
};

// Per node, the op of the spec entry the node was built from.
std::vector<std::string> latencyGroupOfNodes(const Network& net);

// `layerSeconds` per node as RunResult gives them; extra or missing entries are ignored.
FrameRecord makeFrameRecord(const Network& net, const std::vector<double>& layerSeconds, double totalSeconds,
                            int64_t measuredPeakBytes, bool measuredInt8 = false);

} // namespace rnnpool
