#include "engine/face_detector.h"

#include <algorithm>
#include <cmath>

#include "engine/graph_run.h"
#include "engine/image_pyramid.h"

namespace rnnpool {

FaceDetector::FaceDetector(Model model)
    : m_model(std::move(model))
{
}

Expected<FrameResult> FaceDetector::detect(const cv::Mat& bgr, const DetectOptions& options) const
{
    const ArchSpec& spec = m_model.spec();
    if (!spec.detector) {
        // A model without a detector (a classifier, an ONNX graph) sees the
        // picture resized to its input size, RGB, scaled to [0, 1]: the views
        // of its layers work; there are no boxes.
        const Size2 size = options.size.value_or(Size2{spec.defaultWidth, spec.defaultHeight});
        auto tensor = normalizedPicture(bgr, size, PictureNormalization{}, spec.inputChannels);
        if (!tensor)
            return std::move(tensor).takeError();
        return detectTensor(std::move(*tensor), options, Size2{bgr.cols, bgr.rows});
    }
    Size2 area{spec.defaultWidth, spec.defaultHeight};
    if (spec.detector)
        area = {spec.detector->areaWidth, spec.detector->areaHeight};
    auto prepared = prepareInput(bgr, spec.inputChannels, area, options.size);
    if (!prepared)
        return std::move(prepared).takeError();
    return detectTensor(std::move(prepared->tensor), options, prepared->original);
}

Expected<FrameResult> FaceDetector::detectTensor(Tensor input, const DetectOptions& options, std::optional<Size2> original) const
{
    const ArchSpec& spec = m_model.spec();
    // NaN or infinity in the input come out as finite, meaningless boxes (a
    // ReLU turns NaN into 0), so they are refused here.
    int64_t nonFinite = 0;
    for (int64_t i = 0; i < input.numel(); ++i)
        nonFinite += std::isfinite(input.data()[i]) ? 0 : 1;
    if (nonFinite > 0)
        return makeError(std::to_string(nonFinite) + " of the input's " + std::to_string(input.numel()) +
                         " values are NaN or infinite");
    RunOptions run;
    run.keepAllOutputs = options.keepLayerOutputs;
    run.onLayer = options.onLayer;
    auto result = m_model.network->run(input, run);
    if (!result)
        return std::move(result).takeError();

    FrameResult frame;
    frame.original = original ? *original : Size2{input.dim(2), input.dim(1)};
    if (!spec.detector) {
        frame.run = std::move(*result);
        frame.seconds = frame.run.totalSeconds;
        frame.pyramid = {Size2{input.dim(2), input.dim(1)}};
        frame.input = std::move(input);
        return frame;
    }
    DetectorConfig config = *spec.detector;
    config.voteThreshold = options.boxVote;
    frame.heads = collectHeads(*m_model.network, *result);
    frame.detections = postProcess(frame.heads, input.dim(2), input.dim(1), config);
    frame.run = std::move(*result);
    frame.seconds = frame.run.totalSeconds;
    const int levels = std::clamp(options.pyramidLevels.value_or(defaultPyramidLevels(m_model)), 1, kMaxPyramidLevels);
    frame.pyramid = pyramidSizes({input.dim(2), input.dim(1)}, levels);
    if (frame.pyramid.size() > 1) {
        std::vector<PyramidLevelDetections> perLevel{{std::move(frame.detections), frame.pyramid[0]}};
        Tensor level = halveTensor(input);
        for (size_t k = 1; k < frame.pyramid.size(); ++k) {
            auto levelRun = m_model.network->run(level, RunOptions{});
            if (!levelRun)
                return std::move(levelRun).takeError();
            frame.seconds += levelRun->totalSeconds;
            const Size2 size = frame.pyramid[k];
            const float scale = static_cast<float>(int64_t{1} << k);
            perLevel.push_back({postProcess(collectHeads(*m_model.network, *levelRun), size.width, size.height, config),
                                size, static_cast<float>(size.width) * scale / static_cast<float>(input.dim(2)),
                                static_cast<float>(size.height) * scale / static_cast<float>(input.dim(1))});
            if (k + 1 < frame.pyramid.size())
                level = halveTensor(level);
        }
        PyramidMerge merge;
        merge.keepTopK = spec.detector->keepTopK * static_cast<int64_t>(frame.pyramid.size());
        merge.nmsThreshold = spec.detector->nmsThreshold;
        frame.detections = mergePyramidLevels(perLevel, merge);
    }
    frame.input = std::move(input);
    const auto w = static_cast<float>(frame.original.width), h = static_cast<float>(frame.original.height);
    for (const Detection& d : frame.detections)
        if (d.score >= options.scoreThreshold)
            frame.faces.push_back({d.score, d.x1 * w, d.y1 * h, d.x2 * w, d.y2 * h});
    return frame;
}

} // namespace rnnpool
