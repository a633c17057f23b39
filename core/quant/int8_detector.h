// Face detection with the int8 engine: the same input pipeline and the same
// S3FD post-processing as FaceDetector, with the network run on integers.
// The heads are dequantised only at the very end, for decoding and NMS.
//
//   Expected<std::shared_ptr<const Int8Network>> net = int8NetworkFor(modelPath);
//   Int8Detector det(*net);
//   Expected<FrameResult> r = det.detect(bgr, {});   // the pyramid too, as FaceDetector runs it
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "engine/face_detector.h"
#include "eval/face_evaluation.h"
#include "quant/int8_network.h"

namespace rnnpool {

class Int8Detector {
public:
    explicit Int8Detector(std::shared_ptr<const Int8Network> network) : m_network(std::move(network)) {}
    const Int8Network& network() const { return *m_network; }
    Expected<FrameResult> detect(const cv::Mat& bgr, const DetectOptions& options) const;
    Expected<FrameResult> detectTensor(Tensor input, const DetectOptions& options, std::optional<Size2> original = {}) const;

private:
    std::shared_ptr<const Int8Network> m_network;
};

// The detections of an int8 image pyramid from its levels' runs (the input's
// first, each level's input the one before halved), merged as detect() merges
// them; boxes as fractions of the input. The firmware's heads decode the same way.
std::vector<Detection> int8PyramidDetections(const Int8Network& net, const std::vector<const Int8Run*>& runs,
                                             const std::vector<Size2>& sizes);

// The shipped int8 twin of the default model (resources/models/rnnpool_face_m4.int8.safetensors).
std::filesystem::path defaultInt8ModelPath();

// An int8 network for a float model: the default model's shipped twin when
// `model` is the default model file and the twin exists, else the model
// quantised on the fly, calibrated on the bundled sample pictures.
Expected<std::shared_ptr<const Int8Network>> int8NetworkFor(const Model& model);
// From an int8 file written by `rnnpool quantize`.
Expected<std::shared_ptr<const Int8Network>> int8NetworkFromFile(const std::filesystem::path& path);

// For `rnnpool eval`: the int8 network judged like the float one, with the
// given pyramid (default: defaultPyramidLevels of its model).
std::unique_ptr<FaceSource> int8Faces(std::shared_ptr<const Int8Network> network, std::optional<int> pyramidLevels = {},
                                      float boxVote = 0.0f);

// The pyramid an int8 model runs when none is asked for: as the float model's
// (image_pyramid.h), what its file declares (`rnnpool quantize` keeps the float
// model's declaration: the shipped twin runs kWebcamPyramidLevels), else 1.
int defaultPyramidLevels(const QuantizedModel& model);

} // namespace rnnpool
