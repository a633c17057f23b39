// Evaluating a face detector on labelled pictures: our model, or OpenCV's
// Haar frontal-face cascade for comparison, judged the same way. Boxes are
// compared in the network's input pixels (the picture scaled to the model's
// input area), where face sizes and the minimum face size are measured.
//
//   auto labels = readFaceLabels("labels.txt");
//   Expected<EvaluationResult> r = evaluateFaces(ModelFaces(model), *labels, "images/", options);
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include "engine/face_detector.h"
#include "eval/average_precision.h"

namespace rnnpool {

// Detections for one picture, in the pixels of `networkSize`.
class FaceSource {
public:
    virtual ~FaceSource() = default;
    virtual std::string name() const = 0;
    virtual Size2 inputArea() const = 0;
    virtual Expected<std::vector<ScoredBox>> detect(const cv::Mat& bgr, Size2 networkSize) = 0;
};

// `pyramidLevels`: as DetectOptions::pyramidLevels (default: the model's own).
// `boxVote`: as DetectOptions::boxVote (0: EdgeML's greedy NMS).
std::unique_ptr<FaceSource> modelFaces(const Model& model, std::optional<int> pyramidLevels = {}, float boxVote = 0.0f);
// " (box vote V)" for a source's name when `boxVote` > 0, else "".
std::string boxVoteSuffix(float boxVote);
// OpenCV's haarcascade_frontalface_default.xml (Debian's opencv-data); the
// score is the cascade's level weight. Runs on the same scaled grey picture.
Expected<std::unique_ptr<FaceSource>> haarFaces(Size2 inputArea);

struct EvaluationOptions {
    float minFace = 20.0f;
    std::optional<int> limit; // the first N pictures only
    int shard = 0, shards = 1; // only pictures whose index % shards == shard (of the first `limit`)
    std::function<void(int done, int total)> progress;
};

// The part of the pictures the options select; summarize() it for the AP.
Expected<EvaluationPart> evaluateFaces(FaceSource& source, const std::vector<LabeledPicture>& pictures,
                                         const std::filesystem::path& folder, const EvaluationOptions& options);

} // namespace rnnpool
