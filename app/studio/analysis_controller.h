// AnalysisController: runs the analysis tabs' computations off the UI thread
// (QtConcurrent) and reports results by signals on the UI thread.
//   profile  one model's memory timeline, and each level's when the detector
//            runs an image pyramid; a newer request replaces a waiting one
//   compare  several architectures or files, with progress; a new request
//            cancels the running one
//   sweep    one value at a time, each reported as it is done; cancellable
//            between values
// Failures arrive as messages; exceptions never leave a worker.
//
//   AnalysisController c;
//   c.setModel(spec, {3, 240, 320}, detector, pictures);
//   connect(&c, &AnalysisController::profileReady, memoryView, &MemoryTimelineView::setProfile);
//   c.requestProfile(QStringLiteral("paper"), options);
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <QFutureWatcher>
#include <QObject>

#include "studio/analysis_jobs.h"

namespace rnnpool::studio {

class AnalysisController final : public QObject {
    Q_OBJECT

public:
    explicit AnalysisController(QObject* parent = nullptr);
    ~AnalysisController() override; // cancels and waits for running jobs

    // The model the profile and the sweep are about. `detector` (a model with
    // real weights) and `pictures` enable detection statistics in input-size sweeps.
    void setModel(const ArchSpec& spec, const Shape& input, std::shared_ptr<const FaceDetector> detector = {},
                  std::vector<cv::Mat> pictures = {});
    // Pictures for the detection statistics of the next input-size sweeps.
    void setPictures(std::vector<cv::Mat> pictures) { m_pictures = std::move(pictures); }
    const ArchSpec& spec() const { return m_spec; }
    const Shape& input() const { return m_input; }
    std::shared_ptr<const FaceDetector> detector() const { return m_detector; }
    const std::vector<cv::Mat>& pictures() const { return m_pictures; }
    bool hasModel() const { return m_hasModel; }
    // The levels the detector runs by default (defaultPyramidLevels); 1 without a detector.
    int pyramidLevels() const;

    void requestProfile(const QString& schedule, const ScheduleOptions& options);
    void requestCompare(const std::vector<CompareSource>& sources, const std::optional<SizeSpec>& size,
                        const ScheduleOptions& options);
    void requestSweep(const QString& param, const QStringList& values, const ScheduleOptions& options);
    void cancelSweep();
    bool isSweeping() const { return m_sweep.isRunning(); }
    // A profile, comparison or sweep is being computed.
    bool isBusy() const { return m_profile.isRunning() || m_compare.isRunning() || m_sweep.isRunning(); }

    static constexpr float kSweepScoreThreshold = 0.5f;

signals:
    // Just before profileReady: the image pyramid's levels at the same input,
    // schedule and options (empty when the detector runs the input alone, or
    // with `problem` when they could not be profiled).
    void pyramidReady(const std::vector<rnnpool::PyramidLevelProfile>& levels, const QString& problem);
    void profileReady(const rnnpool::ModelProfile& profile);
    void profileFailed(const QString& message);
    void compareProgress(int done, int total);
    void compareReady(const std::vector<rnnpool::ArchitectureComparison>& entries, const QStringList& problems);
    void sweepStarted(const QString& architecture, const QString& param, int valueCount);
    void sweepPointReady(const rnnpool::SweepPoint& point);
    void sweepDetectionReady(int index, const rnnpool::widgets::SweepDetection& detection);
    void sweepProgress(int done, int total);
    void sweepFinished(const QString& problem); // empty when every value was computed

private:
    struct ProfileRequest {
        QString schedule;
        ScheduleOptions options;
    };
    struct CompareRequest {
        std::vector<CompareSource> sources;
        std::optional<SizeSpec> size;
        ScheduleOptions options;
    };

    void startProfile(const ProfileRequest& request);
    void startCompare(const CompareRequest& request);
    void onProfileFinished();
    void onCompareFinished();
    void onSweepResult(int index);
    void onSweepFinished();

    ArchSpec m_spec;
    Shape m_input;
    bool m_hasModel = false;
    std::shared_ptr<const FaceDetector> m_detector;
    std::vector<cv::Mat> m_pictures;

    QFutureWatcher<MemoryOutcome> m_profile;
    std::optional<ProfileRequest> m_pendingProfile;
    QFutureWatcher<CompareOutcome> m_compare;
    std::optional<CompareRequest> m_pendingCompare;
    QFutureWatcher<SweepStep> m_sweep;
    int m_sweepTotal = 0;
    int m_sweepDone = 0;
    QString m_sweepProblem;
};

} // namespace rnnpool::studio
