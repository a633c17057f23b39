#include "profile/model_profile.h"

#include "mcu/fit_report.h"
#include "profile/arena.h"

namespace rnnpool {

Expected<ModelProfile> profileNetwork(Network& net, const Shape& input, const std::string& scheduleName,
                                      const ScheduleOptions& options)
{
    ModelProfile p;
    p.input = input;
    auto layers = net.describe(input);
    if (!layers)
        return std::move(layers).takeError();
    p.layers = std::move(*layers);
    auto schedule = scheduleByName(net, scheduleName);
    if (!schedule)
        return std::move(schedule).takeError();
    p.schedule = std::move(*schedule);
    auto timeline = buildTimeline(net, p.schedule, input, options);
    if (!timeline)
        return std::move(timeline).takeError();
    p.timeline = std::move(*timeline);
    p.plan = planGreedyBySize(bufferRequests(p.timeline));

    const int64_t element = elementBytes(options.dtype);
    for (const LayerInfo& l : p.layers) {
        p.params += l.params;
        p.madds += l.madds;
        p.outputBytes.push_back(shapeNumel(l.outputShape) * element);
    }
    p.kernelScratchBytes = kernelScratchBytes(net);
    p.liveAtLayer.assign(p.layers.size(), 0);
    for (size_t u = 0; u < p.schedule.units.size(); ++u)
        for (int n : p.schedule.units[u].nodes)
            p.liveAtLayer[static_cast<size_t>(n)] = p.timeline.liveBytes[u];
    return p;
}

} // namespace rnnpool
