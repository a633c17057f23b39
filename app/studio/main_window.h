// MainWindow: the studio. A message bar on top, then named tabs in the middle:
//   "live"        the frame with boxes, scores, FPS and the RNNPool patch grid
//   "activations" the selected layer's channels as heatmaps
//   "rnnpool"     the selected patch as RNNPool's two RNNs sweep it
// The layer tree sits in a dock. Other views join with addTab()/addDock() and
// follow the shared selection through layerSelected() and frameAnalysed().
// All model work goes through ModelRunner, off the UI thread; frames come from
// SourcePlayer; this class wires results to widgets.
//
//   MainWindow window(MainWindow::Settings::Remember);
//   window.show();
//   window.openModel({});                       // the default model
//   window.openSource(SourceRequest::file(SourceRequest::Picture, QStringLiteral("face.jpg")));
//   window.selectLayer(QStringLiteral("rnnpool"));
//   window.showTab(QStringLiteral("rnnpool"));
#pragma once

#include <deque>
#include <memory>
#include <optional>

#include <QElapsedTimer>
#include <QMainWindow>

#include "studio/model_runner.h"
#include "studio/recent_files.h"
#include "studio/source_player.h"
#include "studio/theme.h"

class QAction;
class QJsonObject;
class QActionGroup;
class QDockWidget;
class QComboBox;
class QLabel;
class QMenu;
class QProgressBar;
class QSlider;
class QSortFilterProxyModel;
class QTabWidget;
class QTreeView;
class QToolButton;

namespace rnnpool::widgets {
class ActivationView;
class DetectionView;
class LayerTreeModel;
class MessageBar;
class NameColumn;
class PrecisionRecallView;
class RnnPoolTraceView;
} // namespace rnnpool::widgets

namespace rnnpool {
class LabelledSession;
}

namespace rnnpool::studio {

class AnalysisTabs;

class MainWindow final : public QMainWindow {
    Q_OBJECT

public:
    // Ignore: leave QSettings alone (screenshots and tests must not depend on
    // or change the user's geometry and recent files).
    enum class Settings { Remember, Ignore };

    explicit MainWindow(Settings settings, QWidget* parent = nullptr);
    ~MainWindow() override;

    void openModel(const ModelRequest& request);
    // Opens a picture, folder, video or camera and shows frame `startFrame` (from 0).
    void openSource(const SourceRequest& request, int64_t startFrame = 0);
    // Labels for the pictures opened (main_window_labels.cpp): the WIDER FACE
    // text format of `rnnpool eval`. False (with the reason shown) when unreadable.
    bool openLabels(const QString& labelsFile);
    const LabelledSession* labels() const { return m_labelSession.get(); }
    widgets::PrecisionRecallView* accuracyView() const { return m_accuracy; }
    void setThreshold(double threshold);
    void setTraceStep(int step);
    // By node name or group ("rnnpool", "block3"); false (and a message) when there is none.
    bool selectLayer(const QString& name);
    // The analysis tabs are still computing (main_window_analysis.cpp).
    bool analysisBusy() const;
    void selectPatch(int row, int col);
    // A tab by its name ("live", "activations", "rnnpool", or one added); false when unknown.
    bool showTab(const QString& name);
    QStringList tabNames() const;
    void addTab(const QString& name, const QString& title, QWidget* page);
    void addDock(QDockWidget* dock, Qt::DockWidgetArea area);
    void setPatchGridVisible(bool visible);
    void setTheme(Theme theme);
    // How often the live RAM chart's arena measurement runs (View menu).
    void setRamMetering(RamMetering policy);
    // The numbers detection runs in (the Detection toolbar's box); the frame
    // shown runs again.
    void setNumerics(Numerics numerics);
    QComboBox* numericsBox() const { return m_numerics; }
    widgets::RnnPoolTraceView* traceView() const { return m_trace; }
    // The Layers dock's tree (names first, then op, output, parameters, MAdds, bytes, time).
    QTreeView* layerTree() const { return m_table; }
    // States a problem in the message bar and the status bar.
    void showError(const QString& message);

    // What the window shows, read back from its widgets and item models: the
    // boxes at or above the threshold, the status texts, the layer table and
    // the selected layer and patch. --report writes it; the smoke test
    // compares it with the CLI's JSON.
    QJsonObject report() const;

    ModelRunner& runner() { return m_runner; }
    AnalysisTabs& analysisTabs() { return *m_analysis; }
    SourcePlayer& player() { return m_player; }
    // Errors shown since the window opened (the exit status of --screenshot).
    int errorCount() const { return m_errorCount; }
    const DetectionOutcome* lastOutcome() const { return m_outcome ? &*m_outcome : nullptr; }

signals:
    // The layer selected in any view (node index into the network, and its name).
    void layerSelected(int layer, const QString& name);
    // Every analysed frame, with every layer's output.
    void frameAnalysed(const rnnpool::studio::DetectionOutcome& outcome);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    // main_window_actions.cpp: actions, menus, toolbars, status bar.
    void createActions();
    void createSourceActions();
    void createMenus();
    void createToolBars();
    void createStatusBar();
    void fillRecentMenu();
    void updatePlayActions();

