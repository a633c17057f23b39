#include "studio/analysis_controller.h"

#include <exception>

#include <QPromise>
#include <QtConcurrent/QtConcurrentRun>

#include "engine/image_pyramid.h"

namespace rnnpool::studio {

namespace {

QString exceptionText(const char* what)
{
    return QObject::tr("internal error: %1").arg(QString::fromLocal8Bit(what));
}

} // namespace

AnalysisController::AnalysisController(QObject* parent)
    : QObject(parent)
{
    connect(&m_profile, &QFutureWatcher<MemoryOutcome>::finished, this, &AnalysisController::onProfileFinished);
    connect(&m_compare, &QFutureWatcher<CompareOutcome>::finished, this, &AnalysisController::onCompareFinished);
    connect(&m_compare, &QFutureWatcher<CompareOutcome>::progressValueChanged, this,
            [this](int value) { emit compareProgress(value, m_compare.progressMaximum()); });
    connect(&m_sweep, &QFutureWatcher<SweepStep>::resultReadyAt, this, &AnalysisController::onSweepResult);
    connect(&m_sweep, &QFutureWatcher<SweepStep>::finished, this, &AnalysisController::onSweepFinished);
}

AnalysisController::~AnalysisController()
{
    m_compare.cancel();
    m_sweep.cancel();
    m_profile.waitForFinished();
    m_compare.waitForFinished();
    m_sweep.waitForFinished();
}

void AnalysisController::setModel(const ArchSpec& spec, const Shape& input, std::shared_ptr<const FaceDetector> detector,
                                  std::vector<cv::Mat> pictures)
{
    m_spec = spec;
    m_input = input;
    m_hasModel = true;
    m_detector = std::move(detector);
    m_pictures = std::move(pictures);
}

int AnalysisController::pyramidLevels() const
{
    return m_detector ? defaultPyramidLevels(m_detector->model()) : 1;
}

void AnalysisController::requestProfile(const QString& schedule, const ScheduleOptions& options)
{
    if (!m_hasModel) {
        emit profileFailed(tr("No model yet: open a model or pick an architecture."));
        return;
    }
    const ProfileRequest request{schedule, options};
    if (m_profile.isRunning())
        m_pendingProfile = request;
    else
        startProfile(request);
}

void AnalysisController::startProfile(const ProfileRequest& request)
{
    m_profile.setFuture(QtConcurrent::run([spec = m_spec, input = m_input, request, levels = pyramidLevels()] {
        try {
            return profileJob(spec, input, request.schedule, request.options, levels);
        } catch (const std::exception& e) {
            return MemoryOutcome{std::nullopt, {}, exceptionText(e.what()), {}};
        }
    }));
}

void AnalysisController::onProfileFinished()
{
    if (m_pendingProfile) {
        const ProfileRequest next = *m_pendingProfile;
        m_pendingProfile.reset();
        startProfile(next); // the finished result is already stale
        return;
    }
    const MemoryOutcome outcome = m_profile.result();
    if (outcome.profile) {
        emit pyramidReady(outcome.pyramid, outcome.pyramidProblem);
        emit profileReady(*outcome.profile);
    }
    else
        emit profileFailed(outcome.problem);
}

void AnalysisController::requestCompare(const std::vector<CompareSource>& sources, const std::optional<SizeSpec>& size,
                                        const ScheduleOptions& options)
{
    const CompareRequest request{sources, size, options};
    if (m_compare.isRunning()) {
        m_pendingCompare = request;
        m_compare.cancel();
    } else {
        startCompare(request);
    }
}

void AnalysisController::startCompare(const CompareRequest& request)
{
    m_compare.setFuture(QtConcurrent::run([request](QPromise<CompareOutcome>& promise) {
        CompareOutcome outcome;
        promise.setProgressRange(0, static_cast<int>(request.sources.size()));
        for (size_t i = 0; i < request.sources.size(); ++i) {
            if (promise.isCanceled())
                return;
            QString problem;
            try {
                if (auto entry = compareJob(request.sources[i], request.size, request.options, problem))
                    outcome.entries.push_back(std::move(*entry));
                else
                    outcome.problems << problem;
            } catch (const std::exception& e) {
                outcome.problems << exceptionText(e.what());
            }
            promise.setProgressValue(static_cast<int>(i + 1));
        }
        promise.addResult(std::move(outcome));
    }));
}

void AnalysisController::onCompareFinished()
{
    if (m_pendingCompare) {
        const CompareRequest next = *m_pendingCompare;
        m_pendingCompare.reset();
        startCompare(next);
        return;
    }
    if (m_compare.isCanceled() || m_compare.future().resultCount() == 0)
        return;
    const CompareOutcome outcome = m_compare.result();
    emit compareReady(outcome.entries, outcome.problems);
}

void AnalysisController::requestSweep(const QString& param, const QStringList& values, const ScheduleOptions& options)
{
    if (m_sweep.isRunning())
        return; // the view disables Sweep while one runs
    if (!m_hasModel) {
        emit sweepFinished(tr("No model yet: open a model or pick an architecture."));
        return;
    }
    m_sweepTotal = static_cast<int>(values.size());
    m_sweepDone = 0;
    m_sweepProblem.clear();
    emit sweepStarted(QString::fromStdString(m_spec.name), param, m_sweepTotal);
    // Detection statistics only make sense where the weights still fit: input sizes.
    const bool detect = param == QLatin1String(kSweepInputParam) && m_detector && !m_pictures.empty();
    m_sweep.setFuture(QtConcurrent::run(
        [spec = m_spec, param, values, options, detect, detector = m_detector, pictures = m_pictures](QPromise<SweepStep>& promise) {
            for (int i = 0; i < values.size(); ++i) {
                if (promise.isCanceled())
                    return;
                SweepStep step;
                try {
                    step = sweepJob(spec, param, values[i], options);
                    if (step.point && detect) {
                        const Shape& in = step.point->summary.input;
                        QString problem;
                        step.detection = detectionJob(*detector, pictures, Size2{in[2], in[1]}, kSweepScoreThreshold, problem);
                        if (!problem.isEmpty())
                            step.problem = problem;
                    }
                } catch (const std::exception& e) {
                    step.problem = exceptionText(e.what());
                }
                step.index = i;
                const bool failed = !step.point;
                promise.addResult(std::move(step));
                if (failed)
                    return; // as `rnnpool sweep` does: the first bad value ends the sweep
            }
        }));
}

void AnalysisController::cancelSweep()
{
    m_sweep.cancel();
}

void AnalysisController::onSweepResult(int index)
{
    const SweepStep step = m_sweep.resultAt(index);
    ++m_sweepDone;
    if (step.point) {
        emit sweepPointReady(*step.point);
        if (step.detection)
            emit sweepDetectionReady(step.index, *step.detection);
    }
    if (!step.problem.isEmpty() && m_sweepProblem.isEmpty())
        m_sweepProblem = step.problem;
    emit sweepProgress(m_sweepDone, m_sweepTotal);
}

void AnalysisController::onSweepFinished()
{
    QString problem = m_sweepProblem;
    if (problem.isEmpty() && m_sweep.isCanceled())
        problem = tr("Sweep cancelled after %1 of %2 values.").arg(m_sweepDone).arg(m_sweepTotal);
    emit sweepFinished(problem);
}

} // namespace rnnpool::studio
