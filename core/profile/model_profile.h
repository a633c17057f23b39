// ModelProfile: everything `rnnpool profile` reports for one network, input
// size, schedule and element type, computed once so the command line and the
// studio's memory view show the same numbers.
//
//   Expected<ModelProfile> p = profileNetwork(net, {3, 240, 320}, "paper", options);
//   p->timeline.peakBytes;  p->liveAtLayer[i];  p->peakStepName();
#pragma once

#include <string>
#include <vector>

#include "profile/memory_planner.h"
#include "profile/schedule.h"

namespace rnnpool {

struct ModelProfile {
    Shape input;                     // CHW
    std::vector<LayerInfo> layers;   // per node
    int64_t params = 0;
    int64_t madds = 0;
    Schedule schedule;
    MemoryTimeline timeline;
    MemoryPlan plan;                 // greedy placement of the timeline's tensors
    // Bytes live while each node runs: the live bytes of the step that runs it.
    std::vector<int64_t> liveAtLayer;
    // Output bytes of each node at the element type.
    std::vector<int64_t> outputBytes;
    // The convolution kernels' working buffer outside the arena (mcu/fit_report.h).
    int64_t kernelScratchBytes = 0;

    const std::string& peakStepName() const { return timeline.steps[static_cast<size_t>(timeline.peakStep)]; }
};

// `schedule` is a name scheduleByName() knows ("layerwise", "paper").
Expected<ModelProfile> profileNetwork(Network& net, const Shape& input, const std::string& schedule,
                                      const ScheduleOptions& options);

} // namespace rnnpool
