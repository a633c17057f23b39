#include "studio/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMimeData>
#include <QScrollBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QStyle>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

#include "model/arch_spec.h"
#include "widgets/detection_view.h"
#include "widgets/layer_table_model.h"
#include "widgets/message_bar.h"

namespace rnnpool::studio {

namespace {
constexpr float kDefaultThreshold = 0.5f;

QString shapeText(const Shape& shape)
{
    return widgets::LayerTableModel::shapeText(shape);
}

QString millions(int64_t value)
{
    return QLocale().toString(static_cast<double>(value) / 1e6, 'f', 1);
}
} // namespace

MainWindow::MainWindow(Settings settings, QWidget* parent)
    : QMainWindow(parent)
    , m_settings(settings)
    , m_recentModels(QStringLiteral("recent/models"))
    , m_recentPictures(QStringLiteral("recent/pictures"))
    , m_view(new widgets::DetectionView(this))
    , m_messages(new widgets::MessageBar(this))
    , m_layers(new widgets::LayerTableModel(this))
    , m_sortedLayers(new QSortFilterProxyModel(this))
{
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_messages);
    layout->addWidget(m_view, 1);
    setCentralWidget(central);
    setAcceptDrops(true);

    createActions();
    createMenus();
    createToolBar();
    createDock();
    createStatusBar();

    connect(&m_runner, &ModelRunner::modelLoaded, this, &MainWindow::onModelLoaded);
    connect(&m_runner, &ModelRunner::modelFailed, this, &MainWindow::onModelFailed);
    connect(&m_runner, &ModelRunner::pictureLoaded, this, &MainWindow::onPictureLoaded);
    connect(&m_runner, &ModelRunner::pictureFailed, this, &MainWindow::onPictureFailed);
    connect(&m_runner, &ModelRunner::detectionFinished, this, &MainWindow::onDetectionFinished);
    connect(&m_runner, &ModelRunner::detectionFailed, this, &MainWindow::onDetectionFailed);
    connect(&m_runner, &ModelRunner::busyChanged, this, &MainWindow::onBusyChanged);

    resize(1280, 800);
    if (m_settings == Settings::Remember) {
        const QSettings stored;
        restoreGeometry(stored.value(QStringLiteral("window/geometry")).toByteArray());
        m_dockFitted = restoreState(stored.value(QStringLiteral("window/state")).toByteArray());
    }
    updateTitle();
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    m_openModel = new QAction(style()->standardIcon(QStyle::SP_DirOpenIcon), tr("Open &Model…"), this);
    m_openModel->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_openModel->setToolTip(tr("Open a checkpoint (.pth) or a studio model (.safetensors)"));
    connect(m_openModel, &QAction::triggered, this, &MainWindow::chooseModelFile);

    m_openPicture = new QAction(style()->standardIcon(QStyle::SP_FileIcon), tr("Open &Picture…"), this);
    m_openPicture->setShortcut(QKeySequence::Open);
    m_openPicture->setToolTip(tr("Open a picture to detect faces in"));
    connect(m_openPicture, &QAction::triggered, this, &MainWindow::choosePicture);

    m_rerun = new QAction(style()->standardIcon(QStyle::SP_BrowserReload), tr("&Run Again"), this);
    m_rerun->setShortcut(QKeySequence::Refresh);
    m_rerun->setToolTip(tr("Run detection on the picture again (new layer times)"));
    connect(m_rerun, &QAction::triggered, &m_runner, &ModelRunner::rerun);

    m_quit = new QAction(tr("&Quit"), this);
    m_quit->setShortcut(QKeySequence::Quit);
    m_quit->setMenuRole(QAction::QuitRole);
    connect(m_quit, &QAction::triggered, this, &QWidget::close);

