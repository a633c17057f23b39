#include "eval/average_precision.h"

#include <algorithm>
#include <limits>
#include <set>

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
{
    m_part.minFace = minFace;
    m_part.iou = iouThreshold;
    const float inf = std::numeric_limits<float>::infinity();
    for (auto [lo, hi] : {std::pair{minFace, 32.0f}, {32.0f, 64.0f}, {64.0f, 128.0f}, {128.0f, inf}})
        if (hi > lo)
            m_part.buckets.push_back({std::max(lo, minFace), hi, 0, 0});
}

PictureMatch matchPicture(const std::vector<FaceBox>& faces, const std::vector<ScoredBox>& detections, float minFace,
                          float iouThreshold)
{
    PictureMatch m;
    m.detections.assign(detections.size(), PictureMatch::Outcome::FalseAlarm);
    m.foundAtScore.assign(faces.size(), -1.0f);
    m.counted.resize(faces.size());
    for (size_t f = 0; f < faces.size(); ++f)
        m.counted[f] = faces[f].height() >= minFace;
    std::vector<size_t> order(detections.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return detections[a].score > detections[b].score; });
    std::vector<bool> taken(faces.size(), false);
    for (size_t i : order) {
        const ScoredBox& d = detections[i];
        int best = -1;
        float bestIou = iouThreshold;
        for (size_t f = 0; f < faces.size(); ++f) {
            const float iou = boxIou(d.box, faces[f]);
            if (iou >= bestIou) {
                bestIou = iou;
                best = static_cast<int>(f);
            }
        }
        if (best >= 0 && !m.counted[static_cast<size_t>(best)]) {
            m.detections[i] = PictureMatch::Outcome::Ignored; // matches a face too small to count
            continue;
        }
        if (best >= 0 && !taken[static_cast<size_t>(best)]) {
            taken[static_cast<size_t>(best)] = true;
            m.foundAtScore[static_cast<size_t>(best)] = d.score;
            m.detections[i] = PictureMatch::Outcome::Hit;
        }
    }
    return m;
}

void DetectionEvaluator::addPicture(const std::vector<FaceBox>& faces, const std::vector<ScoredBox>& detections, int picture)
{
    if (picture < 0)
        picture = m_part.images;
    ++m_part.images;
    m_part.pictures.push_back(picture);
    const PictureMatch match = matchPicture(faces, detections, m_part.minFace, m_part.iou);
    // Counted detections by falling score (stable: ties keep the order given).
    std::vector<size_t> order(detections.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return detections[a].score > detections[b].score; });
    for (size_t i : order)
        if (match.detections[i] != PictureMatch::Outcome::Ignored)
            m_part.scored.push_back({detections[i].score, match.detections[i] == PictureMatch::Outcome::Hit, picture});
    for (size_t f = 0; f < faces.size(); ++f) {
        if (!match.counted[f])
            continue;
        const float h = faces[f].height();
        ++m_part.faces;
        for (SizeBucket& b : m_part.buckets)
            if (h >= b.minHeight && h < b.maxHeight) {
                ++b.faces;
                b.found += match.foundAtScore[f] >= 0.0f ? 1 : 0;
            }
    }
}

EvaluationResult summarize(const EvaluationPart& part)
{
    EvaluationResult r;
    r.numFaces = part.faces;
    r.numImages = part.images;
    r.buckets = part.buckets;
    std::vector<ScoredOutcome> sorted = part.scored;
    std::stable_sort(sorted.begin(), sorted.end(), [](const ScoredOutcome& a, const ScoredOutcome& b) {
        return a.score != b.score ? a.score > b.score : a.picture < b.picture;
    });
    r.numDetections = static_cast<int>(sorted.size());
    int tp = 0, fp = 0;
    for (const ScoredOutcome& s : sorted) {
        (s.hit ? tp : fp) += 1;
        r.precision.push_back(static_cast<double>(tp) / (tp + fp));
        r.recall.push_back(part.faces ? static_cast<double>(tp) / part.faces : 0.0);
        r.scores.push_back(s.score);
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

Expected<EvaluationPart> mergeEvaluationParts(const std::vector<EvaluationPart>& parts)
{
    if (parts.empty())
        return makeError("no parts to merge");
    EvaluationPart out = parts.front();
    out.faces = out.images = 0;
    out.scored.clear();
    out.pictures.clear();
    for (SizeBucket& b : out.buckets)
        b.faces = b.found = 0;
    std::set<int> pictures;
    for (size_t i = 0; i < parts.size(); ++i) {
        const EvaluationPart& p = parts[i];
        const std::string which = "part " + std::to_string(i + 1);
        if (p.minFace != out.minFace || p.iou != out.iou)
            return makeError(which + " was evaluated with another minimum face size or IoU threshold");
        if (p.buckets.size() != out.buckets.size())
            return makeError(which + " has other face-size buckets");
        out.faces += p.faces;
        out.images += p.images;
        for (size_t b = 0; b < p.buckets.size(); ++b) {
            if (p.buckets[b].minHeight != out.buckets[b].minHeight || p.buckets[b].maxHeight != out.buckets[b].maxHeight)
                return makeError(which + " has other face-size buckets");
            out.buckets[b].faces += p.buckets[b].faces;
            out.buckets[b].found += p.buckets[b].found;
        }
        for (int picture : p.pictures)
            if (!pictures.insert(picture).second)
                return makeError(which + " holds picture " + std::to_string(picture) + ", which another part holds too");
        out.pictures.insert(out.pictures.end(), p.pictures.begin(), p.pictures.end());
        out.scored.insert(out.scored.end(), p.scored.begin(), p.scored.end());
    }
    return out;
}

std::vector<size_t> thinCurve(const std::vector<double>& recall, size_t maxPoints)
{
    const size_t n = recall.size();
    if (n <= maxPoints)
        return [n] {
            std::vector<size_t> all(n);
            for (size_t i = 0; i < n; ++i)
                all[i] = i;
            return all;
        }();
    std::set<size_t> keep{0, n - 1};
    const size_t levels = std::max<size_t>(1, maxPoints * 2 / 3);
    const size_t spaced = std::max<size_t>(2, maxPoints - levels - 2);
    const double top = recall.back();
    size_t i = 0;
    for (size_t l = 1; l <= levels && top > 0.0; ++l) {
        const double level = top * static_cast<double>(l) / static_cast<double>(levels);
        while (i < n && recall[i] < level)
            ++i;
        if (i < n)
            keep.insert(i);
    }
    for (size_t s = 0; s < spaced; ++s)
        keep.insert(s * (n - 1) / (spaced - 1));
    return {keep.begin(), keep.end()};
}

} // namespace rnnpool
