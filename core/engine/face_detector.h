// FaceDetector: a model, the input pipeline and S3FD post-processing in one
// call, for the CLI and the studio.
//
//   FaceDetector detector(model);
//   Expected<FrameResult> r = detector.detect(bgrPicture, {});
//   for (const PixelBox& b : r->faces) draw(b);
#pragma once

#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "detect/post_process.h"
#include "engine/preprocess.h"
#include "model/model.h"

namespace rnnpool {

// A face in the original picture's pixels.
struct PixelBox {
    float score = 0.0f;
    float x1 = 0.0f, y1 = 0.0f, x2 = 0.0f, y2 = 0.0f;
};

struct DetectOptions {
    std::optional<Size2> size;      // exact network input size; default: the model's area
    float scoreThreshold = 0.5f;    // faces reported in `faces`
    bool keepLayerOutputs = false;  // keep every layer's output in `run`
    std::optional<int> pyramidLevels; // 1: the input only; 2-4: also its halves (image_pyramid.h);
                                      // default: defaultPyramidLevels(model)
    float boxVote = 0.0f;           // 0: EdgeML's greedy NMS; else box voting at this IoU (every level;
                                    // DetectorConfig::voteThreshold)
    LayerCallback onLayer;
};

struct FrameResult {
    Tensor input;                   // what the network saw (CHW)
    Size2 original;                 // picture size (equals the input size for tensors)
    RunResult run;                  // the first pyramid level (the input as given)
    HeadOutputs heads;              // ... and its heads
    std::vector<Detection> detections; // EdgeML's output: fractions of the input, after NMS
                                       // (of every pyramid level, merged)
    std::vector<Size2> pyramid;        // the input size of every level run, the input first
    double seconds = 0.0;              // network time of all levels
    std::vector<PixelBox> faces;       // detections above the threshold, in picture pixels
};

class FaceDetector {
public:
    explicit FaceDetector(Model model);

    const Model& model() const { return m_model; }
    Expected<FrameResult> detect(const cv::Mat& bgr, const DetectOptions& options) const;
    // Runs a prepared CHW tensor; `original` scales the boxes (default: the tensor's size).
    Expected<FrameResult> detectTensor(Tensor input, const DetectOptions& options, std::optional<Size2> original = {}) const;

private:
    Model m_model;
};

} // namespace rnnpool
