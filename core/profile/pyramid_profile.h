// The cost of running a detector as an image pyramid (engine/image_pyramid.h):
// multiply-adds and peak activation memory of every level under a schedule.
// Levels run one after another in the same arena, so the pyramid's peak is
// the largest level's peak (the first). Beside the arena the coarser levels
// need their picture: level 1, made from the input's rows as they arrive (two
// rows held to average) and halved in place for each further level
// (pyramidLevelBufferBytes; the firmware of `rnnpool m4 run --pyramid` keeps
// it in CCM). The frame itself is never held whole for the pyramid's sake.
//
//   auto levels = profilePyramid(net, {1, 240, 320}, 3, "paper", options);
//   int64_t madds = pyramidMadds(*levels);
// A caller that profiled the input already passes that profile as
// `inputProfile` (same network, input, schedule and options), and the first
// level is taken from it instead of being profiled again.
#pragma once

#include <vector>

#include "profile/model_profile.h"

namespace rnnpool {

struct PyramidLevelProfile {
    Shape input;             // CHW
    int64_t madds = 0;
    int64_t peakBytes = 0;
    std::string peakLayer;
};

Expected<std::vector<PyramidLevelProfile>> profilePyramid(Network& net, const Shape& input, int levels,
                                                          const std::string& schedule, const ScheduleOptions& options,
                                                          const ModelProfile* inputProfile = nullptr);

int64_t pyramidMadds(const std::vector<PyramidLevelProfile>& levels);
int64_t pyramidPeakBytes(const std::vector<PyramidLevelProfile>& levels);
// The coarser levels' picture beside the arena, in elements: level 1's map and
// two rows of the input; 0 for the input alone. `levelInputs` are CHW, the input first.
int64_t pyramidLevelBufferElements(const std::vector<Shape>& levelInputs);
int64_t pyramidLevelBufferBytes(const std::vector<PyramidLevelProfile>& levels, ElementType dtype);

} // namespace rnnpool
