// S3FD post-processing exactly as EdgeML's test phase does it: prior boxes from
// the actual head sizes, decoding with the variances, a two-class softmax, the
// confidence threshold, and greedy NMS over the top candidates.
//
//   HeadOutputs heads = collectHeads(net, runResult);
//   std::vector<Detection> d = postProcess(heads, inputWidth, inputHeight, config);
#pragma once

#include <vector>

#include "detect/detector_config.h"
#include "model/network.h"

namespace rnnpool {

// A face: score and corners as fractions of the network input's width/height.
struct Detection {
    float score = 0.0f;
    float x1 = 0.0f, y1 = 0.0f, x2 = 0.0f, y2 = 0.0f;
};

// The heads' raw outputs, flattened as EdgeML flattens them: each head's map
// permuted to H,W,C and concatenated in head order.
struct HeadOutputs {
    std::vector<float> loc;                  // N·4
    std::vector<float> conf;                 // N·2 (background, face)
    std::vector<std::pair<int64_t, int64_t>> featureMaps; // (height, width) per head
    int64_t count() const { return static_cast<int64_t>(loc.size() / 4); }
};

HeadOutputs collectHeads(const Network& net, const RunResult& result);

// Priors (cx, cy, w, h) as fractions, N·4, in head order.
std::vector<float> makePriors(const std::vector<std::pair<int64_t, int64_t>>& featureMaps, int64_t inputWidth,
                              int64_t inputHeight, const DetectorConfig& config);

std::vector<Detection> postProcess(const HeadOutputs& heads, int64_t inputWidth, int64_t inputHeight,
                                   const DetectorConfig& config);

// The pieces of postProcess, for a decoder that sees the heads a row at a time
// (quant/candidate_store.h) and must find the very same detections:
// the face score of a (background, face) pair (a two-class softmax);
float faceScore(float background, float face);
// the order candidates are ranked in (score, then the later prior first);
inline bool rankedBefore(float scoreA, int64_t priorA, float scoreB, int64_t priorB)
{
    return scoreA != scoreB ? scoreA > scoreB : priorA > priorB;
}
// prior (row i, column j) of head k as makePriors makes it, (cx, cy, w, h);
void priorOf(size_t k, int64_t i, int64_t j, int64_t inputWidth, int64_t inputHeight, const DetectorConfig& config,
             float* prior);
// a candidate's box from its prior and its loc values.
Detection decodeBox(const float* prior, const float* loc, float score, const DetectorConfig& config);

float intersectionOverUnion(const Detection& a, const Detection& b);

// Greedy NMS over candidates sorted best first: keeps a box unless one kept
// before it overlaps it by more than `iouThreshold`; at most `keepTopK`.
// `voteThreshold` > 0 adds box voting: a suppressed candidate belongs to the
// first kept box that overlaps it by more than `iouThreshold`; where that
// overlap is at least `voteThreshold`, it joins the kept box's corners,
// averaged with the scores as weights (the kept box's own included). Scores
// and the boxes kept do not change, only their corners.
std::vector<Detection> nonMaximumSuppression(const std::vector<Detection>& candidates, float iouThreshold,
                                             int64_t keepTopK, float voteThreshold = 0.0f);

} // namespace rnnpool
