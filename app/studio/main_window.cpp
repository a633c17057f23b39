#include "studio/main_window.h"

#include "eval/labelled_session.h"
#include "widgets/precision_recall_view.h"

#include <cmath>

#include <QAction>
#include <QActionGroup>
#include <QComboBox>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QProgressBar>
#include <QScrollBar>
#include <QSettings>
#include <QSlider>
#include <QScopeGuard>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTabWidget>
#include <QTreeView>
#include <QVBoxLayout>

#include "studio/analysis_tabs.h"
#include "widgets/emulator_panel.h"
#include "studio/patch_inspection.h"
#include "widgets/live_charts.h"
#include "widgets/activation_view.h"
#include "widgets/detection_view.h"
#include "widgets/image_conversion.h"
#include "widgets/layer_tree_model.h"
#include "widgets/message_bar.h"
#include "widgets/name_column.h"
#include "widgets/rnnpool_trace_view.h"

namespace rnnpool::studio {

namespace {

QString shapeText(const Shape& shape)
{
    return widgets::LayerTableModel::shapeText(shape);
}

QString millions(int64_t value)
{
    return QLocale().toString(static_cast<double>(value) / 1e6, 'f', 1);
}

// Frames per second of the model are counted over this window.
constexpr qint64 kRateWindowMs = 2000;
// How long an error stays in the status bar (the message bar above keeps it).
constexpr int kStatusErrorMs = 8000;
// Timed runs of a picture (or a stepped frame), whose medians are shown.
constexpr int kPictureTimingRuns = 3;

} // namespace

MainWindow::MainWindow(Settings settings, QWidget* parent)
    : QMainWindow(parent)
    , m_settings(settings)
    , m_recentModels(QStringLiteral("recent/models"))
    , m_recentSources(QStringLiteral("recent/pictures"))
    , m_view(new widgets::DetectionView)
    , m_activations(new widgets::ActivationView)
    , m_trace(new widgets::RnnPoolTraceView)
    , m_messages(new widgets::MessageBar(this))
    , m_layers(new widgets::LayerTreeModel(this))
    , m_tabs(new QTabWidget)
    , m_sortedLayers(new QSortFilterProxyModel(this))
{
    m_clock.start();
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_messages);
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);
    setAcceptDrops(true);
    m_view->setPlaceholderText(tr("No picture. Open a picture, a folder, a video or a camera from the File menu, "
                                  "or drop a file here."));

    createActions();
    createMenus();
    createTabs();
    createStatusBar();
    createToolBars();
    createLayerDock();

    connect(&m_runner, &ModelRunner::modelLoaded, this, &MainWindow::onModelLoaded);
    connect(&m_runner, &ModelRunner::modelFailed, this, &MainWindow::onModelFailed);
    connect(&m_runner, &ModelRunner::modelCancelled, this, [this] {
        m_messages->showMessage(widgets::MessageBar::Information, tr("Loading the model was cancelled; the previous model stays."));
    });
    connect(&m_runner, &ModelRunner::detectionFinished, this, &MainWindow::onDetectionFinished);
    connect(m_trace, &widgets::RnnPoolTraceView::variantChanged, this, [this] { updateTrace(); });
    connect(&m_runner, &ModelRunner::detectionFailed, this, &MainWindow::onDetectionFailed);
    connect(&m_runner, &ModelRunner::busyChanged, this, &MainWindow::onBusyChanged);
    connect(&m_runner, &ModelRunner::idle, &m_player, &SourcePlayer::frameDone);
    connect(&m_player, &SourcePlayer::opened, this, &MainWindow::onSourceOpened);
    connect(&m_player, &SourcePlayer::frameReady, this, &MainWindow::onFrameReady);
    connect(&m_player, &SourcePlayer::failed, this, &MainWindow::showError);
    connect(&m_player, &SourcePlayer::progress, this, &MainWindow::onSourceProgress);
    connect(&m_player, &SourcePlayer::playingChanged, this, &MainWindow::updatePlayActions);
    // A picture's times are medians of a few runs; a playing video times each frame once.
    connect(&m_player, &SourcePlayer::playingChanged, this,
            [this] { m_runner.setTimingRuns(m_player.isPlaying() ? 1 : kPictureTimingRuns); });
    connect(&m_player, &SourcePlayer::ended, this, [this] { statusBar()->showMessage(tr("End of %1").arg(m_player.description()), 4000); });
    connect(m_view, &widgets::DetectionView::patchClicked, this, &MainWindow::selectPatch);

    resize(1400, 900);
    restoreSettings();
    updateTitle();
}

