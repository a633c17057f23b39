#include "quant/int8_detector.h"

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
    thread_local Int8Run reused;
    if (Status st = m_network->runQuantizedInto(quantizeInputHwc(input, m_network->model().input), input.shape(), reused); !st)
        return makeError(st.error());
    const Int8Run* run = &reused;
    FrameResult frame;
    frame.original = original ? *original : Size2{input.dim(2), input.dim(1)};
    frame.heads = m_network->heads(*run);
    frame.detections = postProcess(frame.heads, input.dim(2), input.dim(1), *spec.detector);
    frame.run.totalSeconds = run->totalSeconds;
    frame.seconds = run->totalSeconds;
    frame.pyramid = {Size2{input.dim(2), input.dim(1)}}; // the input alone
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
    explicit Int8Faces(std::shared_ptr<const Int8Network> network) : m_detector(std::move(network)) {}
    std::string name() const override { return m_detector.network().model().spec().name + " (int8)"; }
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
};

} // namespace

std::unique_ptr<FaceSource> int8Faces(std::shared_ptr<const Int8Network> network)
{
    return std::make_unique<Int8Faces>(std::move(network));
}

} // namespace rnnpool
