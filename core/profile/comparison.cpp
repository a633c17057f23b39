#include "profile/comparison.h"

namespace rnnpool {

FitReport ArchitectureComparison::fitFor(const Board& board, const std::string& schedule) const
{
    return fitOnBoard(board, profileFor(schedule));
}

Expected<ArchitectureComparison> compareArchitecture(const ArchSpec& spec, const Shape& input,
                                                     const ScheduleOptions& options)
{
    auto net = Network::build(spec);
    if (!net)
        return std::move(net).takeError();
    ArchitectureComparison c;
    c.label = spec.name;
    c.spec = spec;
    auto layerwise = profileNetwork(*net, input, "layerwise", options);
    if (!layerwise)
        return std::move(layerwise).takeError();
    auto paper = profileNetwork(*net, input, "paper", options);
    if (!paper)
        return std::move(paper).takeError();
    c.layerwise = std::move(*layerwise);
    c.paper = std::move(*paper);
    c.summary = {spec.name, spec.task, input, c.layerwise.params, c.layerwise.madds, c.layerwise.timeline.peakBytes,
                 c.paper.timeline.peakBytes};
    return c;
}

} // namespace rnnpool
