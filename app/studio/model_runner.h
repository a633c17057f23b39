// ModelRunner: loads models and pictures and runs detection off the UI thread
// (QtConcurrent), one job at a time, and reports each result by a signal on the
// UI thread. Results are plain data (QImage, core structs), ready for widgets.
//
//   ModelRunner runner;
//   connect(&runner, &ModelRunner::detectionFinished, view, ...);
//   runner.requestModel({});                   // the default model
//   runner.requestPicture(QStringLiteral("grace_hopper.jpg"));
//   // -> modelLoaded, pictureLoaded, detectionFinished, then idle()
//
// A new request while a job runs waits; of several waiting requests of one
// kind only the newest runs. Detection reruns by itself whenever the model
// or the picture changes. Core errors arrive as messages;
// exceptions are caught on the worker and never reach the event loop.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <QFutureWatcher>
#include <QImage>
#include <QObject>
#include <QStringList>

#include <opencv2/core.hpp>

#include "engine/face_detector.h"

namespace rnnpool::studio {

// Both empty: the default model. Only `arch`: that architecture with seeded
// random weights. `path`: a checkpoint, `arch` naming its architecture if given.
struct ModelRequest {
    QString path;
    QString arch;
};

struct LoadedModel {
    QString architecture;          // canonical name, e.g. "rnnpool-face-m4"
    QString description;
    QString source;                // the file, or "random weights (seed N)"
    QString format;
    bool randomWeights = false;
    QStringList notes;
    QString path;                  // the file it came from; empty for random weights
    Shape describedInput;          // CHW the layer list was computed for
    std::vector<LayerInfo> layers;
    int64_t params = 0;
    int64_t madds = 0;
};

struct LoadedPicture {
    QString path;
    QImage image;
};

struct DetectionOutcome {
    QImage picture;
    std::vector<PixelBox> faces;   // every detection after NMS, whatever its score
    Shape input;                   // CHW the network saw
    Size2 original;
    std::vector<LayerInfo> layers; // described for `input`
    std::vector<double> layerSeconds;
    double totalSeconds = 0.0;
    int64_t madds = 0;
};

class ModelRunner final : public QObject {
    Q_OBJECT

public:
    explicit ModelRunner(QObject* parent = nullptr);
    ~ModelRunner() override; // waits for a running job

    void requestModel(const ModelRequest& request);
    void requestPicture(const QString& path);
    void rerun();

    bool isBusy() const { return m_watcher.isRunning(); }
    bool hasModel() const { return m_detector != nullptr; }
    bool hasPicture() const { return !m_picture.empty(); }

signals:
    void busyChanged(bool busy, const QString& what);
    void modelLoaded(const rnnpool::studio::LoadedModel& model);
    void modelFailed(const QString& message);
    void pictureLoaded(const rnnpool::studio::LoadedPicture& picture);
    void pictureFailed(const QString& message);
    void detectionFinished(const rnnpool::studio::DetectionOutcome& outcome);
    void detectionFailed(const QString& message);
    // Nothing runs and nothing waits.
    void idle();

private:
    // A job computes on the worker and returns what to apply on the UI thread.
    using Apply = std::function<void()>;
    using Failure = void (ModelRunner::*)(const QString&);

    void schedule();
    void start(const QString& what, std::function<Apply()> job, Failure failure);
    void finished();

    // Jobs run on the worker: they read no members; only the Apply they return does.
    Apply loadModelJob(const ModelRequest& request);
    Apply loadPictureJob(const QString& path);
    Apply detectJob(std::shared_ptr<const FaceDetector> detector, cv::Mat picture);

    QFutureWatcher<Apply> m_watcher;
    std::optional<ModelRequest> m_pendingModel;
    std::optional<QString> m_pendingPicture;
    bool m_detectWanted = false;

    std::shared_ptr<const FaceDetector> m_detector;
    cv::Mat m_picture;             // BGR, never written after loading, so jobs may share it
};

} // namespace rnnpool::studio
