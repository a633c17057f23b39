// The work behind the analysis tabs, as plain functions that run on a worker
// thread: each takes copies of its inputs, reads no shared state, and reports
// failures as messages. AnalysisController runs them with QtConcurrent.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <QString>
#include <QStringList>

#include <opencv2/core.hpp>

#include "engine/face_detector.h"
#include "profile/comparison.h"
#include "profile/pyramid_profile.h"
#include "profile/sweep.h"
#include "widgets/sweep_view.h"

namespace rnnpool::studio {

// What to compare: a built-in architecture by name, a model file, or a spec
// in hand (the loaded model's) shown under `labelText`.
struct CompareSource {
    QString architecture;
    QString path;
    std::optional<ArchSpec> spec;
    QString labelText;
    QString label() const;
};

struct MemoryOutcome {
    std::optional<ModelProfile> profile;
    std::vector<PyramidLevelProfile> pyramid; // every level, when the detector runs more than one
    QString problem;                          // no profile: why
    QString pyramidProblem;                   // a profile but no pyramid: why
};

struct CompareOutcome {
    std::vector<ArchitectureComparison> entries;
    QStringList problems; // one per source that failed
};

// One value of a sweep, reported as soon as it is computed.
struct SweepStep {
    int index = 0;
    std::optional<SweepPoint> point;
    std::optional<widgets::SweepDetection> detection;
    QString problem;
};

// `pyramidLevels` > 1: also each level of the image pyramid the detector runs
// (the first level's profile is `profile`).
MemoryOutcome profileJob(const ArchSpec& spec, const Shape& input, const QString& schedule, const ScheduleOptions& options,
                         int pyramidLevels = 1);
std::optional<ArchitectureComparison> compareJob(const CompareSource& source, const std::optional<SizeSpec>& size,
                                                 const ScheduleOptions& options, QString& problem);
SweepStep sweepJob(const ArchSpec& base, const QString& param, const QString& value, const ScheduleOptions& options);
// Faces above `threshold` over all pictures at the input size `size`, and their mean score.
std::optional<widgets::SweepDetection> detectionJob(const FaceDetector& detector, const std::vector<cv::Mat>& pictures,
                                                    Size2 size, float threshold, QString& problem);

} // namespace rnnpool::studio
