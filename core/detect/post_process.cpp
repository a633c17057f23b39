#include "detect/post_process.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rnnpool {

HeadOutputs collectHeads(const Network& net, const RunResult& result)
{
    HeadOutputs out;
    for (const auto& [locIndex, confIndex] : net.heads()) {
        const Tensor& loc = result.outputs[static_cast<size_t>(locIndex)];
        const Tensor& conf = result.outputs[static_cast<size_t>(confIndex)];
        const int64_t h = loc.dim(1), w = loc.dim(2);
        out.featureMaps.emplace_back(h, w);
        for (int64_t y = 0; y < h; ++y)
            for (int64_t x = 0; x < w; ++x) {
                for (int64_t c = 0; c < loc.dim(0); ++c)
                    out.loc.push_back(loc.at(c, y, x));
                for (int64_t c = 0; c < conf.dim(0); ++c)
                    out.conf.push_back(conf.at(c, y, x));
            }
    }
    return out;
}

void priorOf(size_t k, int64_t i, int64_t j, int64_t inputWidth, int64_t inputHeight, const DetectorConfig& config,
             float* prior)
{
    // EdgeML computes these in double precision and stores them as float32.
    const double fw = static_cast<double>(inputWidth) / static_cast<double>(config.steps[k]);
    const double fh = static_cast<double>(inputHeight) / static_cast<double>(config.steps[k]);
    prior[0] = static_cast<float>((static_cast<double>(j) + 0.5) / fw);
    prior[1] = static_cast<float>((static_cast<double>(i) + 0.5) / fh);
    prior[2] = static_cast<float>(static_cast<double>(config.anchorSizes[k]) / static_cast<double>(inputWidth));
    prior[3] = static_cast<float>(static_cast<double>(config.anchorSizes[k]) / static_cast<double>(inputHeight));
}

std::vector<float> makePriors(const std::vector<std::pair<int64_t, int64_t>>& featureMaps, int64_t inputWidth,
                              int64_t inputHeight, const DetectorConfig& config)
{
    std::vector<float> priors;
    for (size_t k = 0; k < featureMaps.size() && k < config.steps.size(); ++k)
        for (int64_t i = 0; i < featureMaps[k].first; ++i)
            for (int64_t j = 0; j < featureMaps[k].second; ++j) {
                float p[4];
                priorOf(k, i, j, inputWidth, inputHeight, config, p);
                priors.insert(priors.end(), p, p + 4);
            }
    return priors;
}

float faceScore(float background, float face)
{
    const float m = std::max(background, face);
    const float e0 = std::exp(background - m), e1 = std::exp(face - m);
    return e1 / (e0 + e1);
}

Detection decodeBox(const float* p, const float* l, float score, const DetectorConfig& config)
{
    const float cx = p[0] + l[0] * config.centerVariance * p[2];
    const float cy = p[1] + l[1] * config.centerVariance * p[3];
    const float w = p[2] * std::exp(l[2] * config.sizeVariance);
    const float h = p[3] * std::exp(l[3] * config.sizeVariance);
    Detection d;
    d.score = score;
    d.x1 = cx - w / 2.0f;
    d.y1 = cy - h / 2.0f;
    d.x2 = d.x1 + w;
    d.y2 = d.y1 + h;
    return d;
}

float intersectionOverUnion(const Detection& a, const Detection& b)
{
    const float w = std::max(0.0f, std::min(a.x2, b.x2) - std::max(a.x1, b.x1));
    const float h = std::max(0.0f, std::min(a.y2, b.y2) - std::max(a.y1, b.y1));
    const float inter = w * h;
    const float areaA = (a.x2 - a.x1) * (a.y2 - a.y1);
    const float areaB = (b.x2 - b.x1) * (b.y2 - b.y1);
    const float uni = areaA - inter + areaB;
    return uni > 0.0f ? inter / uni : 0.0f;
}

