// Average precision at IoU 0.5 with VOC's all-points interpolation, plus the
// precision/recall curve and recall per face-size bucket.
//
// Faces smaller than `minFace` (box height in network-input pixels) count
// neither as hits nor as misses: a detection that matches one is ignored.
//
//   DetectionEvaluator ev(20.0f);
//   ev.addPicture(groundTruthInInputPixels, detectionsInInputPixels);
//   EvaluationResult r = ev.result();
//
// Evaluation spreads over machines through parts: each evaluates some of the
// pictures (numbered as in the whole list) and keeps its EvaluationPart; the
// parts merged give exactly the result of one run over every picture.
//
//   Expected<EvaluationPart> all = mergeEvaluationParts({partA, partB});
//   EvaluationResult r = summarize(*all);
#pragma once

#include <vector>

#include "eval/face_labels.h"
#include "util/expected.h"

namespace rnnpool {

struct ScoredBox {
    float score = 0;
    FaceBox box;
};

struct SizeBucket {
    float minHeight = 0, maxHeight = 0; // [min, max) in network-input pixels
    int faces = 0;
    int found = 0;
    double recall() const { return faces ? static_cast<double>(found) / faces : 0.0; }
};

struct EvaluationResult {
    double ap = 0.0;
    std::vector<double> precision, recall; // one point per detection, by falling score
    std::vector<float> scores;             // the score of each point
    int numFaces = 0;                      // faces at least minFace high
    int numImages = 0;
    int numDetections = 0;
    std::vector<SizeBucket> buckets;
};

// A counted detection: a hit or a false alarm (ignored ones are not kept).
struct ScoredOutcome {
    float score = 0;
    bool hit = false;
    int picture = 0; // index in the whole list of pictures
};

// What a set of pictures contributes; enough to merge exactly.
struct EvaluationPart {
    float minFace = 0, iou = 0.5f;
    int faces = 0, images = 0;
    std::vector<SizeBucket> buckets;
    std::vector<int> pictures;         // the indices of the pictures evaluated
    std::vector<ScoredOutcome> scored; // per picture in the order added, by falling score within it
};

// The curve and AP of a part: detections ordered by falling score, ties by
// picture index, then as added; so any split of the pictures merges to the same.
EvaluationResult summarize(const EvaluationPart& part);

// How one picture's detections meet its faces, as the evaluator counts them:
// detections in falling score order each take the unmatched face they
// overlap most (IoU >= `iou`); one that overlaps a face below `minFace` is
// ignored. For each face, the score of the detection that found it, so that
// at any threshold t a face counts as found when that score is >= t (greedy
// matching by falling score does not depend on the detections below t).
struct PictureMatch {
    enum class Outcome { Hit, FalseAlarm, Ignored };
    std::vector<Outcome> detections;   // per detection, in the order given
    std::vector<float> foundAtScore;   // per face: the finding detection's score, or -1
    std::vector<bool> counted;         // per face: at least minFace high
};
PictureMatch matchPicture(const std::vector<FaceBox>& faces, const std::vector<ScoredBox>& detections, float minFace,
                          float iouThreshold = 0.5f);

class DetectionEvaluator {
public:
    explicit DetectionEvaluator(float minFace, float iouThreshold = 0.5f);
    // `picture`: the picture's index in the whole list (default: the count so far).
    void addPicture(const std::vector<FaceBox>& faces, const std::vector<ScoredBox>& detections, int picture = -1);
    const EvaluationPart& part() const { return m_part; }
    EvaluationResult result() const { return summarize(m_part); }

private:
    EvaluationPart m_part;
};

// Sums the parts; an error when their settings or buckets differ or two hold the same picture.
Expected<EvaluationPart> mergeEvaluationParts(const std::vector<EvaluationPart>& parts);

// At most about `maxPoints` indices of a curve of `count` points that keep
// its shape: the first point reaching each of maxPoints*2/3 evenly spaced
// recall levels, plus evenly spaced points over the whole length, plus the last.
std::vector<size_t> thinCurve(const std::vector<double>& recall, size_t maxPoints);

float boxIou(const FaceBox& a, const FaceBox& b);

} // namespace rnnpool
