// Average precision at IoU 0.5 with VOC's all-points interpolation, plus the
// precision/recall curve and recall per face-size bucket.
//
// Faces smaller than `minFace` (box height in network-input pixels) count
// neither as hits nor as misses: a detection that matches one is ignored.
//
//   DetectionEvaluator ev(20.0f);
//   ev.addPicture(groundTruthInInputPixels, detectionsInInputPixels);
//   EvaluationResult r = ev.result();
#pragma once

#include <vector>

#include "eval/face_labels.h"

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
    int numFaces = 0;                      // faces at least minFace high
    int numImages = 0;
    int numDetections = 0;
    std::vector<SizeBucket> buckets;
};

class DetectionEvaluator {
public:
    explicit DetectionEvaluator(float minFace, float iouThreshold = 0.5f);
    void addPicture(const std::vector<FaceBox>& faces, const std::vector<ScoredBox>& detections);
    EvaluationResult result() const;

private:
    struct Scored {
        float score;
        int outcome; // 1 hit, 0 false alarm, -1 ignored
    };
    float m_minFace, m_iou;
    int m_faces = 0, m_images = 0;
    std::vector<Scored> m_scored;
    std::vector<SizeBucket> m_buckets;
};

float boxIou(const FaceBox& a, const FaceBox& b);

} // namespace rnnpool
