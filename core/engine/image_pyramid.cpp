#include "engine/image_pyramid.h"

#include <algorithm>


namespace rnnpool {

std::vector<Size2> pyramidSizes(Size2 input, int levels)
{
    std::vector<Size2> sizes{input};
    for (int k = 1; k < levels; ++k) {
        const Size2 next{sizes.back().width / 2, sizes.back().height / 2};
        if (next.width < kMinPyramidSide || next.height < kMinPyramidSide)
            break;
        sizes.push_back(next);
    }
    return sizes;
}

Tensor halveTensor(const Tensor& chw)
{
    const int64_t c = chw.dim(0), h = chw.dim(1) / 2, w = chw.dim(2) / 2;
    Tensor out = Tensor::uninitialized({c, h, w});
    for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t y = 0; y < h; ++y)
            for (int64_t x = 0; x < w; ++x)
                out.at(ch, y, x) = 0.25f * (chw.at(ch, 2 * y, 2 * x) + chw.at(ch, 2 * y, 2 * x + 1) +
                                            chw.at(ch, 2 * y + 1, 2 * x) + chw.at(ch, 2 * y + 1, 2 * x + 1));
    return out;
}

namespace {

// The part of the smaller box that lies inside the other; 0 when the larger
// is more than `maxRatio` times the smaller's area.
float containment(const Detection& a, const Detection& b, float maxRatio)
{
    const float w = std::max(0.0f, std::min(a.x2, b.x2) - std::max(a.x1, b.x1));
    const float h = std::max(0.0f, std::min(a.y2, b.y2) - std::max(a.y1, b.y1));
    const float areaA = (a.x2 - a.x1) * (a.y2 - a.y1), areaB = (b.x2 - b.x1) * (b.y2 - b.y1);
    const float smaller = std::min(areaA, areaB), larger = std::max(areaA, areaB);
    return smaller > 0.0f && larger <= maxRatio * smaller ? w * h / smaller : 0.0f;
}

} // namespace

std::vector<Detection> mergePyramidLevels(const std::vector<PyramidLevelDetections>& levels, const PyramidMerge& merge)
{
    struct Candidate {
        Detection box;
        size_t level;
    };
    std::vector<Candidate> all;
    for (size_t k = 0; k < levels.size(); ++k) {
        const PyramidLevelDetections& level = levels[k];
        for (const Detection& d : level.detections) {
            if (k > 0 && (d.y2 - d.y1) * static_cast<float>(level.size.height) < merge.minCoarseHeight)
                continue;
            all.push_back({{d.score, d.x1 * level.coverX, d.y1 * level.coverY, d.x2 * level.coverX, d.y2 * level.coverY}, k});
        }
    }
    // Stable, so equal scores keep level order (finer first) and the result
    // does not depend on the sort's implementation.
    std::stable_sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) { return a.box.score > b.box.score; });
    // Each level's boxes went through NMS already (no two overlap by more
    // than its threshold), so a box is compared with the other levels' kept
    // boxes only: the result is the same and the work a fraction.
    std::vector<std::vector<Detection>> keptByLevel(levels.size());
    std::vector<Candidate> kept;
    for (const Candidate& c : all) {
        if (static_cast<int64_t>(kept.size()) >= merge.keepTopK)
            break;
        bool suppressed = false;
        for (size_t k = 0; k < keptByLevel.size() && !suppressed; ++k)
            if (k != c.level)
                suppressed = std::any_of(keptByLevel[k].begin(), keptByLevel[k].end(), [&](const Detection& other) {
                    return intersectionOverUnion(c.box, other) > merge.nmsThreshold ||
                           containment(c.box, other, merge.containMaxRatio) > merge.containThreshold;
                });
        if (!suppressed) {
            kept.push_back(c);
            keptByLevel[c.level].push_back(c.box);
        }
    }
    std::vector<Detection> out;
    out.reserve(kept.size());
    for (const Candidate& c : kept)
        out.push_back(c.box);
    return out;
}

int defaultPyramidLevels(const Model& model)
{
    return model.pyramidLevels.value_or(1);
}

} // namespace rnnpool
