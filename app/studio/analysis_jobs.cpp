#include "studio/analysis_jobs.h"

#include <QFileInfo>

#include "model/model.h"

namespace rnnpool::studio {

QString CompareSource::label() const
{
    if (!labelText.isEmpty())
        return labelText;
    return path.isEmpty() ? architecture : QFileInfo(path).fileName();
}

MemoryOutcome profileJob(const ArchSpec& spec, const Shape& input, const QString& schedule, const ScheduleOptions& options,
                         int pyramidLevels)
{
    auto net = Network::build(spec);
    if (!net)
        return {std::nullopt, {}, QString::fromStdString(net.error()), {}};
    auto profile = profileNetwork(*net, input, schedule.toStdString(), options);
    if (!profile)
        return {std::nullopt, {}, QObject::tr("%1 at %2×%3: %4")
                                  .arg(QString::fromStdString(spec.name)).arg(input[2]).arg(input[1])
                                  .arg(QString::fromStdString(profile.error())), {}};
    MemoryOutcome outcome{std::move(*profile), {}, {}, {}};
    if (pyramidLevels > 1) {
        auto levels = profilePyramid(*net, input, pyramidLevels, schedule.toStdString(), options, &*outcome.profile);
        if (!levels) // the input's own profile stands; the pyramid's problem is said beside it
            outcome.pyramidProblem = QObject::tr("%1 at %2×%3, image pyramid: %4")
                                         .arg(QString::fromStdString(spec.name)).arg(input[2]).arg(input[1])
                                         .arg(QString::fromStdString(levels.error()));
        else if (levels->size() > 1)
            outcome.pyramid = std::move(*levels);
    }
    return outcome;
}

std::optional<ArchitectureComparison> compareJob(const CompareSource& source, const std::optional<SizeSpec>& size,
                                                 const ScheduleOptions& options, QString& problem)
{
    Expected<ArchSpec> spec = Error{""};
    if (source.spec) {
        spec = *source.spec;
    } else if (!source.path.isEmpty()) {
        LoadOptions load;
        load.arch = source.architecture.toStdString();
        auto model = loadModel(source.path.toStdString(), load);
        if (!model) {
            problem = QString::fromStdString(model.error());
            return std::nullopt;
        }
        spec = model->spec();
    } else {
        spec = findArchitecture(source.architecture.toStdString());
    }
    if (!spec) {
        problem = QString::fromStdString(spec.error());
        return std::nullopt;
    }
    const Shape input = size ? Shape{spec->inputChannels, size->height, size->width}
                             : Shape{spec->inputChannels, spec->defaultHeight, spec->defaultWidth};
    auto comparison = compareArchitecture(*spec, input, options);
    if (!comparison) {
        problem = QStringLiteral("%1: %2").arg(source.label(), QString::fromStdString(comparison.error()));
        return std::nullopt;
    }
    comparison->label = source.label().toStdString();
    return std::move(*comparison);
}

SweepStep sweepJob(const ArchSpec& base, const QString& param, const QString& value, const ScheduleOptions& options)
{
    SweepStep step;
    auto point = sweepPoint(base, param.toStdString(), value.toStdString(), options);
    if (point)
        step.point = std::move(*point);
    else
        step.problem = QString::fromStdString(point.error());
    return step;
}

std::optional<widgets::SweepDetection> detectionJob(const FaceDetector& detector, const std::vector<cv::Mat>& pictures,
                                                    Size2 size, float threshold, QString& problem)
{
    widgets::SweepDetection d;
    double scoreSum = 0.0;
    DetectOptions options;
    options.size = size;
    options.scoreThreshold = threshold;
    for (const cv::Mat& picture : pictures) {
        auto result = detector.detect(picture, options);
        if (!result) {
            problem = QString::fromStdString(result.error());
            return std::nullopt;
        }
        for (const PixelBox& face : result->faces) {
            ++d.faces;
            scoreSum += static_cast<double>(face.score);
        }
    }
    d.meanScore = d.faces > 0 ? scoreSum / d.faces : 0.0;
    return d;
}

} // namespace rnnpool::studio