    m_defaultModel = new QAction(tr("&Default Model"), this);
    m_defaultModel->setToolTip(tr("The trained RNNPool-Face-M4 when installed, else its architecture with random weights"));
    connect(m_defaultModel, &QAction::triggered, this, [this] { openModel({}); });
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_openModel);
    file->addAction(m_openPicture);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    file->addSeparator();
    file->addAction(m_quit);

    QMenu* model = menuBar()->addMenu(tr("&Model"));
    model->addAction(m_defaultModel);
    m_archMenu = model->addMenu(tr("&Built-in Architecture (Random Weights)"));
    std::vector<std::string> problems;
    for (const ArchSpec& spec : builtinArchitectures(&problems)) {
        const QString name = QString::fromStdString(spec.name);
        QAction* action = m_archMenu->addAction(name);
        action->setToolTip(QString::fromStdString(spec.description));
        action->setStatusTip(tr("%1 with seeded random weights: shapes and timings are real, boxes are not")
                                 .arg(name));
        connect(action, &QAction::triggered, this, [this, name] { openModel({QString(), name}); });
    }
    m_archMenu->setEnabled(!m_archMenu->isEmpty());
    if (!problems.empty())
        m_messages->showMessage(widgets::MessageBar::Warning,
                                tr("Some built-in architectures could not be read: %1")
                                    .arg(QString::fromStdString(problems.front())));
    model->addSeparator();
    model->addAction(m_rerun);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    // Filled in createDock(), once the dock exists.
    view->setObjectName(QStringLiteral("viewMenu"));
}

void MainWindow::createToolBar()
{
    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addAction(m_openModel);
    bar->addAction(m_openPicture);
    bar->addAction(m_rerun);
    bar->addSeparator();
    auto* label = new QLabel(tr("Score threshold "), bar);
    bar->addWidget(label);
    m_threshold = new QDoubleSpinBox(bar);
    m_threshold->setRange(0.0, 1.0);
    m_threshold->setSingleStep(0.05);
    m_threshold->setDecimals(2);
    m_threshold->setValue(kDefaultThreshold);
    m_threshold->setToolTip(tr("Faces scoring below this are not drawn"));
    label->setBuddy(m_threshold);
    bar->addWidget(m_threshold);
    connect(m_threshold, &QDoubleSpinBox::valueChanged, this, &MainWindow::onThresholdChanged);
}

void MainWindow::createDock()
{
    m_sortedLayers->setSourceModel(m_layers);
    m_sortedLayers->setSortRole(widgets::LayerTableModel::SortRole);

    m_table = new QTableView;
    m_table->setModel(m_sortedLayers);
    m_table->setAlternatingRowColors(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    // Network order first; a header click sorts, a third click returns to network order.
    m_table->horizontalHeader()->setSortIndicatorClearable(true);
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_table->setSortingEnabled(true);

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
    addDockWidget(Qt::RightDockWidgetArea, m_layerDock);

    if (auto* view = menuBar()->findChild<QMenu*>(QStringLiteral("viewMenu")))
        view->addAction(m_layerDock->toggleViewAction());
}

void MainWindow::createStatusBar()
{
    m_busyLabel = new QLabel;
    m_modelLabel = new QLabel;
    m_faceLabel = new QLabel;
    m_timeLabel = new QLabel;
    for (QLabel* label : {m_modelLabel, m_faceLabel, m_timeLabel})
        label->setContentsMargins(8, 0, 8, 0);
    statusBar()->addWidget(m_busyLabel);
    statusBar()->addPermanentWidget(m_faceLabel);
    statusBar()->addPermanentWidget(m_timeLabel);
    statusBar()->addPermanentWidget(m_modelLabel);
}

void MainWindow::openModel(const ModelRequest& request)
{
    m_runner.requestModel(request);
}

void MainWindow::openPicture(const QString& path)
{
    m_runner.requestPicture(path);
}

void MainWindow::showError(const QString& message)
{
    ++m_errorCount;
    m_messages->showMessage(widgets::MessageBar::Error, message);
    statusBar()->showMessage(tr("Error: %1").arg(message));
}

void MainWindow::chooseModelFile()
{
    QSettings stored;
    const QString dir = stored.value(QStringLiteral("dialogs/modelDir")).toString();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Model"), dir,
                                                      tr("Models (*.pth *.pt *.safetensors);;All files (*)"));
    if (path.isEmpty())
        return;
    if (m_settings == Settings::Remember)
        stored.setValue(QStringLiteral("dialogs/modelDir"), QFileInfo(path).absolutePath());
    openModel({path, QString()});
}

