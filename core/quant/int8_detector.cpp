#include "quant/int8_detector.h"

#include <algorithm>

#include "engine/image_pyramid.h"
#include "integer/elementwise_s8.h"

#include "model/default_model.h"
#include "quant/calibration.h"
#include "quant/quantized_file.h"

namespace rnnpool {

std::filesystem::path defaultInt8ModelPath()
{
    return std::filesystem::path(RNNPOOL_RESOURCE_DIR) / "models" / "rnnpool_face_m4.int8.safetensors";
}

Expected<std::shared_ptr<const Int8Network>> int8NetworkFromFile(const std::filesystem::path& path)
{
    auto q = loadQuantizedModel(path);
    if (!q)
        return std::move(q).takeError();
    auto net = Int8Network::create(std::make_shared<const QuantizedModel>(std::move(*q)));
    if (!net)
        return makeError(path.string() + ": " + net.error());
    return std::shared_ptr<const Int8Network>(std::make_shared<Int8Network>(std::move(*net)));
}

namespace {

// Level k's boxes, decoded from its run, with the part of the input it covers.
PyramidLevelDetections levelDetections(const Int8Network& net, const Int8Run& run, const std::vector<Size2>& sizes, size_t k,
                                       const DetectorConfig& config)
{
    const Size2 size = sizes[k];
    const float scale = static_cast<float>(int64_t{1} << k);
    return {postProcess(net.heads(run), size.width, size.height, config), size,
            static_cast<float>(size.width) * scale / static_cast<float>(sizes[0].width),
            static_cast<float>(size.height) * scale / static_cast<float>(sizes[0].height)};
}

PyramidMerge detectorMerge(const ArchSpec& spec, size_t levels)
{
    PyramidMerge merge;
    merge.keepTopK = spec.detector->keepTopK * static_cast<int64_t>(levels);
    merge.nmsThreshold = spec.detector->nmsThreshold;
    return merge;
}

} // namespace

std::vector<Detection> int8PyramidDetections(const Int8Network& net, const std::vector<const Int8Run*>& runs,
                                             const std::vector<Size2>& sizes)
{
    std::vector<PyramidLevelDetections> perLevel;
    for (size_t k = 0; k < runs.size() && k < sizes.size(); ++k)
        perLevel.push_back(levelDetections(net, *runs[k], sizes, k, *net.model().spec().detector));
    if (perLevel.size() == 1)
        return std::move(perLevel.front().detections);
    return mergePyramidLevels(perLevel, detectorMerge(net.model().spec(), perLevel.size()));
}

int defaultPyramidLevels(const QuantizedModel& model)
{
    return model.pyramidLevels.value_or(1);
}

Expected<std::shared_ptr<const Int8Network>> int8NetworkFor(const Model& model)
{
    std::error_code ec;
    if (!model.randomWeights && std::filesystem::exists(defaultInt8ModelPath(), ec) &&
        std::filesystem::equivalent(model.source, defaultModelPath(), ec))
        return int8NetworkFromFile(defaultInt8ModelPath());
    CalibrationOptions options; // the bundled samples
    auto ranges = calibrate(model, options);
    if (!ranges)
        return std::move(ranges).takeError();
    auto q = quantizeModel(model, *ranges);
    if (!q)
        return std::move(q).takeError();
    auto net = Int8Network::create(std::make_shared<const QuantizedModel>(std::move(*q)));
    if (!net)
        return std::move(net).takeError();
    return std::shared_ptr<const Int8Network>(std::make_shared<Int8Network>(std::move(*net)));
}

Expected<FrameResult> Int8Detector::detect(const cv::Mat& bgr, const DetectOptions& options) const
{
    const ArchSpec& spec = m_network->model().spec();
    Size2 area{spec.defaultWidth, spec.defaultHeight};
    if (spec.detector)
        area = {spec.detector->areaWidth, spec.detector->areaHeight};
    auto prepared = prepareInput(bgr, spec.inputChannels, area, options.size);
    if (!prepared)
        return std::move(prepared).takeError();
    return detectTensor(std::move(prepared->tensor), options, prepared->original);
}

Expected<FrameResult> Int8Detector::detectTensor(Tensor input, const DetectOptions& options, std::optional<Size2> original) const
{
    const ArchSpec& spec = m_network->model().spec();
    if (!spec.detector)
        return makeError("architecture '" + spec.name + "' is not a face detector");
    if (input.rank() != 3 || input.dim(0) != spec.inputChannels)
        return makeError("the input must be CHW with " + std::to_string(spec.inputChannels) + " channel(s), got " +
                         shapeToString(input.shape()));
    // A camera's frames reuse one run's maps (one per thread): allocated and
    // cleared once, not per frame.
    thread_local Int8Run reused, levelRun;
    thread_local std::vector<int8_t> level;
    level = quantizeInputHwc(input, m_network->model().input);
    if (Status st = m_network->runQuantizedInto(level, input.shape(), reused); !st)
        return makeError(st.error());
    const Int8Run* run = &reused;
    FrameResult frame;
    frame.original = original ? *original : Size2{input.dim(2), input.dim(1)};
    DetectorConfig config = *spec.detector;
    config.voteThreshold = options.boxVote;
    frame.heads = m_network->heads(*run);
    frame.detections = postProcess(frame.heads, input.dim(2), input.dim(1), config);
    frame.run.totalSeconds = run->totalSeconds;
    frame.seconds = run->totalSeconds;
    const int levels = std::clamp(options.pyramidLevels.value_or(defaultPyramidLevels(m_network->model())), 1, kMaxPyramidLevels);
    frame.pyramid = pyramidSizes({input.dim(2), input.dim(1)}, levels);
    if (frame.pyramid.size() > 1) {
        // As the float detector, with each level halved in int8 (rp_halve_s8, as a chip halves its frame buffer).
        std::vector<PyramidLevelDetections> perLevel{{std::move(frame.detections), frame.pyramid[0]}};
        int64_t h = input.dim(1), w = input.dim(2);
        const int64_t c = input.dim(0);
        for (size_t k = 1; k < frame.pyramid.size(); ++k) {
            rp_halve_s8(level.data(), static_cast<int32_t>(h), static_cast<int32_t>(w), static_cast<int32_t>(c), level.data());
            h /= 2;
            w /= 2;
            level.resize(static_cast<size_t>(h * w * c));
            if (Status st = m_network->runQuantizedInto(level, Shape{c, h, w}, levelRun); !st)
                return makeError(st.error());
            frame.seconds += levelRun.totalSeconds;
            perLevel.push_back(levelDetections(*m_network, levelRun, frame.pyramid, k, config));
        }
        frame.detections = mergePyramidLevels(perLevel, detectorMerge(spec, perLevel.size()));
    }
    frame.run.layerSeconds = run->layerSeconds;
    frame.run.outputs.resize(run->maps.size());
    if (options.keepLayerOutputs)
        for (size_t i = 0; i < run->maps.size(); ++i)
            frame.run.outputs[i] = m_network->dequantize(*run, static_cast<int>(i));
    frame.input = std::move(input);
    const auto w = static_cast<float>(frame.original.width), h = static_cast<float>(frame.original.height);
    for (const Detection& d : frame.detections)
        if (d.score >= options.scoreThreshold)
            frame.faces.push_back({d.score, d.x1 * w, d.y1 * h, d.x2 * w, d.y2 * h});
    return frame;
}

namespace {

class Int8Faces final : public FaceSource {
public:
    Int8Faces(std::shared_ptr<const Int8Network> network, std::optional<int> pyramidLevels, float boxVote)
        : m_detector(std::move(network)), m_pyramidLevels(pyramidLevels), m_boxVote(boxVote)
    {
    }
    std::string name() const override
    {
        return m_detector.network().model().spec().name + " (int8)" + boxVoteSuffix(m_boxVote);
    }
    Size2 inputArea() const override
    {
        const ArchSpec& s = m_detector.network().model().spec();
        return s.detector ? Size2{s.detector->areaWidth, s.detector->areaHeight} : Size2{s.defaultWidth, s.defaultHeight};
    }
    Expected<std::vector<ScoredBox>> detect(const cv::Mat& bgr, Size2 networkSize) override
    {
        DetectOptions options;
        options.size = networkSize;
        options.scoreThreshold = 0.0f;
        options.pyramidLevels = m_pyramidLevels;
        options.boxVote = m_boxVote;
        auto frame = m_detector.detect(bgr, options);
        if (!frame)
            return std::move(frame).takeError();
        std::vector<ScoredBox> out;
        const float w = static_cast<float>(networkSize.width), h = static_cast<float>(networkSize.height);
        for (const Detection& d : frame->detections)
            out.push_back({d.score, {d.x1 * w, d.y1 * h, d.x2 * w, d.y2 * h}});
        return out;
    }

private:
    Int8Detector m_detector;
    std::optional<int> m_pyramidLevels;
    float m_boxVote;
};

} // namespace

std::unique_ptr<FaceSource> int8Faces(std::shared_ptr<const Int8Network> network, std::optional<int> pyramidLevels,
                                      float boxVote)
{
    return std::make_unique<Int8Faces>(std::move(network), pyramidLevels, boxVote);
}

} // namespace rnnpool