MainWindow::~MainWindow() = default;

void MainWindow::createTabs()
{
    m_tabs->setDocumentMode(true);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] { refreshHiddenViews(); });
    addTab(QStringLiteral("live"), tr("&Live"), m_view);
    addTab(QStringLiteral("activations"), tr("&Activations"), m_activations);
    addTab(QStringLiteral("rnnpool"), tr("&RNNPool Sweeps"), m_trace);
    createAnalysisTabs();
    m_accuracy = new widgets::PrecisionRecallView;
    addTab(QStringLiteral("accuracy"), tr("Acc&uracy"), m_accuracy);
    connect(m_accuracy, &widgets::PrecisionRecallView::thresholdPicked, this, [this](float t) { setThreshold(t); });
    connect(m_accuracy, &widgets::PrecisionRecallView::minFaceChanged, this, [this](float minFace) {
        if (m_labelSession) {
            m_labelSession->setMinFace(minFace);
            applyLabels();
            m_accuracy->setResult(m_labelSession->result(), m_labelSession->seen(), m_labelSession->size());
        }
    });
}

void MainWindow::addTab(const QString& name, const QString& title, QWidget* page)
{
    page->setObjectName(name);
    const int index = m_tabs->addTab(page, title);
    QAction* show = m_tabMenu->addAction(QString(title).remove(u'&'));
    if (index < 9)
        show->setShortcut(QKeySequence(Qt::ALT | static_cast<Qt::Key>(Qt::Key_1 + index)));
    connect(show, &QAction::triggered, this, [this, page] { m_tabs->setCurrentWidget(page); });
}

void MainWindow::addDock(QDockWidget* dock, Qt::DockWidgetArea area)
{
    addDockWidget(area, dock);
    m_viewMenu->addAction(dock->toggleViewAction());
}

bool MainWindow::showTab(const QString& name)
{
    for (int i = 0; i < m_tabs->count(); ++i)
        if (m_tabs->widget(i)->objectName() == name.toLower()) {
            m_tabs->setCurrentIndex(i);
            return true;
        }
    return false;
}

QStringList MainWindow::tabNames() const
{
    QStringList names;
    for (int i = 0; i < m_tabs->count(); ++i)
        names << m_tabs->widget(i)->objectName();
    return names;
}

void MainWindow::createLayerDock()
{
    m_sortedLayers->setSourceModel(m_layers);
    m_sortedLayers->setSortRole(widgets::LayerTableModel::SortRole);

    m_table = new QTreeView;
    m_table->setModel(m_sortedLayers);
    m_table->setAlternatingRowColors(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setUniformRowHeights(true);
    m_table->setWordWrap(false);
    // The name column takes what the dock's width leaves (widening the dock shows more of the names),
    // but at least 16 characters: a narrow dock scrolls the figures sideways rather than hide the names.
    m_names = new widgets::NameColumn(m_table, 16);
    // Names are module paths ("features.2.0.block.1.0"): their end tells layers apart, so it stays.
    m_table->setTextElideMode(Qt::ElideLeft);
    // Network order first; a header click sorts, a third click returns to network order.
    m_table->header()->setSortIndicatorClearable(true);
    m_table->header()->setSortIndicator(-1, Qt::AscendingOrder);
    m_table->setSortingEnabled(true);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::onTableSelection);

    m_layerSummary = new QLabel(tr("Loading the model…"));
    m_layerSummary->setTextFormat(Qt::PlainText);
    m_layerSummary->setWordWrap(true);
    m_layerSummary->setContentsMargins(4, 2, 4, 2);

    auto* content = new QWidget;
    auto* layout = new QVBoxLayout(content);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_layerSummary);
    layout->addWidget(m_table, 1);

    m_layerDock = new QDockWidget(tr("Layers"), this);
    m_layerDock->setObjectName(QStringLiteral("layerDock"));
    m_layerDock->setWidget(content);
    addDock(m_layerDock, Qt::RightDockWidgetArea);
}

