#include "eval/average_precision.h"

#include <algorithm>
#include <limits>

namespace rnnpool {

float boxIou(const FaceBox& a, const FaceBox& b)
{
    const float w = std::max(0.0f, std::min(a.x2, b.x2) - std::max(a.x1, b.x1));
    const float h = std::max(0.0f, std::min(a.y2, b.y2) - std::max(a.y1, b.y1));
    const float inter = w * h;
    const float uni = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
    return uni > 0 ? inter / uni : 0.0f;
}

DetectionEvaluator::DetectionEvaluator(float minFace, float iouThreshold)
    : m_minFace(minFace), m_iou(iouThreshold)
{
    const float inf = std::numeric_limits<float>::infinity();
    for (auto [lo, hi] : {std::pair{minFace, 32.0f}, {32.0f, 64.0f}, {64.0f, 128.0f}, {128.0f, inf}})
        if (hi > lo)
            m_buckets.push_back({std::max(lo, minFace), hi, 0, 0});
}

void DetectionEvaluator::addPicture(const std::vector<FaceBox>& faces, const std::vector<ScoredBox>& detections)
{
    ++m_images;
    std::vector<ScoredBox> sorted = detections;
    std::stable_sort(sorted.begin(), sorted.end(), [](const ScoredBox& a, const ScoredBox& b) { return a.score > b.score; });
    std::vector<bool> taken(faces.size(), false);
    for (const ScoredBox& d : sorted) {
        int best = -1;
        float bestIou = m_iou;
        for (size_t f = 0; f < faces.size(); ++f) {
            const float iou = boxIou(d.box, faces[f]);
            if (iou >= bestIou) {
                bestIou = iou;
                best = static_cast<int>(f);
            }
        }
        int outcome = 0;
        if (best >= 0 && faces[static_cast<size_t>(best)].height() < m_minFace)
            outcome = -1; // matches a face too small to count
        else if (best >= 0 && !taken[static_cast<size_t>(best)]) {
            taken[static_cast<size_t>(best)] = true;
            outcome = 1;
        }
        m_scored.push_back({d.score, outcome});
    }
    for (size_t f = 0; f < faces.size(); ++f) {
        const float h = faces[f].height();
        if (h < m_minFace)
            continue;
        ++m_faces;
        for (SizeBucket& b : m_buckets)
            if (h >= b.minHeight && h < b.maxHeight) {
                ++b.faces;
                b.found += taken[f] ? 1 : 0;
            }
    }
}

EvaluationResult DetectionEvaluator::result() const
{
    EvaluationResult r;
    r.numFaces = m_faces;
    r.numImages = m_images;
    r.buckets = m_buckets;
    std::vector<Scored> sorted;
    for (const Scored& s : m_scored)
        if (s.outcome >= 0)
            sorted.push_back(s);
    std::stable_sort(sorted.begin(), sorted.end(), [](const Scored& a, const Scored& b) { return a.score > b.score; });
    r.numDetections = static_cast<int>(sorted.size());
    int tp = 0, fp = 0;
    for (const Scored& s : sorted) {
        (s.outcome == 1 ? tp : fp) += 1;
        r.precision.push_back(static_cast<double>(tp) / (tp + fp));
        r.recall.push_back(m_faces ? static_cast<double>(tp) / m_faces : 0.0);
    }
    // All-points interpolation: precision made monotone from the right, then
    // summed over the recall steps.
    std::vector<double> p = r.precision;
    for (int i = static_cast<int>(p.size()) - 2; i >= 0; --i)
        p[static_cast<size_t>(i)] = std::max(p[static_cast<size_t>(i)], p[static_cast<size_t>(i) + 1]);
    double previousRecall = 0.0;
    for (size_t i = 0; i < p.size(); ++i) {
        r.ap += (r.recall[i] - previousRecall) * p[i];
        previousRecall = r.recall[i];
    }
    return r;
}

} // namespace rnnpool