void MainWindow::choosePicture()
{
    QSettings stored;
    const QString dir = stored.value(QStringLiteral("dialogs/pictureDir")).toString();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Picture"), dir,
        tr("Pictures (*.jpg *.jpeg *.png *.bmp *.tif *.tiff *.webp *.pgm *.ppm);;All files (*)"));
    if (path.isEmpty())
        return;
    if (m_settings == Settings::Remember)
        stored.setValue(QStringLiteral("dialogs/pictureDir"), QFileInfo(path).absolutePath());
    openPicture(path);
}

void MainWindow::fillRecentMenu()
{
    m_recentMenu->clear();
    const QStringList models = m_recentModels.paths();
    const QStringList pictures = m_recentPictures.paths();
    if (!models.isEmpty())
        m_recentMenu->addSection(tr("Models"));
    for (const QString& path : models)
        connect(m_recentMenu->addAction(path), &QAction::triggered, this, [this, path] { openModel({path, QString()}); });
    if (!pictures.isEmpty())
        m_recentMenu->addSection(tr("Pictures"));
    for (const QString& path : pictures)
        connect(m_recentMenu->addAction(path), &QAction::triggered, this, [this, path] { openPicture(path); });
    if (models.isEmpty() && pictures.isEmpty()) {
        m_recentMenu->addAction(tr("No recent files"))->setEnabled(false);
        return;
    }
    m_recentMenu->addSeparator();
    connect(m_recentMenu->addAction(tr("Clear Recent Files")), &QAction::triggered, this, [this] {
        m_recentModels.clear();
        m_recentPictures.clear();
    });
}

void MainWindow::onModelLoaded(const LoadedModel& model)
{
    m_messages->clearMessage();
    statusBar()->clearMessage();
    m_modelName = model.randomWeights ? model.architecture
                                      : tr("%1 (%2)").arg(QFileInfo(model.path).fileName(), model.architecture);
    m_randomWeights = model.randomWeights;
    if (model.randomWeights)
        m_view->setBanner(tr("RANDOM WEIGHTS: the boxes are meaningless.\n%1 has %2, not trained ones. "
                             "Open a trained model with File → Open Model…")
                              .arg(model.architecture, model.source));
    else
        m_view->setBanner(QString());
    if (!model.path.isEmpty() && m_settings == Settings::Remember)
        m_recentModels.add(model.path);
    if (!model.notes.isEmpty())
        m_messages->showMessage(widgets::MessageBar::Information, tr("Loading the model: %1").arg(model.notes.join(u"; ")));

    // Boxes of the previous model would now be mislabelled; the new run brings its own.
    if (!m_view->picture().isNull())
        m_view->setFrame(m_view->picture(), {}, static_cast<float>(m_threshold->value()));
    m_faceLabel->clear();

    m_layers->setLayers(model.layers);
    m_layerSummary->setText(tr("%1 · %2 layers · %3 parameters · %4 M MAdds for %5")
                                .arg(model.architecture)
                                .arg(model.layers.size())
                                .arg(widgets::LayerTableModel::countText(model.params), millions(model.madds),
                                     shapeText(model.describedInput)));
    m_modelLabel->setText(m_modelName + (model.randomWeights ? tr(" · random weights") : QString()));
    m_modelLabel->setToolTip(model.description + u'\n' + model.source);
    m_timeLabel->clear();
    fitDockToTable();
    updateTitle();
}

void MainWindow::onModelFailed(const QString& message)
{
    showError(message);
    if (m_modelName.isEmpty()) {
        m_modelLabel->setText(tr("no model"));
        m_layerSummary->setText(tr("No model is loaded."));
        m_view->setBanner(tr("No model is loaded, so no faces are detected. Open one with File → Open Model… "
                             "or pick a built-in architecture in the Model menu."));
    }
    updateTitle();
}