void MainWindow::restoreSettings()
{
    if (m_settings != Settings::Remember)
        return;
    const QSettings stored;
    restoreGeometry(stored.value(QStringLiteral("window/geometry")).toByteArray());
    m_dockFitted = restoreState(stored.value(QStringLiteral("window/state")).toByteArray());
    m_threshold->setValue(stored.value(QStringLiteral("view/threshold"), m_threshold->value()).toInt());
    m_showGrid->setChecked(stored.value(QStringLiteral("view/patchGrid"), false).toBool());
    showTab(stored.value(QStringLiteral("view/tab")).toString());
    if (const auto theme = themeFromName(stored.value(QStringLiteral("view/theme")).toString()))
        setTheme(*theme);
    if (const auto metering = ramMeteringFromName(stored.value(QStringLiteral("live/ramMetering")).toString()))
        setRamMetering(*metering);
    const QString layer = stored.value(QStringLiteral("view/layer")).toString();
    if (!layer.isEmpty())
        m_pendingLayer = layer;
}

void MainWindow::saveSettings() const
{
    if (m_settings != Settings::Remember)
        return;
    QSettings stored;
    stored.setValue(QStringLiteral("window/geometry"), saveGeometry());
    stored.setValue(QStringLiteral("window/state"), saveState());
    stored.setValue(QStringLiteral("view/threshold"), m_threshold->value());
    stored.setValue(QStringLiteral("view/patchGrid"), m_showGrid->isChecked());
    stored.setValue(QStringLiteral("view/tab"), m_tabs->currentWidget()->objectName());
    stored.setValue(QStringLiteral("view/theme"), themeName(m_theme));
    stored.setValue(QStringLiteral("live/ramMetering"), ramMeteringName(m_runner.ramMetering()));
    if (m_selectedLayer >= 0 && static_cast<size_t>(m_selectedLayer) < m_layers->layers().size())
        stored.setValue(QStringLiteral("view/layer"),
                        QString::fromStdString(m_layers->layers()[static_cast<size_t>(m_selectedLayer)].name));
}

void MainWindow::setNumerics(Numerics numerics)
{
    m_numerics->setCurrentIndex(m_numerics->findData(static_cast<int>(numerics)));
    m_layers->setElementBytes(numerics == Numerics::Int8 ? 1 : 4); // the Bytes column follows the numerics
    if (numerics == m_runner.numerics())
        return;
    m_runner.setNumerics(numerics);
    m_runner.rerun();
}

void MainWindow::setRamMetering(RamMetering policy)
{
    m_runner.setRamMetering(policy);
    for (QAction* action : m_meteringGroup->actions())
        action->setChecked(action->data().toInt() == static_cast<int>(policy));
}

void MainWindow::setTheme(Theme theme)
{
    m_theme = theme;
    applyTheme(theme);
    for (QAction* action : m_themeGroup->actions())
        action->setChecked(action->data().toInt() == static_cast<int>(theme));
    updateLayerViews(); // the histogram takes its colours from the palette when drawn
}

void MainWindow::openModel(const ModelRequest& request)
{
    m_runner.requestModel(request);
    updatePlayActions();
}

void MainWindow::openSource(const SourceRequest& request, int64_t startFrame)
{
    if (m_player.open(request, startFrame) && m_settings == Settings::Remember && request.kind != SourceRequest::Camera)
        m_recentSources.add(request.path);
    updatePlayActions();
}

