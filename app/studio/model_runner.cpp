#include "studio/model_runner.h"

#include <algorithm>
#include <exception>
#include <filesystem>
#include <utility>

#include <QFile>
#include <QtConcurrent/QtConcurrentRun>

#include "model/default_model.h"
#include "model/weight_binding.h"
#include "profile/arena.h"
#include "profile/model_profile.h"
#include "quant/int8_arena.h"
#include "quant/quantized_model.h"
#include "widgets/image_conversion.h"

namespace rnnpool::studio {

namespace {

QString fromStd(const std::string& s)
{
    return QString::fromStdString(s);
}

// File names in the file system's own encoding, as QFile would open them.
std::filesystem::path toPath(const QString& file)
{
    return QFile::encodeName(file).toStdString();
}

// The CHW the layer table shows before any picture: the model's input area.
Shape describedInputFor(const ArchSpec& spec)
{
    if (spec.detector)
        return {spec.inputChannels, spec.detector->areaHeight, spec.detector->areaWidth};
    return {spec.inputChannels, spec.defaultHeight, spec.defaultWidth};
}

// An architecture spec file: the network it describes, with seeded random weights.
Expected<Model> modelFromSpecFile(const std::filesystem::path& path)
{
    auto spec = loadArchSpecFile(path);
    if (!spec)
        return std::move(spec).takeError();
    auto net = Network::build(*spec);
    if (!net)
        return makeError("spec '" + path.string() + "': " + net.error());
    randomizeWeights(*net, kDefaultRandomSeed);
    Model model;
    model.network = std::make_shared<Network>(std::move(*net));
    model.source = "random weights (seed " + std::to_string(kDefaultRandomSeed) + ") for the spec " + path.string();
    model.randomWeights = true;
    model.format = "spec";
    return model;
}

int64_t totalMadds(const std::vector<LayerInfo>& layers)
{
    int64_t sum = 0;
    for (const LayerInfo& l : layers)
        sum += l.madds;
    return sum;
}

} // namespace

ModelRunner::ModelRunner(QObject* parent)
    : QObject(parent)
{
    connect(&m_watcher, &QFutureWatcher<Apply>::finished, this, &ModelRunner::finished);
}

ModelRunner::~ModelRunner()
{
    // The job holds only copies and shared pointers, but its Apply captures `this`.
    m_watcher.waitForFinished();
}

void ModelRunner::requestModel(const ModelRequest& request)
{
    m_pendingModel = request;
    schedule();
}

void ModelRunner::submitFrame(Frame frame)
{
    m_frames.put(std::move(frame));
    schedule();
}

void ModelRunner::cancelModelLoad()
{
    m_pendingModel.reset();
    if (m_loadingModel)
        ++m_modelGeneration;
}

void ModelRunner::resetFrames()
{
    m_frames.clear();
    m_frames.resetDropped();
}

void ModelRunner::rerun()
{
    m_detectWanted = true;
    schedule();
}

void ModelRunner::schedule()
{
    if (isBusy())
        return;
    if (m_pendingModel) {
        const ModelRequest request = *std::exchange(m_pendingModel, std::nullopt);
        const int generation = ++m_modelGeneration;
        m_loadingModel = true;
        start(tr("Loading model…"), [this, request, generation]() -> Apply {
            Apply apply = loadModelJob(request);
            return [this, apply = std::move(apply), generation] {
                m_loadingModel = false;
                if (generation != m_modelGeneration) {
                    emit modelCancelled();
                    return;
                }
                apply();
            };
        }, &ModelRunner::modelFailed);
    } else if (m_detector && (m_frames.hasItem() || (m_detectWanted && hasFrame()))) {
        m_detectWanted = false;
        if (auto frame = m_frames.take())
            m_frame = std::move(*frame);
        const DetectSettings settings{m_arenaMeter, m_ramMetering, m_warmUps, m_timingRuns, m_numerics, m_int8Twin};
        start(m_numerics == Numerics::Int8 ? tr("Detecting faces (int8)…") : tr("Detecting faces…"),
              [this, detector = m_detector, frame = m_frame, dropped = m_frames.dropped(), settings] {
                  return detectJob(detector, frame, dropped, settings);
              }, &ModelRunner::detectionFailed);
    } else {
        m_detectWanted = false;
        emit idle();
    }
}

void ModelRunner::start(const QString& what, std::function<Apply()> job, Failure failure)
{
    // Catch here, on the worker: an exception inside QtConcurrent would be
    // rethrown by result() on the UI thread. Core reports bad input through
    // Expected; what lands here is a bug or an exhausted machine, still told
    // in the window.
    auto guarded = [this, job = std::move(job), failure]() -> Apply {
        QString message;
        try {
            return job();
        } catch (const std::exception& e) {
            message = tr("internal error: %1").arg(QString::fromLocal8Bit(e.what()));
        } catch (...) {
            message = tr("internal error (unknown exception)");
        }
        return [this, failure, message] { emit (this->*failure)(message); };
    };
    m_running = true;
    emit busyChanged(true, what);
    m_watcher.setFuture(QtConcurrent::run(std::move(guarded)));
}

void ModelRunner::finished()
{
    const Apply apply = m_watcher.result();
    if (apply)
        apply();
    m_loadingModel = false; // one job at a time: whatever ran is over
    m_running = false;
    emit busyChanged(false, QString());
    schedule();
}

ModelRunner::Apply ModelRunner::loadModelJob(const ModelRequest& request)
{
    Expected<Model> model = Error{""};
    if (request.path.endsWith(u".json", Qt::CaseInsensitive)) {
        model = modelFromSpecFile(toPath(request.path));
    } else if (!request.path.isEmpty()) {
        LoadOptions options;
        options.arch = request.arch.toStdString();
        model = loadModel(toPath(request.path), options);
    } else if (!request.arch.isEmpty()) {
        model = randomModel(request.arch.toStdString(), kDefaultRandomSeed);
    } else {
        model = loadDefaultModel();
    }
    if (!model) {
        const QString message = fromStd(model.error());
        return [this, message] { emit modelFailed(message); };
    }

    LoadedModel info;
    const ArchSpec& spec = model->spec();
    info.architecture = fromStd(spec.name);
    info.description = fromStd(spec.description);
    info.source = fromStd(model->source);
    info.format = fromStd(model->format);
    info.randomWeights = model->randomWeights;
    info.path = model->randomWeights ? QString() : fromStd(model->source);
    for (const std::string& note : model->notes)
        info.notes << fromStd(note);
    info.describedInput = describedInputFor(spec);
    if (auto layers = model->network->describe(info.describedInput))
        info.layers = std::move(*layers);
    else
        info.notes << tr("cannot list the layers: %1").arg(fromStd(layers.error()));
    info.params = model->network->paramCount();
    info.isDetector = spec.detector.has_value();
    info.hasRnnPool = std::any_of(model->network->nodes().begin(), model->network->nodes().end(),
                                  [](const Node& n) { return n.op && n.op->kind() == "rnnpool"; });
    info.madds = totalMadds(info.layers);

    auto detector = std::make_shared<const FaceDetector>(std::move(*model));
    return [this, info = std::move(info), detector = std::move(detector)] {
        m_detector = detector;
        m_detectWanted = true;
        emit modelLoaded(info);
    };
}

QString ramMeteringName(RamMetering policy)
{
    switch (policy) {
    case RamMetering::EveryFrame: return QStringLiteral("every");
    case RamMetering::OncePerSecond: return QStringLiteral("second");
    case RamMetering::Off: return QStringLiteral("off");
    }
    return {};
}

std::optional<RamMetering> ramMeteringFromName(const QString& name)
{
    for (RamMetering p : {RamMetering::EveryFrame, RamMetering::OncePerSecond, RamMetering::Off})
        if (name.compare(ramMeteringName(p), Qt::CaseInsensitive) == 0)
            return p;
    return std::nullopt;
}

int64_t ArenaMeter::measure(const std::shared_ptr<const FaceDetector>& detector, const Tensor& input, RamMetering policy,
                            const std::shared_ptr<const Int8Detector>& twin)
{
    using Clock = std::chrono::steady_clock;
    if (policy == RamMetering::Off)
        return -1;
    Network& net = twin ? *twin->network().model().network : *detector->model().network;
    const bool samePlan = detector == m_detector && twin == m_twin && input.shape() == m_input;
    if (policy == RamMetering::OncePerSecond && samePlan && m_lastMeasured &&
        Clock::now() - *m_lastMeasured < std::chrono::seconds(1))
        return -1;
    if (!samePlan) {
        ScheduleOptions options;
        options.dtype = twin ? ElementType::I8 : ElementType::F32;
        auto profile = profileNetwork(net, input.shape(), "paper", options);
        m_detector = detector;
        m_twin = twin;
        m_input = input.shape();
        m_profile = profile ? std::optional<ModelProfile>(std::move(*profile)) : std::nullopt;
    }
    if (!m_profile)
        return -1;
    int64_t peak = -1;
    if (twin) {
        const Int8Network& net8 = twin->network();
        auto run = runInt8InArena(net8, m_profile->schedule, m_profile->timeline, m_profile->plan,
                                  quantizeInputHwc(input, net8.model().input), input.shape());
        peak = run ? run->highWaterBytes : -1;
    } else {
        auto run = runInArena(net, m_profile->schedule, m_profile->timeline, m_profile->plan, input);
        peak = run ? run->highWaterBytes : -1;
    }
    m_lastMeasured = Clock::now(); // a second from the end of this measurement
    return peak;
}

bool WarmUps::needsWarmUp(const std::shared_ptr<const FaceDetector>& detector, const Shape& input, Numerics numerics)
{
    if (detector != m_detector) {
        m_detector = detector;
        m_inputs.clear();
    }
    const std::pair<Shape, Numerics> key{input, numerics};
    if (std::find(m_inputs.begin(), m_inputs.end(), key) != m_inputs.end())
        return false;
    m_inputs.push_back(key);
    return true;
}

Expected<std::shared_ptr<const Int8Detector>> Int8Twin::detectorFor(const std::shared_ptr<const FaceDetector>& detector)
{
    if (detector == m_for && m_twin)
        return m_twin;
    auto net = int8NetworkFor(detector->model());
    if (!net)
        return std::move(net).takeError();
    m_for = detector;
    m_twin = std::make_shared<const Int8Detector>(*net);
    return m_twin;
}

QString numericsName(Numerics numerics)
{
    return numerics == Numerics::Int8 ? QStringLiteral("i8") : QStringLiteral("f32");
}

std::optional<Numerics> numericsFromName(const QString& name)
{
    if (name == QStringLiteral("f32"))
        return Numerics::Float32;
    if (name == QStringLiteral("i8"))
        return Numerics::Int8;
    return std::nullopt;
}

QString numericsTitle(Numerics numerics)
{
    return numerics == Numerics::Int8 ? QObject::tr("int8 (as on the M4)") : QObject::tr("float32");
}

namespace {

double median(std::vector<double> v)
{
    if (v.empty())
        return 0.0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

} // namespace

ModelRunner::Apply ModelRunner::detectJob(std::shared_ptr<const FaceDetector> detector, Frame frame, int64_t dropped,
                                          const DetectSettings& settings)
{
    DetectOptions options;
    options.scoreThreshold = 0.0f; // keep every detection; the view filters by its own threshold
    options.keepLayerOutputs = true;
    std::shared_ptr<const Int8Detector> twin;
    if (settings.numerics == Numerics::Int8) {
        auto made = settings.twin->detectorFor(detector);
        if (!made) {
            const QString message = tr("int8 detection is not available for this model: %1").arg(fromStd(made.error()));
            return [this, message] { emit detectionFailed(message); };
        }
        twin = *made;
    }
    const auto detect = [&](const DetectOptions& o) { return twin ? twin->detect(frame.bgr, o) : detector->detect(frame.bgr, o); };
    auto result = detect(options);
    if (!result) {
        const QString message = tr("detection failed on %1: %2").arg(fromStd(frame.label), fromStd(result.error()));
        return [this, message] { emit detectionFailed(message); };
    }
    // The first run at a new size was a warm-up: keep its time as the cold
    // figure and run again; then time `timingRuns` runs in all and take medians.
    double coldSeconds = -1.0;
    if (settings.warmUps->needsWarmUp(detector, result->input.shape(), settings.numerics)) {
        coldSeconds = result->seconds; // every pyramid level the detector ran
        auto again = detect(options);
        if (again)
            result = std::move(again);
    }
    std::vector<std::vector<double>> perLayer(result->run.layerSeconds.size());
    std::vector<double> totals{result->seconds};
    for (size_t l = 0; l < perLayer.size(); ++l)
        perLayer[l].push_back(result->run.layerSeconds[l]);
    DetectOptions timingOnly = options;
    timingOnly.keepLayerOutputs = false;
    for (int r = 1; r < settings.timingRuns; ++r) {
        auto timed = detect(timingOnly);
        if (!timed || timed->run.layerSeconds.size() != perLayer.size())
            break;
        totals.push_back(timed->seconds);
        for (size_t l = 0; l < perLayer.size(); ++l)
            perLayer[l].push_back(timed->run.layerSeconds[l]);
    }
    DetectionOutcome outcome;
    outcome.numerics = settings.numerics;
    outcome.picture = widgets::imageFromMat(frame.bgr);
    outcome.frame = frame.bgr;
    outcome.label = fromStd(frame.label);
    outcome.frameIndex = frame.index;
    outcome.droppedFrames = dropped;
    outcome.faces = result->faces;
    outcome.input = result->input.shape();
    outcome.original = result->original;
    outcome.layerSeconds.clear();
    for (const std::vector<double>& times : perLayer)
        outcome.layerSeconds.push_back(median(times));
    outcome.totalSeconds = median(totals);
    outcome.runSeconds = totals;
    outcome.coldSeconds = coldSeconds;
    outcome.result = std::make_shared<const FrameResult>(std::move(*result));
    outcome.int8 = twin;
    if (twin)
        for (const NodeQuant& nq : twin->network().model().nodes) {
            std::vector<ActivationQuant> q;
            if (nq.channelScale.empty())
                q.push_back(nq.output);
            for (size_t c = 0; c < nq.channelScale.size(); ++c)
                q.push_back({nq.channelScale[c], nq.channelZeroPoint[c]});
            outcome.int8Quant.push_back(std::move(q));
        }
    outcome.detector = detector;
    // Sequential jobs: nothing else touches the network while this one runs.
    Network& net = *detector->model().network;
    if (auto layers = net.describe(outcome.input))
        outcome.layers = std::move(*layers);
    outcome.madds = totalMadds(outcome.layers);
    // In the frame's numerics: an int8 frame in the int8 arena (as
    // rnnpool profile --dtype i8 --schedule paper --execute runs it).
    outcome.measuredPeakBytes = settings.meter->measure(detector, outcome.result->input, settings.metering, twin);
    outcome.measuredInt8 = twin != nullptr;
    return [this, outcome = std::move(outcome)] { emit detectionFinished(outcome); };
}

} // namespace rnnpool::studio
