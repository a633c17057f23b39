#include "eval/face_evaluation.h"

#include <cstdio>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "engine/image_pyramid.h"

namespace rnnpool {

namespace {

class ModelFaces final : public FaceSource {
public:
    ModelFaces(const Model& model, std::optional<int> pyramidLevels, float boxVote)
        : m_detector(model), m_levels(pyramidLevels), m_boxVote(boxVote)
    {
    }
    std::string name() const override
    {
        const int levels = m_levels.value_or(defaultPyramidLevels(m_detector.model()));
        return m_detector.model().spec().name + (levels > 1 ? " (pyramid " + std::to_string(levels) + ")" : "") +
               boxVoteSuffix(m_boxVote);
    }
    Size2 inputArea() const override
    {
        const ArchSpec& s = m_detector.model().spec();
        return s.detector ? Size2{s.detector->areaWidth, s.detector->areaHeight} : Size2{s.defaultWidth, s.defaultHeight};
    }
    Expected<std::vector<ScoredBox>> detect(const cv::Mat& bgr, Size2 networkSize) override
    {
        DetectOptions options;
        options.size = networkSize;
        options.scoreThreshold = 0.0f; // every detection EdgeML's post-processing keeps
        options.pyramidLevels = m_levels;
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
    FaceDetector m_detector;
    std::optional<int> m_levels;
    float m_boxVote;
};

class HaarFaces final : public FaceSource {
public:
    HaarFaces(cv::CascadeClassifier cascade, Size2 area) : m_cascade(std::move(cascade)), m_area(area) {}
    std::string name() const override { return "haar (OpenCV frontal face)"; }
    Size2 inputArea() const override { return m_area; }
    Expected<std::vector<ScoredBox>> detect(const cv::Mat& bgr, Size2 size) override
    {
        cv::Mat resized, grey;
        cv::resize(bgr, resized, cv::Size(static_cast<int>(size.width), static_cast<int>(size.height)), 0, 0, cv::INTER_LINEAR);
        cv::cvtColor(resized, grey, cv::COLOR_BGR2GRAY);
        std::vector<cv::Rect> faces;
        std::vector<int> levels;
        std::vector<double> weights;
        m_cascade.detectMultiScale(grey, faces, levels, weights, 1.1, 3, 0, cv::Size(), cv::Size(), true);
        std::vector<ScoredBox> out;
        for (size_t i = 0; i < faces.size(); ++i) {
            const cv::Rect& r = faces[i];
            const float score = i < weights.size() ? static_cast<float>(weights[i]) : 0.0f;
            out.push_back({score, {static_cast<float>(r.x), static_cast<float>(r.y), static_cast<float>(r.x + r.width),
                                   static_cast<float>(r.y + r.height)}});
        }
        return out;
    }

private:
    cv::CascadeClassifier m_cascade;
    Size2 m_area;
};

} // namespace

std::string boxVoteSuffix(float boxVote)
{
    if (!(boxVote > 0.0f))
        return "";
    char text[32];
    std::snprintf(text, sizeof text, " (box vote %g)", static_cast<double>(boxVote));
    return text;
}

std::unique_ptr<FaceSource> modelFaces(const Model& model, std::optional<int> pyramidLevels, float boxVote)
{
    return std::make_unique<ModelFaces>(model, pyramidLevels, boxVote);
}

Expected<std::unique_ptr<FaceSource>> haarFaces(Size2 inputArea)
{
    const std::string path = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";
    cv::CascadeClassifier cascade;
    if (!cascade.load(path))
        return makeError("cannot load the Haar cascade '" + path + "' (Debian package opencv-data)");
    return std::unique_ptr<FaceSource>(std::make_unique<HaarFaces>(std::move(cascade), inputArea));
}

Expected<EvaluationPart> evaluateFaces(FaceSource& source, const std::vector<LabeledPicture>& pictures,
                                         const std::filesystem::path& folder, const EvaluationOptions& options)
{
    DetectionEvaluator evaluator(options.minFace);
    const int total = options.limit ? std::min<int>(*options.limit, static_cast<int>(pictures.size())) : static_cast<int>(pictures.size());
    if (options.shards < 1 || options.shard < 0 || options.shard >= options.shards)
        return makeError("shard " + std::to_string(options.shard) + " of " + std::to_string(options.shards) + " does not exist");
    for (int i = options.shard; i < total; i += options.shards) {
        const LabeledPicture& picture = pictures[static_cast<size_t>(i)];
        auto bgr = loadPicture(folder / picture.path);
        if (!bgr)
            return std::move(bgr).takeError();
        const Size2 original{bgr->cols, bgr->rows};
        const Size2 network = scaledToArea(original, source.inputArea());
        auto detections = source.detect(*bgr, network);
        if (!detections)
            return makeError("picture '" + (folder / picture.path).string() + "': " + detections.error());
        // Ground truth in network-input pixels, where sizes are judged.
        const float sx = static_cast<float>(network.width) / static_cast<float>(original.width);
        const float sy = static_cast<float>(network.height) / static_cast<float>(original.height);
        std::vector<FaceBox> faces;
        for (const FaceBox& f : picture.faces)
            faces.push_back({f.x1 * sx, f.y1 * sy, f.x2 * sx, f.y2 * sy});
        evaluator.addPicture(faces, *detections, i);
        if (options.progress)
            options.progress(i + 1, total);
    }
    return evaluator.part();
}

} // namespace rnnpool
