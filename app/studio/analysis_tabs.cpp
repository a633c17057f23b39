#include "studio/analysis_tabs.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "mcu/fit_json.h"

#include "mcu/latency_model.h"
#include "widgets/board_panel.h"
#include "widgets/column_scroll_area.h"
#include "widgets/emulator_panel.h"
#include "widgets/diff_view.h"
#include "engine/graph_run.h"
#include "quant/int8_detector.h"
#include "widgets/compare_view.h"
#include "widgets/live_charts.h"
#include "widgets/memory_timeline_view.h"
#include "widgets/pyramid_text.h"
#include "widgets/sweep_view.h"

namespace rnnpool::studio {

namespace {

constexpr const char* kDefaultBoard = "stm32f439zi";

QString describeOptions(const QString& schedule, const ScheduleOptions& options)
{
    return QObject::tr("%1 schedule, %2%3")
        .arg(schedule, QString::fromLatin1(elementTypeName(options.dtype)),
             options.countInput ? QObject::tr(", input counted") : QString());
}

// The core's cycle model under every cost profile (core/mcu/latency_model).
widgets::LatencyEstimates estimatedLatency(const ArchSpec& spec, const Shape& input, const Board& board)
{
    widgets::LatencyEstimates out;
    auto estimates = estimateArchitecture(spec, input, board.clockMHz);
    if (!estimates)
        return out;
    for (const ProfiledLatency& p : *estimates)
        out.push_back({QString::fromStdString(p.profile.name), p.estimate.milliseconds()});
    return out;
}

} // namespace

AnalysisTabs::AnalysisTabs(QObject* parent)
    : QObject(parent)
    , m_latency(estimatedLatency)
{
    m_live = new widgets::LiveCharts;
    m_memory = new widgets::MemoryTimelineView;
    m_compare = new widgets::CompareView;
    m_sweep = new widgets::SweepView;
    m_board = new widgets::BoardPanel;
    m_emulator = new widgets::EmulatorPanel;
    // The M4 tab: the planned fit above, the measured run on the emulated chip below, in one
    // scrolled column: a window too small for both scrolls instead of squeezing their charts.
    auto* m4Column = new QWidget;
    auto* m4Layout = new QVBoxLayout(m4Column);
    m4Layout->setContentsMargins(0, 0, 0, 0);
    m4Layout->addWidget(m_board, 3);
    m4Layout->addWidget(m_emulator, 2);
    m_m4Page = new widgets::ColumnScrollArea;
    m_m4Page->setObjectName(QStringLiteral("m4Page"));
    m_m4Page->setWidget(m4Column);
    m_diff = new widgets::DiffView;
    m_tabs = {{tr("Live charts"), m_live}, {tr("Memory"), m_memory}, {tr("Compare"), m_compare},
              {tr("Sweep"), m_sweep}, {tr("M4 budget"), m_m4Page}, {tr("Diff"), m_diff}};
    for (const Tab& tab : m_tabs)
        m_owned.append(tab.widget);

    m_inputBar = new QWidget;
    m_inputBar->setObjectName(QStringLiteral("analysisInputBar"));
    m_inputBox = new QComboBox(m_inputBar);
    m_inputBox->setEditable(true);
    m_inputBox->setInsertPolicy(QComboBox::NoInsert);
    m_inputBox->setMinimumContentsLength(18); // "320×240 deployment"
    m_inputBox->setToolTip(tr("The input size the Memory, Compare, Sweep and M4 tabs describe. The model's deployment "
                              "input unless you pick another (or type WIDTHxHEIGHT). The live charts follow the frames."));
    m_inputNote = new QLabel(m_inputBar);
    m_inputNote->setMinimumWidth(1);
    auto* bar = new QHBoxLayout(m_inputBar);
    bar->setContentsMargins(6, 0, 6, 0);
    bar->addWidget(new QLabel(tr("Analysed at:"), m_inputBar));
    bar->addWidget(m_inputBox);
    bar->addWidget(m_inputNote);
    m_owned.append(m_inputBar);
    connect(m_inputBox, &QComboBox::activated, this, [this](int index) {
        chooseAnalysisSize(m_inputBox->itemData(index).toString());
    });
    connect(m_inputBox->lineEdit(), &QLineEdit::returnPressed, this, [this] {
        const int index = m_inputBox->findText(m_inputBox->currentText());
        chooseAnalysisSize(index >= 0 ? m_inputBox->itemData(index).toString() : m_inputBox->currentText().trimmed());
    });
    fillInputBox();

    m_options.dtype = ElementType::I8; // what an M4 deployment runs
    m_board->setBoards(builtinBoards());
    QStringList names;
    for (const ArchSpec& spec : builtinArchitectures())
        names << QString::fromStdString(spec.name);
    m_compare->setArchitectureChoices(names);
    m_compare->setEntries({});
    m_memory->setOptions(m_schedule, m_options.dtype, m_options.countInput);
    connectViews();
    setBoard(QString::fromLatin1(kDefaultBoard));
}

AnalysisTabs::~AnalysisTabs()
{
    for (const QPointer<QWidget>& w : m_owned)
        if (w && !w->parent())
            delete w.data();
}

void AnalysisTabs::connectViews()
{
    connect(&m_controller, &AnalysisController::pyramidReady, this,
            [this](const std::vector<PyramidLevelProfile>& levels, const QString& message) {
                m_pyramid = levels;
                if (!message.isEmpty())
                    emit problem(message);
            });
    connect(&m_controller, &AnalysisController::profileReady, this, &AnalysisTabs::onProfileReady);
    connect(&m_controller, &AnalysisController::profileFailed, this, [this](const QString& message) {
        m_profile.reset();
        m_pyramid.clear();
        m_memory->showProblem(message);
        m_board->showProblem(message);
        emit problem(message);
    });
    connect(m_memory, &widgets::MemoryTimelineView::optionsChanged, this,
            [this](const QString& schedule, ElementType dtype, bool countInput) {
                applyScheduleOptions(schedule, dtype, countInput);
            });
    connect(m_memory, &widgets::MemoryTimelineView::stepSelected, this, [this](int step) {
        if (m_profile && step >= 0 && step < static_cast<int>(m_profile->schedule.units.size()))
            emit layerSelected(m_profile->schedule.units[static_cast<size_t>(step)].output());
    });

    connect(m_compare, &widgets::CompareView::addArchitectureRequested, this, [this](const QString& name) {
        m_compareSources.push_back({name, {}, {}, {}});
        requestCompare();
    });
    connect(m_compare, &widgets::CompareView::addFileRequested, this, &AnalysisTabs::addCompareFile);
    connect(m_compare, &widgets::CompareView::removeRowsRequested, this, [this](const QList<int>& rows) {
        bool removed = false;
        for (int row : rows) // descending: erasing one leaves the others' indices valid
            if (row >= 0 && row < static_cast<int>(m_compareSources.size())) {
                m_compareSources.erase(m_compareSources.begin() + row);
                removed = true;
            }
        if (removed)
            requestCompare();
    });
    connect(&m_controller, &AnalysisController::compareProgress, this, [this](int done, int total) {
        m_compare->showMessage(tr("Profiling %1 of %2…").arg(done).arg(total));
    });
    connect(&m_controller, &AnalysisController::compareReady, this,
            [this](const std::vector<ArchitectureComparison>& entries, const QStringList& problems) {
                m_comparisons = entries;
                m_compare->setEntries(entries);
                updateBoardViews();
                updateMeasuredColumns();
                if (!problems.isEmpty()) {
                    m_compare->showMessage(problems.join(QLatin1Char('\n')));
                    emit problem(problems.front());
                }
            });

    connect(m_sweep, &widgets::SweepView::sweepRequested, this,
            [this](const QString& param, const QStringList& values, ElementType dtype) {
                ScheduleOptions options = m_options;
                options.dtype = dtype;
                m_controller.requestSweep(param, values, options);
            });
    connect(m_sweep, &widgets::SweepView::cancelRequested, &m_controller, &AnalysisController::cancelSweep);
    connect(&m_controller, &AnalysisController::sweepStarted, m_sweep, &widgets::SweepView::startSweep);
    connect(&m_controller, &AnalysisController::sweepPointReady, m_sweep, &widgets::SweepView::addPoint);
    connect(&m_controller, &AnalysisController::sweepDetectionReady, m_sweep, &widgets::SweepView::setDetection);
    connect(&m_controller, &AnalysisController::sweepProgress, m_sweep, &widgets::SweepView::setProgress);
    connect(&m_controller, &AnalysisController::sweepFinished, m_sweep, &widgets::SweepView::finishSweep);

    connect(m_board, &widgets::BoardPanel::boardChosen, this, &AnalysisTabs::setBoard);
    connect(m_emulator, &widgets::EmulatorPanel::runRequested, this, &AnalysisTabs::runOnEmulator);
    connect(m_emulator, &widgets::EmulatorPanel::cancelRequested, this, &AnalysisTabs::cancelEmulator);
    connect(m_diff, &widgets::DiffView::chooseModelRequested, this, [this] {
        const QString path = QFileDialog::getOpenFileName(m_diff, tr("Compare With Model"), QString(),
                                                          tr("Models (*.pth *.pt *.safetensors *.json *.onnx);;All files (*)"));
        if (!path.isEmpty())
            runDiff(path);
    });
    connect(m_diff, &widgets::DiffView::int8TwinRequested, this, [this] { runDiff(QString()); });
    connect(m_diff, &widgets::DiffView::layerSelected, this, &AnalysisTabs::layerSelected);
    connect(&m_diffRun, &QFutureWatcher<DiffOutcome>::finished, this, [this] {
        const DiffOutcome outcome = m_diffRun.result();
        if (outcome.diff)
            m_diff->setDiff(*outcome.diff);
        else
            m_diff->showProblem(outcome.error);
    });
    connect(&m_emulatorRun, &QFutureWatcher<EmulatorOutcome>::finished, this, [this] {
        const EmulatorOutcome outcome = m_emulatorRun.result();
        if (outcome.run) {
            m_emulator->setResult(*outcome.run);
            // Kept per architecture: Compare shows it in its measured columns.
            if (outcome.run->ran)
                m_measuredRuns[outcome.run->architecture] = *outcome.run;
            updateMeasuredColumns();
        } else
            m_emulator->showProblem(outcome.error);
        updateEmulatorAvailability();
        m_m4Page->keepInView(m_emulator); // the result in view, as its text is laid out
    });
    connect(m_live, &widgets::LiveCharts::exportFailed, this, &AnalysisTabs::problem);
}

void AnalysisTabs::setLatencyProvider(LatencyProvider provider)
{
    m_latency = std::move(provider);
    updateBoardViews();
}

void AnalysisTabs::setModel(const ArchSpec& spec, const Shape& frameInput, const QString& label,
                            std::shared_ptr<const FaceDetector> detector, std::vector<cv::Mat> pictures)
{
    m_modelSpec = spec;
    m_hasModel = true;
    m_frameInput = frameInput;
    m_modelLabel = label.isEmpty() ? QString::fromStdString(spec.name) : label;
    m_controller.setModel(spec, analysisInput(), std::move(detector), std::move(pictures));
    // The compare view starts with this model and the built-ins of the same task.
    m_compareSources.clear();
    m_compareSources.push_back({QString::fromStdString(spec.name), {}, spec, m_modelLabel});
    for (const ArchSpec& other : builtinArchitectures())
        if (other.task == spec.task && other.name != spec.name)
            m_compareSources.push_back({QString::fromStdString(other.name), {}, {}, {}});
    fillInputBox();
    applyAnalysisInput();
    updateEmulatorAvailability();
}

void AnalysisTabs::setPictures(std::vector<cv::Mat> pictures)
{
    m_controller.setPictures(std::move(pictures));
    updateEmulatorAvailability();
}

void AnalysisTabs::updateEmulatorAvailability()
{
    const auto detector = m_controller.detector();
    m_diff->setInt8Available(detector && detector->model().spec().detector.has_value());
    if (!detector) {
        m_emulator->setAvailable(false, tr("No model is loaded."));
        return;
    }
    if (const QString why = emulatorUnavailableReason(detector->model()); !why.isEmpty()) {
        m_emulator->setAvailable(false, why);
        return;
    }
    if (m_controller.pictures().empty()) {
        m_emulator->setAvailable(false, tr("Open a picture to run the model on the emulated chip."));
        return;
    }
    m_emulator->setAvailable(true, {});
}

void AnalysisTabs::runDiff(const QString& modelB)
{
    const auto detector = m_controller.detector();
    if (!detector || m_diffRun.isRunning())
        return;
    m_diff->setRunning(modelB.isEmpty() ? tr("Comparing with the int8 twin…") : tr("Loading %1 and comparing…").arg(modelB));
    std::optional<cv::Mat> picture;
    if (!m_controller.pictures().empty())
        picture = m_controller.pictures().front();
    const std::string label = m_modelLabel.toStdString();
    m_diffRun.setFuture(QtConcurrent::run([detector, picture, label, b = modelB.toStdString()]() -> DiffOutcome {
        try {
            const Model& model = detector->model();
            const DiffSide a = floatSide(label, model.network);
            Expected<DiffSide> other = Error{""};
            if (b.empty()) {
                auto q = int8NetworkFor(model);
                if (!q)
                    return {std::nullopt, QString::fromStdString(q.error())};
                other = int8Side(label + " (int8)", *q);
            } else {
                other = diffSideFor(b);
            }
            if (!other)
                return {std::nullopt, QString::fromStdString(other.error())};
            const ArchSpec& spec = model.spec();
            std::optional<Tensor> input;
            if (picture) {
                auto t = pictureInputFor(spec, *picture, std::nullopt);
                if (!t)
                    return {std::nullopt, QString::fromStdString(t.error())};
                input = std::move(*t);
            }
            const Shape shape = input ? input->shape()
                                      : Shape{spec.inputChannels, spec.detector ? spec.detector->areaHeight : spec.defaultHeight,
                                              spec.detector ? spec.detector->areaWidth : spec.defaultWidth};
            auto diff = diffModels(a, *other, shape, input ? &*input : nullptr, 3);
            if (!diff)
                return {std::nullopt, QString::fromStdString(diff.error())};
            return {std::move(*diff), {}};
        } catch (const std::exception& e) {
            return {std::nullopt, QObject::tr("internal error: %1").arg(QString::fromLocal8Bit(e.what()))};
        }
    }));
}

void AnalysisTabs::applyScheduleOptions(const QString& schedule, ElementType dtype, bool countInput)
{
    m_schedule = schedule;
    m_options.dtype = dtype;
    m_options.countInput = countInput;
    if (m_controller.hasModel())
        m_controller.requestProfile(m_schedule, m_options);
    m_compare->setSchedule(schedule);
    requestCompare();
}

void AnalysisTabs::runOnEmulator(int width, int height, const QString& schedule)
{
    const auto detector = m_controller.detector();
    if (!detector || m_controller.pictures().empty() || m_emulatorRun.isRunning())
        return;
    // The panel shows what runs (a run asked for from the command line too).
    const QString size = QStringLiteral("%1x%2").arg(width).arg(height);
    if (m_emulator->sizeBox()->findText(size) < 0)
        m_emulator->sizeBox()->addItem(size);
    m_emulator->sizeBox()->setCurrentText(size);
    m_emulator->scheduleBox()->setCurrentText(schedule);
    // The budget above the run describes what the firmware runs: this schedule, int8,
    // the input in the arena (the memory view follows).
    if (schedule != m_schedule || m_options.dtype != ElementType::I8 || !m_options.countInput) {
        m_memory->setOptions(schedule, ElementType::I8, true);
        applyScheduleOptions(schedule, ElementType::I8, true);
    }
    m_emulator->setRunning(tr("Building the firmware (arm-none-eabi-gcc) and running it in qemu-system-arm at %1x%2, "
                              "schedule %3…")
                               .arg(width)
                               .arg(height)
                               .arg(schedule));
    const cv::Mat picture = m_controller.pictures().front();
    m_emulatorCancel = std::make_shared<std::atomic<bool>>(false);
    // Each stage's name reaches the panel through the event loop (the panel may be gone by then).
    const QPointer<widgets::EmulatorPanel> panel = m_emulator;
    const auto progress = [panel, width, height](const QString& stage) {
        QMetaObject::invokeMethod(panel, [panel, stage, width, height] {
            if (panel)
                panel->setRunning(QObject::tr("%1 at %2x%3…").arg(stage).arg(width).arg(height));
        }, Qt::QueuedConnection);
    };
    // The detector's own pyramid, every level on the chip.
    const int levels = m_controller.pyramidLevels();
    m_emulatorRun.setFuture(QtConcurrent::run([detector, picture, width, height, schedule, levels, cancel = m_emulatorCancel,
                                               progress] {
        try {
            return runOnEmulatedM4(detector->model(), picture, width, height, schedule, levels, cancel.get(), progress);
        } catch (const std::exception& e) {
            return EmulatorOutcome{std::nullopt, QObject::tr("internal error: %1").arg(QString::fromLocal8Bit(e.what()))};
        }
    }));
}

void AnalysisTabs::updateMeasuredColumns()
{
    std::vector<std::optional<widgets::MeasuredOnChip>> measured;
    for (const ArchitectureComparison& entry : m_comparisons) {
        const auto run = m_measuredRuns.find(QString::fromStdString(entry.spec.name));
        if (run == m_measuredRuns.end()) {
            measured.emplace_back();
            continue;
        }
        const widgets::EmulatorRun& r = run->second;
        uint64_t sram = 0;
        for (const auto& [region, bytes] : r.ramBytes)
            if (region == QStringLiteral("SRAM"))
                sram = bytes;
        const QString input = r.levels.empty() ? QStringLiteral("%1x%2").arg(r.width).arg(r.height)
                                               : tr("%1x%2, pyramid of %3").arg(r.width).arg(r.height).arg(r.levels.size());
        measured.emplace_back(widgets::MeasuredOnChip{input, r.instructions,
                                                      sram, r.flashBytes, r.identical()});
    }
    m_compare->setMeasured(measured);
}

void AnalysisTabs::cancelEmulator()
{
    if (m_emulatorCancel && m_emulatorRun.isRunning()) {
        m_emulatorCancel->store(true);
        m_emulator->setRunning(tr("Cancelling…"));
    }
}

void AnalysisTabs::setFrameInput(const Shape& frameInput)
{
    if (frameInput == m_frameInput)
        return;
    m_frameInput = frameInput;
    fillInputBox();
    if (m_chosenFrame && m_hasModel)
        applyAnalysisInput();
}

Shape AnalysisTabs::analysisInput() const
{
    const int64_t channels = m_modelSpec.inputChannels;
    if (m_chosenFrame && m_frameInput.size() == 3)
        return {channels, m_frameInput[1], m_frameInput[2]};
    if (m_chosenSize)
        return {channels, m_chosenSize->height, m_chosenSize->width};
    return {channels, m_modelSpec.defaultHeight, m_modelSpec.defaultWidth};
}

bool AnalysisTabs::chooseAnalysisSize(const QString& choice)
{
    if (choice == QLatin1String("deployment")) {
        m_chosenSize.reset();
        m_chosenFrame = false;
    } else if (choice == QLatin1String("frame")) {
        m_chosenSize.reset();
        m_chosenFrame = true;
    } else {
        const auto size = parseSizeSpec(choice.toStdString());
        if (!size || size->channels != 0 || size->width < 16 || size->height < 16 || size->width > 4096 || size->height > 4096) {
            fillInputBox();
            emit problem(tr("Analysis input: give WIDTHxHEIGHT between 16x16 and 4096x4096, not '%1'").arg(choice));
            return false;
        }
        m_chosenFrame = false;
        m_chosenSize = Size2{size->width, size->height};
        if (m_chosenSize->width == m_modelSpec.defaultWidth && m_chosenSize->height == m_modelSpec.defaultHeight)
            m_chosenSize.reset();
    }
    fillInputBox();
    if (m_hasModel)
        applyAnalysisInput();
    return true;
}

void AnalysisTabs::fillInputBox()
{
    const QSignalBlocker block(m_inputBox);
    m_inputBox->clear();
    const auto sizeText = [](int64_t w, int64_t h) { return QStringLiteral("%1×%2").arg(w).arg(h); };
    if (!m_hasModel) {
        m_inputBox->addItem(tr("deployment input"), QStringLiteral("deployment"));
        m_inputNote->clear();
        return;
    }
    const int64_t dw = m_modelSpec.defaultWidth, dh = m_modelSpec.defaultHeight;
    m_inputBox->addItem(tr("%1 deployment").arg(sizeText(dw, dh)), QStringLiteral("deployment"));
    if (m_frameInput.size() == 3)
        m_inputBox->addItem(tr("%1 frame shown").arg(sizeText(m_frameInput[2], m_frameInput[1])), QStringLiteral("frame"));
    for (const auto& [w, h] : {std::pair<int64_t, int64_t>{160, 120}, {320, 240}, {640, 480}})
        if (w != dw || h != dh)
            m_inputBox->addItem(sizeText(w, h), QStringLiteral("%1x%2").arg(w).arg(h));
    int current = 0;
    if (m_chosenFrame) {
        current = m_inputBox->findData(QStringLiteral("frame"));
    } else if (m_chosenSize) {
        const QString key = QStringLiteral("%1x%2").arg(m_chosenSize->width).arg(m_chosenSize->height);
        current = m_inputBox->findData(key);
        if (current < 0) {
            m_inputBox->addItem(sizeText(m_chosenSize->width, m_chosenSize->height), key);
            current = m_inputBox->count() - 1;
        }
    }
    m_inputBox->setCurrentIndex(std::max(current, 0));
    const Shape in = analysisInput();
    // At the deployment input the box's own text says so; otherwise the note names the deployment input.
    m_inputNote->setText(analysisAtDeployment() && !m_chosenFrame
                             ? QString()
                             : tr("(not the deployment input %1)").arg(sizeText(dw, dh)));
    Q_UNUSED(in);
}

void AnalysisTabs::applyAnalysisInput()
{
    const Shape in = analysisInput();
    // The sweep varies the spec around its default size: make that the analysis input.
    ArchSpec spec = m_modelSpec;
    spec.defaultWidth = in[2];
    spec.defaultHeight = in[1];
    m_controller.setModel(spec, in, m_controller.detector(), m_controller.pictures());
    m_controller.requestProfile(m_schedule, m_options);
    requestCompare();
}

void AnalysisTabs::requestCompare()
{
    if (m_compareSources.empty()) {
        m_comparisons.clear();
        m_compare->setEntries({});
        return;
    }
    std::optional<SizeSpec> size;
    if (m_hasModel) {
        const Shape in = analysisInput();
        size = SizeSpec{in[2], in[1], 0};
    }
    m_controller.requestCompare(m_compareSources, size, m_options);
}

void AnalysisTabs::addCompareFile()
{
    const QString path = QFileDialog::getOpenFileName(m_compare, tr("Add a model to compare"), {},
                                                      tr("Models (*.pth *.pt *.safetensors *.onnx);;All files (*)"));
    if (path.isEmpty())
        return;
    m_compareSources.push_back({{}, path, {}, {}});
    requestCompare();
}

void AnalysisTabs::onProfileReady(const ModelProfile& profile)
{
    m_profile = profile;
    m_memory->setProfile(profile);
    m_memory->setPyramid(m_pyramid);
    m_live->setDeploymentPeak(profile.timeline.peakBytes,
                              tr("%1 peak activations at %2×%3, %4 schedule, as on the Memory and M4 tabs")
                                  .arg(QString::fromLatin1(elementTypeName(profile.timeline.options.dtype)))
                                  .arg(profile.input[2])
                                  .arg(profile.input[1])
                                  .arg(m_schedule));
    updateBoardViews();
}

widgets::LatencyEstimates AnalysisTabs::pyramidLatency(const ArchSpec& spec, const Board& board) const
{
    // Each profile's estimate summed over the levels; a profile missing at any level gives none.
    widgets::LatencyEstimates total;
    for (size_t k = 0; k < m_pyramid.size(); ++k) {
        const widgets::LatencyEstimates level = m_latency(spec, m_pyramid[k].input, board);
        if (k == 0) {
            total = level;
            continue;
        }
        widgets::LatencyEstimates kept;
        for (widgets::LatencyEstimate& t : total)
            for (const widgets::LatencyEstimate& e : level)
                if (e.profile == t.profile) {
                    kept.push_back({t.profile, t.milliseconds + e.milliseconds});
                    break;
                }
        total = std::move(kept);
    }
    return total;
}

QJsonObject AnalysisTabs::m4Report() const
{
    if (!m_profile || !m_board->hasFit())
        return {};
    const nlohmann::json j = fitJson(m_board->fit(), *m_profile, m_schedule.toStdString());
    return QJsonDocument::fromJson(QByteArray::fromStdString(j.dump())).object();
}

void AnalysisTabs::setSelectedLayer(int node)
{
    m_memory->setSelectedLayer(node);
}

void AnalysisTabs::addFrameRecord(const FrameRecord& record, qint64 frameNumber)
{
    m_live->addFrame(record, frameNumber);
}

void AnalysisTabs::setBoard(const QString& name)
{
    auto board = findBoard(name.toStdString());
    if (!board) {
        const QString message = QString::fromStdString(board.error());
        m_board->selectBoard(QString::fromStdString(m_boardChoice.name));
        emit problem(message);
        return;
    }
    m_boardChoice = *board;
    updateBoardViews();
}

void AnalysisTabs::updateBoardViews()
{
    const QString boardName = QString::fromStdString(m_boardChoice.name);
    m_live->setBudget(m_boardChoice.sramBytes, boardName);
    m_memory->setBudget(m_boardChoice.sramBytes, boardName);
    m_sweep->setBudget(m_boardChoice.sramBytes, boardName);
    m_compare->setBoard(m_boardChoice);
    m_board->selectBoard(boardName);
    if (m_profile) {
        m_board->setFit(fitOnBoard(m_boardChoice, *m_profile),
                        tr("%1 at %2×%3%4, %5").arg(QFileInfo(m_modelLabel).fileName()).arg(m_profile->input[2]).arg(m_profile->input[1])
                            .arg(analysisAtDeployment() && !m_chosenFrame ? tr(" (deployment input)") : tr(" (chosen input)"),
                                 describeOptions(m_schedule, m_options)));
        m_board->setPyramid(m_pyramid, m_options.dtype);
        m_emulator->setDetectorPyramid(static_cast<int>(m_pyramid.size()), widgets::pyramidMaddsRatio(m_pyramid),
                                       static_cast<int>(m_profile->input[2]), static_cast<int>(m_profile->input[1]));
        widgets::LatencyEstimates alone, pyramid;
        if (m_latency) {
            alone = m_latency(m_modelSpec, m_profile->input, m_boardChoice);
            pyramid = pyramidLatency(m_modelSpec, m_boardChoice);
        }
        m_board->setLatencies(alone, pyramid);
    }
    if (m_latency) {
        std::vector<widgets::LatencyEstimates> rows;
        for (const ArchitectureComparison& c : m_comparisons)
            rows.push_back(m_latency(c.spec, c.layerwise.input, m_boardChoice));
        m_compare->setLatencies(rows);
    }
}

} // namespace rnnpool::studio
