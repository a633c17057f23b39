// AnalysisTabs: the studio's analysis tabs and their wiring, ready for the
// main window to add to its tab widget. Owns the views and an
// AnalysisController that computes their data off the UI thread.
//
//   Tabs, in this order (title, widget):
//     "Live charts"  LiveCharts           per-frame latency and measured peak RAM
//     "Memory"       MemoryTimelineView   timeline of the model, explain the peak
//     "Compare"      CompareView          several architectures or model files
//     "Sweep"        SweepView            one setting or the input size varied
//     "M4 budget"    BoardPanel           fit on the chosen board, latency
//
//   auto* analysis = new AnalysisTabs(this);
//   for (const auto& tab : analysis->tabs()) tabWidget->addTab(tab.widget, tab.title);
//   analysis->setModel(model.spec(), {3, 240, 320}, QStringLiteral("RPool_Face_M4.pth"), detector, pictures);
//   connect(layerTable, ..., analysis, &AnalysisTabs::setSelectedLayer);   // node index
//   // in the live loop, per frame (core/profile/frame_record.h):
//   analysis->addFrameRecord(makeFrameRecord(net, run.layerSeconds, run.totalSeconds, arena.highWaterBytes));
//   analysis->setBoard(QStringLiteral("nrf52840"));  // or "custom:sram=256K,flash=1M,clock=64M"
//   // Latency estimates come from core/mcu/latency_model unless replaced:
//   analysis->setLatencyProvider([](const ArchSpec& spec, const Shape& input, const Board& board) { ... });
//   connect(analysis, &AnalysisTabs::problem, window, &MainWindow::showError);
//
// The memory view, the M4 panel, the sweep and the compare view follow the
// model at its deployment input (the spec's default size, 320x240 for
// RNNPool-Face-M4), not the size of the frame shown, unless the user picks
// another size in inputBar() (the frame's, a common one, or typed WxH). The
// live charts follow the frames and say so. The board is shared by every
// tab. Nothing here blocks the UI thread.
#pragma once

#include <functional>
#include <atomic>
#include <map>
#include <memory>
#include <vector>

#include <QList>
#include <QObject>
#include <QFutureWatcher>
#include <QPointer>

#include "mcu/board.h"
#include "profile/frame_record.h"
#include "studio/analysis_controller.h"
#include "studio/m4_emulator_job.h"
#include "profile/model_diff.h"
#include "widgets/latency_estimate.h"

class QComboBox;
class QJsonObject;
class QLabel;
class QWidget;

namespace rnnpool::widgets {
class BoardPanel;
class ColumnScrollArea;
class EmulatorPanel;
class DiffView;
class CompareView;
class LiveCharts;
class MemoryTimelineView;
class SweepView;
} // namespace rnnpool::widgets

namespace rnnpool::studio {

class AnalysisTabs final : public QObject {
    Q_OBJECT

public:
    struct Tab {
        QString title;
        QWidget* widget = nullptr;
    };
    // Estimated latency per cost profile for a model's layers on a board; empty when unknown.
    using LatencyProvider = std::function<widgets::LatencyEstimates(const ArchSpec& spec, const Shape& input, const Board& board)>;

    // The tab widgets are created without a parent; the tab widget that
    // receives them owns them. `parent` owns this object.
    explicit AnalysisTabs(QObject* parent = nullptr);
    ~AnalysisTabs() override;

    const QList<Tab>& tabs() const { return m_tabs; }
    widgets::LiveCharts* liveCharts() const { return m_live; }
    widgets::MemoryTimelineView* memoryView() const { return m_memory; }
    widgets::CompareView* compareView() const { return m_compare; }
    widgets::SweepView* sweepView() const { return m_sweep; }
    widgets::BoardPanel* boardPanel() const { return m_board; }
    widgets::EmulatorPanel* emulatorPanel() const { return m_emulator; }
    // The M4 tab's page: the board panel above the emulator panel, scrolled.
    widgets::ColumnScrollArea* m4Page() const { return m_m4Page; }
    widgets::DiffView* diffView() const { return m_diff; }
    // The model shown (A) against B: a model file, a built-in name, or "" for its int8 twin.
    void runDiff(const QString& modelB);
    bool diffBusy() const { return m_diffRun.isRunning(); }
    // Runs the model as firmware on the emulated chip at width x height (the M4 tab's button).
    void runOnEmulator(int width, int height, const QString& schedule = QStringLiteral("layerwise"));
    bool emulatorBusy() const { return m_emulatorRun.isRunning(); }
    // Stops a running build or QEMU run (the M4 tab's Cancel button).
    void cancelEmulator();
    // Compare's measured columns from the runs kept per architecture.
    void updateMeasuredColumns();
    AnalysisController& controller() { return m_controller; }
    const Board& board() const { return m_boardChoice; }
    // "Analysed at: [320×240 deployment ▾]": where the user picks the analysis input.
    QWidget* inputBar() const { return m_inputBar; }
    QComboBox* inputBox() const { return m_inputBox; }
    // The input (CHW) the memory, compare, sweep and M4 tabs describe.
    Shape analysisInput() const;
    bool analysisAtDeployment() const { return !m_chosenSize; }
    // The M4 panel's figures as `rnnpool profile --board B --json` prints them
    // (core/mcu/fit_json.h); empty before the first profile.
    QJsonObject m4Report() const;