void MainWindow::showError(const QString& message)
{
    ++m_errorCount;
    m_messages->showMessage(widgets::MessageBar::Error, message);
    // The message bar keeps the problem; the status bar line goes, so it does not outlive it.
    statusBar()->showMessage(tr("Error: %1").arg(message), kStatusErrorMs);
}

void MainWindow::onModelLoaded(const LoadedModel& model)
{
    // A model problem is solved by this model; problems with sources stay stated.
    if (std::exchange(m_modelErrorShown, false)) {
        m_messages->clearMessage();
        statusBar()->clearMessage();
    }
    m_modelName = model.randomWeights ? model.architecture
                                      : tr("%1 (%2)").arg(QFileInfo(model.path).fileName(), model.architecture);
    m_randomWeights = model.randomWeights;
    if (!model.isDetector)
        m_view->setBanner(tr("%1 is not a face detector: there are no boxes. The picture goes in resized to %2, RGB, "
                             "scaled to [0, 1]; the layers, activations, memory, compare and M4 views apply. "
                             "(rnnpool run --mean/--std for other preprocessing.)%3")
                              .arg(model.architecture, shapeText(model.describedInput),
                                   model.randomWeights ? tr("\nIts weights are random (%1).").arg(model.source) : QString()));
    else if (model.randomWeights)
        m_view->setBanner(tr("RANDOM WEIGHTS: the boxes are meaningless.\n%1 has %2, not trained ones. "
                             "Open a trained model with File → Open Model…")
                              .arg(model.architecture, model.source));
    else
        m_view->setBanner(QString());
    // The RNNPool sweeps tab and the patch grid only mean something for a model with an RNNPool layer.
    m_showGrid->setEnabled(model.hasRnnPool);
    for (int i = 0; i < m_tabs->count(); ++i)
        if (m_tabs->widget(i) == m_trace) {
            m_tabs->setTabVisible(i, model.hasRnnPool);
            if (!model.hasRnnPool && m_tabs->currentIndex() == i)
                m_tabs->setCurrentIndex(0);
        }
    if (!model.path.isEmpty() && m_settings == Settings::Remember)
        m_recentModels.add(model.path);
    if (!model.notes.isEmpty())
        m_messages->showMessage(widgets::MessageBar::Information, tr("Loading the model: %1").arg(model.notes.join(u"; ")));

    // Results of the previous model would now be mislabelled; the new run brings its own.
    if (!m_view->picture().isNull())
        m_view->setFrame(m_view->picture(), {}, threshold());
    m_view->setPatchGrid(std::nullopt);
    m_outcome.reset();
    m_faceLabel->clear();
    m_analysis->liveCharts()->startSource(m_sourceLabel); // another model's times do not continue the old curve
    if (m_selectedLayer >= 0 && static_cast<size_t>(m_selectedLayer) < m_layers->layers().size())
        m_pendingLayer = QString::fromStdString(m_layers->layers()[static_cast<size_t>(m_selectedLayer)].name);
    m_selectedLayer = -1;

    m_layers->setLayers(model.layers);
    m_layerSummary->setText(tr("%1 · %2 layers · %3 parameters · %4 M MAdds for %5")
                                .arg(model.architecture)
                                .arg(model.layers.size())
                                .arg(widgets::LayerTableModel::countText(model.params), millions(model.madds),
                                     shapeText(model.describedInput)));
    m_modelLabel->setText(m_modelName + (model.randomWeights ? tr(" · random weights") : QString()));
    m_modelLabel->setToolTip(model.description + u'\n' + model.source);
    m_timeLabel->clear();
    if (!m_pendingLayer.isEmpty())
        selectLayer(std::exchange(m_pendingLayer, QString()));
    fitDockToTable();
    updateLayerViews();
    updateTitle();
}

void MainWindow::onModelFailed(const QString& message)
{
    showError(message);
    m_modelErrorShown = true;
    if (m_modelName.isEmpty()) {
        m_modelLabel->setText(tr("no model"));
        m_layerSummary->setText(tr("No model is loaded."));
        m_view->setBanner(tr("No model is loaded, so no faces are detected. Open one with File → Open Model… "
                             "or pick one from the zoo in the Model menu."));
    }
    updateTitle();
}