    void createTabs();
    // main_window_analysis.cpp: the charts, memory, compare, sweep and M4 tabs.
    void createAnalysisTabs();
    void feedAnalysis(const DetectionOutcome& outcome);
    void createLayerDock();
    void fitDockToTable();
    void restoreSettings();
    void saveSettings() const;

    void chooseModelFile();
    void choosePicture();
    void chooseFolder();
    void chooseVideo();
    void chooseCamera();
    void chooseLabelledFolder();
    void applyLabels();
    void exportActivationPng();
    void exportActivationNpy();
    void exportTracePng();
    void saveScreenshot();

    void onModelLoaded(const LoadedModel& model);
    void onModelFailed(const QString& message);
    void onSourceOpened(const QString& description);
    void onFrameReady(const Frame& frame);
    void onSourceProgress(qint64 index, qint64 count);
    void onDetectionFinished(const DetectionOutcome& outcome);
    void onDetectionFailed(const QString& message);
    void onBusyChanged(bool busy, const QString& what);
    void onThresholdChanged(int percent);
    void onTableSelection();
    void updateLayerViews();
    void updateTrace();
    void refreshHiddenViews();
    void updateFaceCount();
    void updateRates();
    void updateTitle();
    float threshold() const;

    static bool isModelFile(const QString& path);

    ModelRunner m_runner;
    SourcePlayer m_player;
    const Settings m_settings;
    RecentFiles m_recentModels;
    RecentFiles m_recentSources;
    int m_errorCount = 0;
    bool m_dockFitted = false;
    bool m_modelErrorShown = false;
    Theme m_theme = Theme::System;

    QString m_modelName;        // for the title
    bool m_randomWeights = false;
    QString m_sourceLabel;
    std::optional<DetectionOutcome> m_outcome;
    int m_selectedLayer = -1;   // node index
    QString m_pendingLayer;     // asked for before the model was there
    std::optional<QPoint> m_patch; // (row, col)
    bool m_patchChosen = false;    // by the user (a click, --patch), not picked by the studio
    bool m_activationsStale = false; // behind another tab when the last frame came
    bool m_traceStale = false;
    bool m_forceViews = false;
    std::deque<qint64> m_finishTimes; // ms, for the model's frames per second
    int64_t m_analysedFrames = 0;     // since the source was opened
    std::pair<qint64, qint64> m_analysedSpanMs{-1, -1}; // first and last finish since then (report's analysed_fps)
    QElapsedTimer m_clock;

    widgets::DetectionView* m_view = nullptr;
    widgets::ActivationView* m_activations = nullptr;
    widgets::RnnPoolTraceView* m_trace = nullptr;
    widgets::PrecisionRecallView* m_accuracy = nullptr;
    std::unique_ptr<LabelledSession> m_labelSession;
    QAction* m_openLabelled = nullptr;
    widgets::MessageBar* m_messages = nullptr;
    widgets::LayerTreeModel* m_layers = nullptr;
    QTabWidget* m_tabs = nullptr;
    AnalysisTabs* m_analysis = nullptr;
    const FaceDetector* m_analysedDetector = nullptr; // the model the analysis tabs describe
    Shape m_analysedInput;
    QSortFilterProxyModel* m_sortedLayers = nullptr;
    QTreeView* m_table = nullptr;
    widgets::NameColumn* m_names = nullptr;
    QDockWidget* m_layerDock = nullptr;
    QLabel* m_layerSummary = nullptr;
    QSlider* m_threshold = nullptr;
    QComboBox* m_numerics = nullptr;
    QLabel* m_thresholdLabel = nullptr;
    QLabel* m_modelLabel = nullptr;
    QLabel* m_faceLabel = nullptr;
    QLabel* m_timeLabel = nullptr;
    QLabel* m_rateLabel = nullptr;
    QLabel* m_busyLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancel = nullptr;

    QAction* m_openModel = nullptr;
    QAction* m_openPicture = nullptr;
    QAction* m_openFolder = nullptr;
    QAction* m_openVideo = nullptr;
    QAction* m_openCamera = nullptr;
    QAction* m_play = nullptr;
    QAction* m_step = nullptr;
    QAction* m_stepBack = nullptr;
    QAction* m_showGrid = nullptr;
    QAction* m_rerun = nullptr;
    QAction* m_exportPng = nullptr;
    QAction* m_exportNpy = nullptr;
    QAction* m_exportTrace = nullptr;
    QAction* m_screenshot = nullptr;
    QAction* m_quit = nullptr;
    QAction* m_defaultModel = nullptr;
    QActionGroup* m_themeGroup = nullptr;
    QActionGroup* m_meteringGroup = nullptr;
    QMenu* m_recentMenu = nullptr;
    QMenu* m_archMenu = nullptr;
    QMenu* m_viewMenu = nullptr;
    QMenu* m_tabMenu = nullptr;
};

} // namespace rnnpool::studio