    void setLatencyProvider(LatencyProvider provider);

public slots:
    // A model: its spec (weights are not needed for memory), the input size
    // (CHW) it runs at, a label for the compare table (file or architecture),
    // and optionally a detector with real weights plus pictures for the sweep.
    // `frameInput` is the size the frames run at; the analysis uses the
    // deployment input unless the user chose another.
    void setModel(const rnnpool::ArchSpec& spec, const rnnpool::Shape& frameInput, const QString& label,
                  std::shared_ptr<const rnnpool::FaceDetector> detector = {}, std::vector<cv::Mat> pictures = {});
    // The frames now run at `frameInput`: offered in the input bar; used only when chosen.
    void setFrameInput(const rnnpool::Shape& frameInput);
    // "deployment", "frame", or WIDTHxHEIGHT; false (and a problem) for anything else.
    bool chooseAnalysisSize(const QString& choice);
    void setSelectedLayer(int node);
    // The pictures an input-size sweep detects faces in (the frame shown).
    void setPictures(std::vector<cv::Mat> pictures);
    // `frameNumber`: the source's frame (from 1) for the live charts' axis.
    void addFrameRecord(const rnnpool::FrameRecord& record, qint64 frameNumber = 0);
    // A board name or "custom:..."; a bad one is reported and the old board kept.
    void setBoard(const QString& name);

signals:
    void problem(const QString& message);
    // The user clicked a step in the memory view: the node that step produces.
    void layerSelected(int node);

private:
    void connectViews();
    // The schedule, element type and input counting that memory, compare and the board panel describe.
    void applyScheduleOptions(const QString& schedule, ElementType dtype, bool countInput);
    void onProfileReady(const ModelProfile& profile);
    // The latency provider's estimates summed over m_pyramid's levels (empty without a pyramid).
    widgets::LatencyEstimates pyramidLatency(const ArchSpec& spec, const Board& board) const;
    void updateBoardViews();
    void requestCompare();
    void addCompareFile();
    void applyAnalysisInput();
    void fillInputBox();
    void updateEmulatorAvailability();

    AnalysisController m_controller;
    widgets::LiveCharts* m_live = nullptr;
    widgets::MemoryTimelineView* m_memory = nullptr;
    widgets::CompareView* m_compare = nullptr;
    widgets::SweepView* m_sweep = nullptr;
    widgets::BoardPanel* m_board = nullptr;
    widgets::EmulatorPanel* m_emulator = nullptr;
    widgets::ColumnScrollArea* m_m4Page = nullptr;
    widgets::DiffView* m_diff = nullptr;
    struct DiffOutcome {
        std::optional<ModelDiff> diff;
        QString error;
    };
    QFutureWatcher<DiffOutcome> m_diffRun;
    QFutureWatcher<EmulatorOutcome> m_emulatorRun;
    std::shared_ptr<std::atomic<bool>> m_emulatorCancel;
    std::map<QString, widgets::EmulatorRun> m_measuredRuns; // the last run per architecture
    QList<Tab> m_tabs;
    QList<QPointer<QWidget>> m_owned; // deleted here unless a tab widget took them

    Board m_boardChoice;
    LatencyProvider m_latency;
    std::optional<ModelProfile> m_profile;
    std::vector<PyramidLevelProfile> m_pyramid; // the detector's image pyramid at m_profile's input (empty: none)
    std::vector<CompareSource> m_compareSources;
    std::vector<ArchitectureComparison> m_comparisons;
    QString m_schedule = QStringLiteral("paper");
    ScheduleOptions m_options;       // the memory view's element type and input counting, shared by compare
    QString m_modelLabel;
    ArchSpec m_modelSpec;
    bool m_hasModel = false;
    Shape m_frameInput;
    std::optional<Size2> m_chosenSize;   // none: the deployment input
    bool m_chosenFrame = false;          // follow the frame shown
    QWidget* m_inputBar = nullptr;
    QComboBox* m_inputBox = nullptr;
    QLabel* m_inputNote = nullptr;
};

} // namespace rnnpool::studio