void MainWindow::onSourceOpened(const QString& description)
{
    m_runner.resetFrames();
    m_finishTimes.clear();
    m_analysedFrames = 0;
    m_analysedSpanMs = {-1, -1};
    m_sourceLabel = description;
    // The live charts start again: frames of different sources must not mix.
    m_analysis->liveCharts()->startSource(description);
    statusBar()->showMessage(tr("Opened %1").arg(description), 4000);
    const auto count = m_player.frameCount();
    m_progress->setVisible(count && *count > 1);
    if (count && *count > 1)
        m_progress->setRange(0, static_cast<int>(*count));
    updatePlayActions();
    updateTitle();
}

void MainWindow::onFrameReady(const Frame& frame)
{
    // Show a new picture at once when the model is busy loading; boxes follow with detection.
    if (!m_runner.hasModel() || m_player.kind() == SourceRequest::Picture)
        m_view->setFrame(widgets::imageFromMat(frame.bgr), {}, threshold());
    m_runner.submitFrame(frame);
}

void MainWindow::onSourceProgress(qint64 index, qint64 count)
{
    if (count > 1) {
        m_progress->setValue(static_cast<int>(index + 1));
        m_progress->setFormat(tr("%1 / %2").arg(index + 1).arg(count));
    }
}

void MainWindow::onDetectionFinished(const DetectionOutcome& outcome)
{
    m_outcome = outcome;
    m_view->setFrame(outcome.picture, outcome.faces, threshold());
    applyLabels();
    if (m_layers->layers().size() != outcome.layers.size() || m_layers->layers().empty() ||
        m_layers->layers().front().outputShape != outcome.layers.front().outputShape) {
        const int keep = m_selectedLayer;
        m_layers->setLayers(outcome.layers);
        if (keep >= 0)
            selectLayer(QString::fromStdString(outcome.layers[static_cast<size_t>(keep)].name));
    }
    m_layers->setTimes(outcome.layerSeconds);
    m_layerSummary->setText(tr("%1 layers · %2 M MAdds for the input %3 (picture %4×%5)")
                                .arg(outcome.layers.size())
                                .arg(millions(outcome.madds), shapeText(outcome.input))
                                .arg(outcome.original.width)
                                .arg(outcome.original.height));
    // Warm figures only: the warm-up run's time is shown as cold, beside them.
    QString time = tr("input %1 · %2 ms").arg(shapeText(outcome.input), QLocale().toString(outcome.totalSeconds * 1000.0, 'f', 1));
    if (outcome.numerics == Numerics::Int8)
        time += tr(" in int8");
    if (outcome.runSeconds.size() > 1)
        time += tr(" (median of %1 warm runs)").arg(outcome.runSeconds.size());
    if (outcome.coldSeconds >= 0.0)
        time += tr(" · first run %1 ms, cold").arg(QLocale().toString(outcome.coldSeconds * 1000.0, 'f', 1));
    m_timeLabel->setText(time);
    m_finishTimes.push_back(m_clock.elapsed());
    ++m_analysedFrames;
    if (m_analysedSpanMs.first < 0)
        m_analysedSpanMs.first = m_finishTimes.back();
    m_analysedSpanMs.second = m_finishTimes.back();
    updateRates();
    updateFaceCount();
    updateLayerViews();
    fitDockToTable();
    updateTitle();
    feedAnalysis(outcome);
    emit frameAnalysed(outcome);
}

void MainWindow::onDetectionFailed(const QString& message)
{
    showError(message);
}

void MainWindow::onBusyChanged(bool busy, const QString& what)
{
    m_busyLabel->setText(busy ? what : QString());
    if (m_runner.isLoadingModel()) {
        m_progress->setRange(0, 0); // busy indicator: a load reports no fraction
        m_progress->show();
    } else if (!busy && m_progress->maximum() == 0) {
        m_progress->hide();
        m_progress->setRange(0, 1);
    }
    updatePlayActions();
}

