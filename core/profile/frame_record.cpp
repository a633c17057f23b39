#include "profile/frame_record.h"

#include <algorithm>
#include <map>

namespace rnnpool {

std::vector<std::string> latencyGroupOfNodes(const Network& net)
{
    std::map<std::string, std::string> opOfEntry;
    for (const auto& entry : net.spec().layers)
        if (entry.is_object())
            opOfEntry[entry.value("name", std::string())] = entry.value("op", std::string());
    std::vector<std::string> groups;
    for (const Node& node : net.nodes()) {
        const auto it = opOfEntry.find(node.group);
        groups.push_back(it != opOfEntry.end() && !it->second.empty() ? it->second : node.group);
    }
    return groups;
}

FrameRecord makeFrameRecord(const Network& net, const std::vector<double>& layerSeconds, double totalSeconds,
                            int64_t measuredPeakBytes, bool measuredInt8)
{
    FrameRecord record;
    record.totalSeconds = totalSeconds;
    record.measuredPeakBytes = measuredPeakBytes;
    record.measuredInt8 = measuredInt8;
    const std::vector<std::string> groups = latencyGroupOfNodes(net);
    const size_t n = std::min(groups.size(), layerSeconds.size());
    for (size_t i = 0; i < n; ++i) {
        auto it = std::find_if(record.groups.begin(), record.groups.end(),
                               [&](const LayerGroupTime& g) { return g.group == groups[i]; });
        if (it == record.groups.end())
            it = record.groups.insert(record.groups.end(), LayerGroupTime{groups[i], 0.0});
        it->seconds += layerSeconds[i];
    }
    return record;
}

} // namespace rnnpool