namespace {

// A kept box's voters: their scores, and their corners weighted by them.
struct VoteSum {
    double weight = 0.0, x1 = 0.0, y1 = 0.0, x2 = 0.0, y2 = 0.0;
    void add(const Detection& d)
    {
        const auto w = static_cast<double>(d.score);
        weight += w;
        x1 += w * static_cast<double>(d.x1);
        y1 += w * static_cast<double>(d.y1);
        x2 += w * static_cast<double>(d.x2);
        y2 += w * static_cast<double>(d.y2);
    }
    void applyTo(Detection& d) const
    {
        if (!(weight > 0.0))
            return;
        d.x1 = static_cast<float>(x1 / weight);
        d.y1 = static_cast<float>(y1 / weight);
        d.x2 = static_cast<float>(x2 / weight);
        d.y2 = static_cast<float>(y2 / weight);
    }
};

} // namespace

// A candidate survives when no box kept before it overlaps it by more than
// the threshold. Asking each candidate about the few kept boxes (and stopping
// at the first overlap) keeps the same boxes as letting each kept box
// suppress all later candidates, at a fraction of the IoUs: a trained model's
// thousands of candidates cluster on a few faces. The first overlapping kept
// box is also the one a suppressed candidate votes for; with voting, the
// candidates past keepTopK are still asked, for their votes only.
std::vector<Detection> nonMaximumSuppression(const std::vector<Detection>& candidates, float iouThreshold,
                                             int64_t keepTopK, float voteThreshold)
{
    const bool vote = voteThreshold > 0.0f;
    std::vector<Detection> kept;
    std::vector<VoteSum> votes;
    for (const Detection& candidate : candidates) {
        const bool full = static_cast<int64_t>(kept.size()) >= keepTopK;
        if (full && !vote)
            break;
        size_t owner = kept.size();
        float overlap = 1.0f; // a box kept now votes for itself
        for (size_t k = 0; k < kept.size(); ++k) {
            const float iou = intersectionOverUnion(kept[k], candidate);
            if (iou > iouThreshold) {
                owner = k;
                overlap = iou;
                break;
            }
        }
        if (owner == kept.size()) {
            if (full)
                continue;
            kept.push_back(candidate);
            if (vote)
                votes.emplace_back();
        }
        if (vote && overlap >= voteThreshold)
            votes[owner].add(candidate);
    }
    for (size_t k = 0; k < votes.size(); ++k)
        votes[k].applyTo(kept[k]);
    return kept;
}

std::vector<Detection> postProcess(const HeadOutputs& heads, int64_t inputWidth, int64_t inputHeight,
                                   const DetectorConfig& config)
{
    const std::vector<float> priors = makePriors(heads.featureMaps, inputWidth, inputHeight, config);
    const int64_t n = std::min<int64_t>(heads.count(), static_cast<int64_t>(priors.size() / 4));

    std::vector<Detection> candidates;
    std::vector<int64_t> priorIndex;
    for (int64_t i = 0; i < n; ++i) {
        const float score = faceScore(heads.conf[2 * i], heads.conf[2 * i + 1]);
        if (!(score > config.confidenceThreshold))
            continue;
        candidates.push_back(decodeBox(&priors[4 * i], &heads.loc[4 * i], score, config));
        priorIndex.push_back(i);
    }
    // Highest scores first; NMS looks at the top nmsTopK only. EdgeML sorts
    // ascending (stably) and walks from the end, so among equal scores the
    // later prior comes first. Random and untrained weights produce many exact
    // ties (e.g. in the replicate-padded border), so the order matters.
    std::vector<size_t> order(candidates.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return rankedBefore(candidates[a].score, priorIndex[a], candidates[b].score, priorIndex[b]);
    });
    if (static_cast<int64_t>(order.size()) > config.nmsTopK)
        order.resize(static_cast<size_t>(config.nmsTopK));
    std::vector<Detection> sorted;
    sorted.reserve(order.size());
    for (size_t i : order)
        sorted.push_back(candidates[i]);
    candidates = std::move(sorted);

    return nonMaximumSuppression(candidates, config.nmsThreshold, config.keepTopK, config.voteThreshold);
}

} // namespace rnnpool