void MainWindow::onThresholdChanged(int percent)
{
    m_thresholdLabel->setText(QLocale().toString(percent / 100.0, 'f', 2));
    m_view->setThreshold(threshold());
    m_accuracy->setThreshold(threshold());
    if (m_analysis)
        m_analysis->emulatorPanel()->setFaceThreshold(threshold());
    updateFaceCount();
}

void MainWindow::setThreshold(double threshold)
{
    m_threshold->setValue(static_cast<int>(std::lround(threshold * 100.0)));
}

float MainWindow::threshold() const
{
    return static_cast<float>(m_threshold->value()) / 100.0f;
}

void MainWindow::updateFaceCount()
{
    if (!m_outcome) {
        m_faceLabel->clear();
        return;
    }
    QString text = tr("%n face(s) with score ≥ %1", nullptr, m_view->visibleBoxCount())
                       .arg(QLocale().toString(static_cast<double>(threshold()), 'f', 2));
    if (m_view->drawnBoxCount() < m_view->visibleBoxCount())
        text += tr(" (%1 strongest drawn)").arg(m_view->drawnBoxCount());
    if (m_view->hasLabels())
        text += tr(" · labels: %1 found, %2 missed, %3 false alarms")
                    .arg(m_view->foundCount())
                    .arg(m_view->missedCount())
                    .arg(m_view->falseAlarmCount());
    m_faceLabel->setText(text);
}

void MainWindow::updateRates()
{
    const qint64 now = m_clock.elapsed();
    while (!m_finishTimes.empty() && now - m_finishTimes.front() > kRateWindowMs)
        m_finishTimes.pop_front();
    if (!m_player.isPlaying() || m_finishTimes.size() < 2) {
        m_rateLabel->setText(m_runner.droppedFrames() > 0 ? tr("%1 frames dropped").arg(m_runner.droppedFrames()) : QString());
        return;
    }
    const double seconds = static_cast<double>(m_finishTimes.back() - m_finishTimes.front()) / 1000.0;
    const double fps = seconds > 0.0 ? static_cast<double>(m_finishTimes.size() - 1) / seconds : 0.0;
    // The source's rate is counted over a second; until then it is not known.
    const QString source = m_player.sourceRate() > 0.0 ? QLocale().toString(m_player.sourceRate(), 'f', 1)
                                                         : tr("measuring");
    m_rateLabel->setText(tr("%1 fps analysed (source %2) · %3 dropped")
                             .arg(seconds >= 1.0 ? QLocale().toString(fps, 'f', 1) : tr("measuring"), source)
                             .arg(m_runner.droppedFrames()));
}

void MainWindow::updateTitle()
{
    QString title = m_modelName.isEmpty() ? tr("no model") : m_modelName;
    if (m_randomWeights)
        title += tr(" (random weights)");
    if (m_outcome && !m_outcome->label.isEmpty())
        title += tr(" · %1").arg(m_outcome->label);
    setWindowTitle(tr("%1 — RNNPool Studio").arg(title));
}

void MainWindow::fitDockToTable()
{
    for (int c = 0; c < m_layers->columnCount(); ++c)
        m_table->resizeColumnToContents(c);
    const auto fitNames = qScopeGuard([this] { m_names->fit(); });
    // Size the dock to the table once; afterwards the user's (or the restored) width wins.
    if (m_dockFitted || m_layers->rowCount() == 0)
        return;
    int width = m_table->frameWidth() * 2 + m_table->verticalScrollBar()->sizeHint().width() + m_table->indentation();
    for (int c = 0; c < m_layers->columnCount(); ++c)
        width += m_table->columnWidth(c);
    width = std::min(width + 8, this->width() / 2);
    resizeDocks({m_layerDock}, {width}, Qt::Horizontal);
    m_dockFitted = m_layers->hasTimes();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    m_player.pause();
    saveSettings();
    QMainWindow::closeEvent(event);
}

} // namespace rnnpool::studio
