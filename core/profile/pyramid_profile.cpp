#include "profile/pyramid_profile.h"

#include <algorithm>

#include "engine/image_pyramid.h"
#include "profile/memory_timeline.h"

namespace rnnpool {

Expected<std::vector<PyramidLevelProfile>> profilePyramid(Network& net, const Shape& input, int levels,
                                                          const std::string& schedule, const ScheduleOptions& options,
                                                          const ModelProfile* inputProfile)
{
    std::vector<PyramidLevelProfile> out;
    for (const Size2& size : pyramidSizes({input[2], input[1]}, levels)) {
        const Shape shape{input[0], size.height, size.width};
        if (out.empty() && inputProfile) {
            out.push_back({shape, inputProfile->madds, inputProfile->timeline.peakBytes, inputProfile->peakStepName()});
            continue;
        }
        auto profile = profileNetwork(net, shape, schedule, options);
        if (!profile)
            return makeError("pyramid level " + std::to_string(size.width) + "x" + std::to_string(size.height) + ": " +
                             profile.error());
        out.push_back({shape, profile->madds, profile->timeline.peakBytes, profile->peakStepName()});
    }
    return out;
}

int64_t pyramidMadds(const std::vector<PyramidLevelProfile>& levels)
{
    int64_t sum = 0;
    for (const PyramidLevelProfile& l : levels)
        sum += l.madds;
    return sum;
}

int64_t pyramidPeakBytes(const std::vector<PyramidLevelProfile>& levels)
{
    int64_t peak = 0;
    for (const PyramidLevelProfile& l : levels)
        peak = std::max(peak, l.peakBytes);
    return peak;
}

int64_t pyramidLevelBufferElements(const std::vector<Shape>& levelInputs)
{
    if (levelInputs.size() < 2)
        return 0;
    const Shape& input = levelInputs[0];
    return shapeNumel(levelInputs[1]) + 2 * input[0] * input[2];
}

int64_t pyramidLevelBufferBytes(const std::vector<PyramidLevelProfile>& levels, ElementType dtype)
{
    std::vector<Shape> inputs;
    for (const PyramidLevelProfile& l : levels)
        inputs.push_back(l.input);
    return pyramidLevelBufferElements(inputs) * elementBytes(dtype);
}

} // namespace rnnpool
