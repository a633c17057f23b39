#include "profile/profile_summary.h"

#include "profile/schedule.h"

namespace rnnpool {

Expected<ProfileSummary> summariseArchitecture(const ArchSpec& spec, const Shape& input, const ScheduleOptions& options)
{
    auto net = Network::build(spec);
    if (!net)
        return std::move(net).takeError();
    ProfileSummary s{spec.name, spec.task, input};
    auto layers = net->describe(input);
    if (!layers)
        return std::move(layers).takeError();
    for (const LayerInfo& l : *layers) {
        s.params += l.params;
        s.madds += l.madds;
    }
    auto layerwise = buildTimeline(*net, layerwiseSchedule(*net), input, options);
    if (!layerwise)
        return std::move(layerwise).takeError();
    auto paper = buildTimeline(*net, paperSchedule(*net), input, options);
    if (!paper)
        return std::move(paper).takeError();
    s.layerwisePeak = layerwise->peakBytes;
    s.paperPeak = paper->peakBytes;
    return s;
}

} // namespace rnnpool
