#include "mcu/latency_check.h"

#include <algorithm>
#include <map>

#include "model/network.h"

namespace rnnpool {

double ClassLatencyCheck::predictedBy(const std::string& profile) const
{
    for (const auto& [name, cycles] : predicted)
        if (name == profile)
            return cycles;
    return 0.0;
}

double ClassLatencyCheck::ratio(const std::string& profile) const
{
    return measuredInstructions > 0 ? predictedBy(profile) / static_cast<double>(measuredInstructions) : 0.0;
}

Expected<std::vector<LayerWork>> architectureWork(const ArchSpec& spec, const Shape& inputShape)
{
    auto net = Network::build(spec);
    if (!net)
        return std::move(net).takeError();
    return measureWork(*net, inputShape);
}

LatencyCheck compareWithMeasured(const std::vector<LayerWork>& work,
                                 const std::vector<std::pair<std::string, uint64_t>>& measured,
                                 const std::vector<CostProfile>& profiles)
{
    std::map<std::string, uint64_t> byName(measured.begin(), measured.end());
    LatencyCheck check;
    std::map<OpClass, ClassLatencyCheck> classes;
    for (const LayerWork& w : work) {
        const auto it = byName.find(w.name);
        if (it == byName.end()) {
            if (w.macs > 0 || w.outputs > 0)
                check.unmeasured.push_back(w.name);
            continue;
        }
        LayerLatencyCheck layer{w, it->second, {}};
        ClassLatencyCheck& c = classes[w.opClass];
        c.opClass = w.opClass;
        ++c.layers;
        c.measuredInstructions += it->second;
        for (const CostProfile& p : profiles) {
            const double cycles = layerCycles(w, p) + p.perLayer;
            layer.predicted.emplace_back(p.name, cycles);
            auto slot = std::find_if(c.predicted.begin(), c.predicted.end(), [&](const auto& e) { return e.first == p.name; });
            if (slot == c.predicted.end())
                c.predicted.emplace_back(p.name, cycles);
            else
                slot->second += cycles;
        }
        check.layers.push_back(std::move(layer));
        byName.erase(it);
    }
    for (const auto& [name, instructions] : byName)
        check.unknown.push_back(name);
    for (auto& [cls, c] : classes)
        check.classes.push_back(std::move(c));
    return check;
}

} // namespace rnnpool
