// ModelRunner: loads models and runs detection on frames off the UI thread
// (QtConcurrent), one job at a time, and reports each result by a signal on the
// UI thread. Results are plain data (QImage, core structs), ready for widgets.
//
//   ModelRunner runner;
//   connect(&runner, &ModelRunner::detectionFinished, view, ...);
//   runner.requestModel({});                   // the default model
//   runner.submitFrame(frame);                 // from a FrameSource
//   // -> modelLoaded, detectionFinished, then idle()
//
// A new request while a job runs waits; of several waiting requests of one
// kind only the newest runs: frames that arrive faster than detection are
// dropped (LatestSlot), never queued. Detection reruns by itself when the model
// changes. Every run keeps all layer outputs, so views can look inside any
// layer of the frame shown without running again. Core errors arrive as
// messages; exceptions are caught on the worker and never reach the event loop.
#pragma once

#include <algorithm>
#include <chrono>
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
#include "profile/model_profile.h"
#include "quant/int8_detector.h"
#include "video/frame_source.h"
#include "video/latest_slot.h"

namespace rnnpool::studio {

// Both empty: the default model. Only `arch`: that architecture with seeded
// random weights. `path`: a checkpoint, a .safetensors model or an
// architecture spec (.json, random weights); `arch` names a checkpoint's
// architecture if given.
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
    bool isDetector = true;        // false: a classifier or an imported graph (no boxes)
    bool hasRnnPool = true;        // whether any layer is an RNNPool (its views apply)
};

// The numbers detection runs in: float32, or int8 as the Cortex-M4 firmware
// runs it (the model's int8 twin, int8NetworkFor: RNNPool in Q15; the input
// alone, no image pyramid, as `rnnpool run --dtype i8`).
enum class Numerics { Float32, Int8 };
// "f32", "i8" (the --numerics option), and a name for people.
QString numericsName(Numerics numerics);
std::optional<Numerics> numericsFromName(const QString& name);
QString numericsTitle(Numerics numerics);

struct DetectionOutcome {
    Numerics numerics = Numerics::Float32;
    QImage picture;
    cv::Mat frame;                 // the same pixels (BGR), shared, never written
    QString label;                 // the frame's label ("a.jpg", "frame 12")
    int64_t frameIndex = 0;
    int64_t droppedFrames = 0;     // dropped since the source was opened
    std::vector<PixelBox> faces;   // every detection after NMS, whatever its score
    Shape input;                   // CHW the network saw
    Size2 original;
    std::vector<LayerInfo> layers; // described for `input`
    // Warm times: the first run of a model at an input size pays one-time
    // costs (allocation, page faults, caches) and is run once untimed, its
    // time kept as coldSeconds. Per-layer and total times are the medians of
    // `runSeconds.size()` timed runs (ModelRunner::setTimingRuns).
    std::vector<double> layerSeconds;
    double totalSeconds = 0.0;
    std::vector<double> runSeconds;   // every timed run's total
    double coldSeconds = -1.0;        // the warm-up run's time; -1 when already warm
    int64_t madds = 0;
    // The same input run again inside the metered arena of the paper
    // schedule, in the frame's numerics: its high-water mark, or -1 if it
    // could not run (or the metering policy skipped the frame).
    int64_t measuredPeakBytes = -1;
    bool measuredInt8 = false; // the int8 arena measured it
    // The whole run with every layer's output (int8: dequantised), and the
    // float model (for RNNPool traces of any patch of this frame).
    std::shared_ptr<const FrameResult> result;
    // int8: the engine that ran (for RNNPool's Q15 states of any patch), and
    // each layer's output scale and zero point (one, or one per channel).
    std::shared_ptr<const Int8Detector> int8;
    std::vector<std::vector<ActivationQuant>> int8Quant;
    std::shared_ptr<const FaceDetector> detector;
};

// How often the live RAM chart's measurement runs. Measuring runs the frame a
// second time, patch by patch in the paper schedule, which costs several times
// the detection itself; the high-water mark depends only on the model and the
// input size, so sampling loses nothing but the proof on every frame.
enum class RamMetering {
    EveryFrame,
    OncePerSecond, // and on the first frame of a new model or input size
    Off,
};
// "every", "second", "off" (the --ram-metering option and the settings file).
QString ramMeteringName(RamMetering policy);
std::optional<RamMetering> ramMeteringFromName(const QString& name);