void MainWindow::onPictureLoaded(const LoadedPicture& picture)
{
    m_picturePath = picture.path;
    if (m_settings == Settings::Remember)
        m_recentPictures.add(picture.path);
    // Show it at once; boxes follow when detection finishes.
    m_view->setFrame(picture.image, {}, static_cast<float>(m_threshold->value()));
    m_faceLabel->clear();
    updateTitle();
}

void MainWindow::onPictureFailed(const QString& message)
{
    showError(message);
}

void MainWindow::onDetectionFinished(const DetectionOutcome& outcome)
{
    m_view->setFrame(outcome.picture, outcome.faces, static_cast<float>(m_threshold->value()));
    m_layers->setLayers(outcome.layers);
    m_layers->setTimes(outcome.layerSeconds);
    m_layerSummary->setText(tr("%1 layers · %2 M MAdds for the input %3 (picture %4×%5)")
                                .arg(outcome.layers.size())
                                .arg(millions(outcome.madds), shapeText(outcome.input))
                                .arg(outcome.original.width)
                                .arg(outcome.original.height));
    m_timeLabel->setText(tr("input %1 · %2 ms").arg(shapeText(outcome.input),
                                                     QLocale().toString(outcome.totalSeconds * 1000.0, 'f', 1)));
    updateFaceCount();
    fitDockToTable();
}

void MainWindow::onDetectionFailed(const QString& message)
{
    showError(message);
}

void MainWindow::onBusyChanged(bool busy, const QString& what)
{
    m_busyLabel->setText(busy ? what : QString());
}

void MainWindow::onThresholdChanged(double threshold)
{
    m_view->setThreshold(static_cast<float>(threshold));
    updateFaceCount();
}

void MainWindow::updateFaceCount()
{
    if (m_view->picture().isNull()) {
        m_faceLabel->clear();
        return;
    }
    QString text = tr("%n face(s) with score ≥ %1", nullptr, m_view->visibleBoxCount())
                       .arg(QLocale().toString(m_threshold->value(), 'f', 2));
    if (m_view->drawnBoxCount() < m_view->visibleBoxCount())
        text += tr(" (%1 strongest drawn)").arg(m_view->drawnBoxCount());
    m_faceLabel->setText(text);
}

void MainWindow::updateTitle()
{
    QString title = m_modelName.isEmpty() ? tr("no model") : m_modelName;
    if (m_randomWeights)
        title += tr(" (random weights)");
    if (!m_picturePath.isEmpty())
        title += tr(" · %1").arg(QFileInfo(m_picturePath).fileName());
    setWindowTitle(tr("%1 — RNNPool Studio").arg(title));
}

void MainWindow::fitDockToTable()
{
    m_table->resizeColumnsToContents();
    // Size the dock to the table once; afterwards the user's (or the restored) width wins.
    if (m_dockFitted || m_layers->rowCount() == 0)
        return;
    int width = m_table->frameWidth() * 2 + m_table->verticalScrollBar()->sizeHint().width();
    for (int c = 0; c < m_layers->columnCount(); ++c)
        width += m_table->columnWidth(c);
    width = std::min(width + 8, this->width() * 11 / 20);
    resizeDocks({m_layerDock}, {width}, Qt::Horizontal);
    m_dockFitted = m_layers->hasTimes();
}

bool MainWindow::isModelFile(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == u"pth" || suffix == u"pt" || suffix == u"safetensors";
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    for (const QUrl& url : event->mimeData()->urls()) {
        if (!url.isLocalFile())
            continue;
        const QString path = url.toLocalFile();
        if (isModelFile(path))
            openModel({path, QString()});
        else
            openPicture(path);
    }
    event->acceptProposedAction();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_settings == Settings::Remember) {
        QSettings stored;
        stored.setValue(QStringLiteral("window/geometry"), saveGeometry());
        stored.setValue(QStringLiteral("window/state"), saveState());
    }
    QMainWindow::closeEvent(event);
}

} // namespace rnnpool::studio
