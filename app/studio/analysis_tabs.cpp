#include "studio/analysis_tabs.h"

#include <QFileDialog>

#include "mcu/latency_model.h"
#include "widgets/board_panel.h"
#include "widgets/compare_view.h"
#include "widgets/live_charts.h"
#include "widgets/memory_timeline_view.h"
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
    m_tabs = {{tr("Live charts"), m_live}, {tr("Memory"), m_memory}, {tr("Compare"), m_compare},
              {tr("Sweep"), m_sweep}, {tr("M4 budget"), m_board}};
    for (const Tab& tab : m_tabs)
        m_owned.append(tab.widget);

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
    connect(&m_controller, &AnalysisController::profileReady, this, &AnalysisTabs::onProfileReady);
    connect(&m_controller, &AnalysisController::profileFailed, this, [this](const QString& message) {
        m_profile.reset();
        m_memory->showProblem(message);
        m_board->showProblem(message);
        emit problem(message);
    });
    connect(m_memory, &widgets::MemoryTimelineView::optionsChanged, this,
            [this](const QString& schedule, ElementType dtype, bool countInput) {
                m_schedule = schedule;
                m_options.dtype = dtype;
                m_options.countInput = countInput;
                if (m_controller.hasModel())
                    m_controller.requestProfile(m_schedule, m_options);
                m_compare->setSchedule(schedule);
                requestCompare();
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
    connect(m_compare, &widgets::CompareView::removeRequested, this, [this](int row) {
        if (row >= 0 && row < static_cast<int>(m_compareSources.size())) {
            m_compareSources.erase(m_compareSources.begin() + row);
            requestCompare();
        }
    });
    connect(&m_controller, &AnalysisController::compareProgress, this, [this](int done, int total) {
        m_compare->showMessage(tr("Profiling %1 of %2…").arg(done).arg(total));
    });
    connect(&m_controller, &AnalysisController::compareReady, this,
            [this](const std::vector<ArchitectureComparison>& entries, const QStringList& problems) {
                m_comparisons = entries;
                m_compare->setEntries(entries);
                updateBoardViews();
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
    connect(m_live, &widgets::LiveCharts::exportFailed, this, &AnalysisTabs::problem);
}

void AnalysisTabs::setLatencyProvider(LatencyProvider provider)
{
    m_latency = std::move(provider);
    updateBoardViews();
}

void AnalysisTabs::setModel(const ArchSpec& spec, const Shape& input, const QString& label,
                            std::shared_ptr<const FaceDetector> detector, std::vector<cv::Mat> pictures)
{
    m_modelSpec = spec;
    m_controller.setModel(spec, input, std::move(detector), std::move(pictures));
    m_modelLabel = label.isEmpty() ? QString::fromStdString(spec.name) : label;
    m_controller.requestProfile(m_schedule, m_options);
    // The compare view starts with this model and the built-ins of the same task.
    m_compareSources.clear();
    m_compareSources.push_back({QString::fromStdString(spec.name), {}, spec, m_modelLabel});
    for (const ArchSpec& other : builtinArchitectures())
        if (other.task == spec.task && other.name != spec.name)
            m_compareSources.push_back({QString::fromStdString(other.name), {}, {}, {}});
    requestCompare();
}

void AnalysisTabs::requestCompare()
{
    if (m_compareSources.empty()) {
        m_comparisons.clear();
        m_compare->setEntries({});
        return;
    }
    const Shape& in = m_controller.input();
    std::optional<SizeSpec> size;
    if (m_controller.hasModel())
        size = SizeSpec{in[2], in[1], 0};
    m_controller.requestCompare(m_compareSources, size, m_options);
}

void AnalysisTabs::addCompareFile()
{
    const QString path = QFileDialog::getOpenFileName(m_compare, tr("Add a model to compare"), {},
                                                      tr("Models (*.pth *.pt *.safetensors);;All files (*)"));
    if (path.isEmpty())
        return;
    m_compareSources.push_back({{}, path, {}, {}});
    requestCompare();
}

void AnalysisTabs::onProfileReady(const ModelProfile& profile)
{
    m_profile = profile;
    m_memory->setProfile(profile);
    updateBoardViews();
}

void AnalysisTabs::setSelectedLayer(int node)
{
    m_memory->setSelectedLayer(node);
}

void AnalysisTabs::addFrameRecord(const FrameRecord& record)
{
    m_live->addFrame(record);
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
        m_board->setFit(fitOnBoard(m_boardChoice, m_profile->timeline, m_profile->input, m_profile->params),
                        tr("%1 at %2×%3, %4").arg(m_modelLabel).arg(m_profile->input[2]).arg(m_profile->input[1])
                            .arg(describeOptions(m_schedule, m_options)));
        m_board->setLatencies(m_latency ? m_latency(m_modelSpec, m_profile->input, m_boardChoice) : widgets::LatencyEstimates{});
    }
    if (m_latency) {
        std::vector<widgets::LatencyEstimates> rows;
        for (const ArchitectureComparison& c : m_comparisons)
            rows.push_back(m_latency(c.spec, c.layerwise.input, m_boardChoice));
        m_compare->setLatencies(rows);
    }
}

} // namespace rnnpool::studio