// Runs a frame's input again inside the metered arena of the paper schedule
// and returns the high-water mark, for the live RAM chart: in float32, or,
// given the int8 twin the frame ran on, in int8 (runInt8InArena, the picture
// quantised as the int8 engine quantises it). The plan is made once per
// model, numerics and input size. Used by one job at a time.
class ArenaMeter {
public:
    // -1 when the policy skips this frame or the model cannot run in the arena.
    int64_t measure(const std::shared_ptr<const FaceDetector>& detector, const Tensor& input, RamMetering policy,
                    const std::shared_ptr<const Int8Detector>& twin = {});

private:
    std::shared_ptr<const FaceDetector> m_detector; // the plan's model, kept alive so the comparison is sound
    std::shared_ptr<const Int8Detector> m_twin;     // the int8 plan's network, likewise
    Shape m_input;
    std::optional<ModelProfile> m_profile;
    std::optional<std::chrono::steady_clock::time_point> m_lastMeasured; // for this model and input
};

// Which (model, input size) pairs have run once already: the first run of a
// pair is a warm-up. Used by one job at a time.
class WarmUps {
public:
    // True the first time for this pair and numerics (then warm).
    bool needsWarmUp(const std::shared_ptr<const FaceDetector>& detector, const Shape& input, Numerics numerics);

private:
    std::shared_ptr<const FaceDetector> m_detector; // kept alive so the comparison is sound
    std::vector<std::pair<Shape, Numerics>> m_inputs;
};

// The int8 twin of the model shown, made once per model (quantising a model
// on the fly calibrates it on the bundled pictures: seconds). Used by one job
// at a time.
class Int8Twin {
public:
    Expected<std::shared_ptr<const Int8Detector>> detectorFor(const std::shared_ptr<const FaceDetector>& detector);

private:
    std::shared_ptr<const FaceDetector> m_for; // kept alive so the comparison is sound
    std::shared_ptr<const Int8Detector> m_twin;
};

class ModelRunner final : public QObject {
    Q_OBJECT

public:
    explicit ModelRunner(QObject* parent = nullptr);
    ~ModelRunner() override; // waits for a running job

    void requestModel(const ModelRequest& request);
    // Replaces any frame still waiting (which counts as dropped).
    void submitFrame(Frame frame);
    // Forgets the waiting frame and restarts the dropped count (a new source).
    void resetFrames();
    void rerun();
    // Timed runs per frame, whose median is reported (1 while a video plays,
    // more for a picture); applies from the next frame on.
    void setTimingRuns(int runs) { m_timingRuns = std::max(runs, 1); }
    int timingRuns() const { return m_timingRuns; }
    // Applies from the next frame on (rerun() to see the frame shown again).
    void setNumerics(Numerics numerics) { m_numerics = numerics; }
    Numerics numerics() const { return m_numerics; }
    // Applies from the next frame on.
    void setRamMetering(RamMetering policy) { m_ramMetering = policy; }
    RamMetering ramMetering() const { return m_ramMetering; }
    int64_t droppedFrames() const { return m_frames.dropped(); }

    // Drops the model being loaded (and any waiting request) when it arrives;
    // the current model stays. The core cannot stop a load half-way.
    void cancelModelLoad();
    bool isLoadingModel() const { return m_loadingModel; }

    // From start() until its result has been applied (the watcher alone says
    // "not running" between the job's end and the delivery of its result).
    bool isBusy() const { return m_running; }
    bool hasModel() const { return m_detector != nullptr; }
    bool hasFrame() const { return !m_frame.bgr.empty(); }

signals:
    void busyChanged(bool busy, const QString& what);
    void modelLoaded(const rnnpool::studio::LoadedModel& model);
    void modelFailed(const QString& message);
    void modelCancelled();
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
    struct DetectSettings {
        std::shared_ptr<ArenaMeter> meter;
        RamMetering metering = RamMetering::OncePerSecond;
        std::shared_ptr<WarmUps> warmUps;
        int timingRuns = 1;
        Numerics numerics = Numerics::Float32;
        std::shared_ptr<Int8Twin> twin;
    };
    Apply detectJob(std::shared_ptr<const FaceDetector> detector, Frame frame, int64_t dropped, const DetectSettings& settings);

    QFutureWatcher<Apply> m_watcher;
    bool m_running = false;
    std::optional<ModelRequest> m_pendingModel;
    bool m_loadingModel = false;
    int m_modelGeneration = 0;     // a load whose generation is outdated was cancelled
    LatestSlot<Frame> m_frames;
    bool m_detectWanted = false;   // run the last frame again (new model, rerun)

    std::shared_ptr<const FaceDetector> m_detector;
    std::shared_ptr<ArenaMeter> m_arenaMeter = std::make_shared<ArenaMeter>();
    RamMetering m_ramMetering = RamMetering::OncePerSecond;
    std::shared_ptr<WarmUps> m_warmUps = std::make_shared<WarmUps>();
    int m_timingRuns = 3;
    Numerics m_numerics = Numerics::Float32;
    std::shared_ptr<Int8Twin> m_int8Twin = std::make_shared<Int8Twin>();
    Frame m_frame;                 // the last frame taken; its pixels are never written, so jobs may share them
};

} // namespace rnnpool::studio
