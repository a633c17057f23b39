// MainWindow's actions, menus, toolbars and status bar (the wiring of results
// is in main_window.cpp).
#include <QAction>
#include <QFile>
#include <QFileInfo>
#include <QActionGroup>
#include <QComboBox>
#include <QLabel>
#include <QMenuBar>
#include <QPainter>
#include <QPixmap>
#include <QProgressBar>
#include <QSlider>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QToolBar>
#include <QToolButton>

#include "model/arch_spec.h"
#include "studio/analysis_tabs.h"
#include "studio/main_window.h"
#include "widgets/message_bar.h"

namespace rnnpool::studio {

namespace {

// A strip of film in the palette's text colour: Open Video must not look like
// Play, and must show on a dark theme.
QIcon filmIcon(const QPalette& palette)
{
    QPixmap pixmap(32, 32);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    const QColor ink = palette.color(QPalette::WindowText);
    p.setPen(QPen(ink, 2));
    p.setBrush(Qt::NoBrush);
    p.drawRoundedRect(QRectF(5, 3, 22, 26), 2, 2);
    p.drawLine(QPointF(10, 3), QPointF(10, 29));
    p.drawLine(QPointF(22, 3), QPointF(22, 29));
    p.setPen(Qt::NoPen);
    p.setBrush(ink);
    for (int y = 6; y <= 24; y += 6) {
        p.drawRect(QRectF(6.5, y, 2, 2.5));
        p.drawRect(QRectF(23.5, y, 2, 2.5));
    }
    p.drawRect(QRectF(12, 9, 8, 6));
    p.drawRect(QRectF(12, 18, 8, 6));
    return QIcon(pixmap);
}
constexpr int kDefaultThresholdPercent = 50;
} // namespace

void MainWindow::createActions()
{
    m_openModel = new QAction(style()->standardIcon(QStyle::SP_DirOpenIcon), tr("Open &Model…"), this);
    m_openModel->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_openModel->setToolTip(tr("Open a checkpoint (.pth), a studio model (.safetensors) or an architecture spec (.json)"));
    connect(m_openModel, &QAction::triggered, this, &MainWindow::chooseModelFile);

    m_rerun = new QAction(style()->standardIcon(QStyle::SP_BrowserReload), tr("&Run Again"), this);
    m_rerun->setShortcut(QKeySequence::Refresh);
    m_rerun->setToolTip(tr("Run detection on the frame again (new layer times)"));
    connect(m_rerun, &QAction::triggered, &m_runner, &ModelRunner::rerun);

    m_exportPng = new QAction(tr("Export Activations as &PNG…"), this);
    m_exportPng->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(m_exportPng, &QAction::triggered, this, &MainWindow::exportActivationPng);
    m_exportNpy = new QAction(tr("Export Activations as .&npy…"), this);
    m_exportNpy->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    connect(m_exportNpy, &QAction::triggered, this, &MainWindow::exportActivationNpy);
    m_exportTrace = new QAction(tr("Export RNNPool &Trace as PNG…"), this);
    connect(m_exportTrace, &QAction::triggered, this, &MainWindow::exportTracePng);
    m_screenshot = new QAction(tr("Save &Window Screenshot…"), this);
    m_screenshot->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_S));
    connect(m_screenshot, &QAction::triggered, this, &MainWindow::saveScreenshot);

    m_quit = new QAction(tr("&Quit"), this);
    m_quit->setShortcut(QKeySequence::Quit);
    m_quit->setMenuRole(QAction::QuitRole);
    connect(m_quit, &QAction::triggered, this, &QWidget::close);

    m_defaultModel = new QAction(tr("&Default Model"), this);
    m_defaultModel->setToolTip(tr("The trained RNNPool-Face-M4 when installed, else its architecture with random weights"));
    connect(m_defaultModel, &QAction::triggered, this, [this] { openModel({}); });

    m_showGrid = new QAction(tr("RNNPool Patch &Grid"), this);
    m_showGrid->setShortcut(QKeySequence(Qt::Key_G));
    m_showGrid->setCheckable(true);
    m_showGrid->setToolTip(tr("Draw the patches of the RNNPool layer over the frame; click one to trace it"));
    connect(m_showGrid, &QAction::toggled, this, &MainWindow::setPatchGridVisible);
    createSourceActions();
}

void MainWindow::createSourceActions()
{
    m_openPicture = new QAction(style()->standardIcon(QStyle::SP_FileIcon), tr("Open &Picture…"), this);
    m_openPicture->setShortcut(QKeySequence::Open);
    m_openPicture->setToolTip(tr("Open a picture to detect faces in (or drop one on the window)"));
    connect(m_openPicture, &QAction::triggered, this, &MainWindow::choosePicture);
    m_openFolder = new QAction(style()->standardIcon(QStyle::SP_DirIcon), tr("Open &Folder…"), this);
    m_openFolder->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_openFolder->setToolTip(tr("Step through the pictures of a folder"));
    connect(m_openFolder, &QAction::triggered, this, &MainWindow::chooseFolder);
    m_openLabelled = new QAction(style()->standardIcon(QStyle::SP_FileDialogDetailedView), tr("Open &Labelled Folder…"), this);
    m_openLabelled->setToolTip(tr("A labels.txt (WIDER FACE format, as rnnpool eval reads) and its pictures: ground truth beside "
                                  "the detections, and precision/recall on the Accuracy tab"));
    connect(m_openLabelled, &QAction::triggered, this, &MainWindow::chooseLabelledFolder);
    m_openVideo = new QAction(filmIcon(palette()), tr("Open &Video…"), this); // not Play's triangle
    m_openVideo->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    connect(m_openVideo, &QAction::triggered, this, &MainWindow::chooseVideo);
    m_openCamera = new QAction(style()->standardIcon(QStyle::SP_ComputerIcon), tr("Open &Camera…"), this);
    m_openCamera->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    connect(m_openCamera, &QAction::triggered, this, &MainWindow::chooseCamera);

    m_play = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Play"), this);
    m_play->setShortcut(QKeySequence(Qt::Key_Space));
    m_play->setToolTip(tr("Play or pause the source (Space)"));
    connect(m_play, &QAction::triggered, &m_player, &SourcePlayer::togglePlay);
    m_step = new QAction(style()->standardIcon(QStyle::SP_MediaSeekForward), tr("&Next Frame"), this);
    m_step->setShortcut(QKeySequence(Qt::Key_Right));
    connect(m_step, &QAction::triggered, &m_player, &SourcePlayer::step);
    m_stepBack = new QAction(style()->standardIcon(QStyle::SP_MediaSeekBackward), tr("P&revious Frame"), this);
    m_stepBack->setShortcut(QKeySequence(Qt::Key_Left));
    connect(m_stepBack, &QAction::triggered, &m_player, &SourcePlayer::stepBack);
    updatePlayActions();
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_openModel);
    file->addSeparator();
    file->addAction(m_openPicture);
    file->addAction(m_openFolder);
    file->addAction(m_openLabelled);
    file->addAction(m_openVideo);
    file->addAction(m_openCamera);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    file->addSeparator();
    file->addAction(m_exportPng);
    file->addAction(m_exportNpy);
    file->addAction(m_exportTrace);
    file->addAction(m_screenshot);
    file->addSeparator();
    file->addAction(m_quit);

    QMenu* playback = menuBar()->addMenu(tr("&Playback"));
    playback->addAction(m_play);
    playback->addAction(m_stepBack);
    playback->addAction(m_step);

    QMenu* model = menuBar()->addMenu(tr("&Model"));
    model->addAction(m_defaultModel);
    m_archMenu = model->addMenu(tr("Model &Zoo (Random Weights)"));
    std::vector<std::string> problems;
    for (const ArchSpec& spec : builtinArchitectures(&problems)) {
        const QString name = QString::fromStdString(spec.name);
        QAction* action = m_archMenu->addAction(name);
        action->setToolTip(QString::fromStdString(spec.description));
        action->setStatusTip(tr("%1 with seeded random weights: shapes and timings are real, boxes are not").arg(name));
        connect(action, &QAction::triggered, this, [this, name] { openModel({QString(), name}); });
    }
    m_archMenu->setEnabled(!m_archMenu->isEmpty());
    if (!problems.empty())
        m_messages->showMessage(widgets::MessageBar::Warning, tr("Some built-in architectures could not be read: %1")
                                                                   .arg(QString::fromStdString(problems.front())));
    model->addSeparator();
    model->addAction(m_rerun);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_tabMenu = m_viewMenu->addMenu(tr("&Tabs"));
    m_viewMenu->addAction(m_showGrid);
    m_viewMenu->addSeparator();
    QMenu* theme = m_viewMenu->addMenu(tr("T&heme"));
    m_themeGroup = new QActionGroup(this);
    const std::pair<Theme, QString> themes[] = {
        {Theme::System, tr("Follow the &System")}, {Theme::Light, tr("&Light")}, {Theme::Dark, tr("&Dark")}};
    for (const auto& [value, text] : themes) {
        QAction* action = theme->addAction(text);
        action->setCheckable(true);
        action->setChecked(value == m_theme);
        action->setData(static_cast<int>(value));
        m_themeGroup->addAction(action);
        connect(action, &QAction::triggered, this, [this, value = value] { setTheme(value); });
    }
    QMenu* metering = m_viewMenu->addMenu(tr("&Measure RAM Live"));
    metering->setToolTipsVisible(true);
    m_meteringGroup = new QActionGroup(this);
    const std::pair<RamMetering, QString> policies[] = {{RamMetering::EveryFrame, tr("On &Every Frame")},
                                                        {RamMetering::OncePerSecond, tr("&Once a Second")},
                                                        {RamMetering::Off, tr("O&ff")}};
    for (const auto& [value, text] : policies) {
        QAction* action = metering->addAction(text);
        action->setCheckable(true);
        action->setChecked(value == m_runner.ramMetering());
        action->setData(static_cast<int>(value));
        action->setToolTip(tr("How often the live RAM chart runs a frame again in the paper schedule's metered arena "
                              "(which costs several detections)"));
        m_meteringGroup->addAction(action);
        connect(action, &QAction::triggered, this, [this, value = value] { setRamMetering(value); });
    }
    m_viewMenu->addSeparator();
}

void MainWindow::createToolBars()
{
    QToolBar* main = addToolBar(tr("Main"));
    main->setObjectName(QStringLiteral("mainToolBar"));
    main->addAction(m_openModel);
    main->addAction(m_openPicture);
    main->addAction(m_openFolder);
    main->addAction(m_openVideo);
    main->addAction(m_openCamera);
    main->addSeparator();
    main->addAction(m_stepBack);
    main->addAction(m_play);
    main->addAction(m_step);
    main->addAction(m_rerun);

    QToolBar* live = addToolBar(tr("Detection"));
    live->setObjectName(QStringLiteral("detectionToolBar"));
    auto* label = new QLabel(tr("Score threshold "), live);
    live->addWidget(label);
    m_threshold = new QSlider(Qt::Horizontal, live);
    m_threshold->setRange(0, 100);
    m_threshold->setValue(kDefaultThresholdPercent);
    m_threshold->setFixedWidth(120); // with the other toolbars, all in one row of a 1280-pixel window
    m_threshold->setToolTip(tr("Faces scoring below this are not drawn (no rerun needed)"));
    label->setBuddy(m_threshold);
    live->addWidget(m_threshold);
    m_thresholdLabel = new QLabel(live);
    m_thresholdLabel->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("0.00 ")));
    live->addWidget(m_thresholdLabel);
    live->addSeparator();
    live->addWidget(new QLabel(tr("Numerics "), live));
    m_numerics = new QComboBox(live);
    m_numerics->addItem(numericsTitle(Numerics::Float32), static_cast<int>(Numerics::Float32));
    m_numerics->addItem(numericsTitle(Numerics::Int8), static_cast<int>(Numerics::Int8));
    m_numerics->setToolTip(tr("float32: the float engine (the default model as a 3-level image pyramid). int8 (as on the M4): "
                              "the model's int8 twin, RNNPool in Q15, with the same pyramid (each level halved in int8), "
                              "the numbers the Cortex-M4 firmware computes; the activations show its maps dequantised. "
                              "Same as: rnnpool run --dtype i8"));
    live->addWidget(m_numerics);
    connect(m_numerics, &QComboBox::activated, this,
            [this](int index) { setNumerics(static_cast<Numerics>(m_numerics->itemData(index).toInt())); });
    live->addSeparator();
    live->addAction(m_showGrid);
    connect(m_threshold, &QSlider::valueChanged, this, &MainWindow::onThresholdChanged);
    onThresholdChanged(m_threshold->value());

    // The analysis tabs' input size: the deployment input unless chosen here.
    QToolBar* analysis = addToolBar(tr("Analysis input"));
    analysis->setObjectName(QStringLiteral("analysisToolBar"));
    analysis->addWidget(m_analysis->inputBar());

    for (QToolBar* bar : {main, live, analysis}) {
        bar->setToolButtonStyle(Qt::ToolButtonIconOnly);
        m_viewMenu->addAction(bar->toggleViewAction());
    }
}

void MainWindow::createStatusBar()
{
    m_busyLabel = new QLabel;
    m_modelLabel = new QLabel;
    m_faceLabel = new QLabel;
    m_timeLabel = new QLabel;
    m_rateLabel = new QLabel;
    // Long status texts are cut, never widen the window (a small or high-DPI screen).
    for (QLabel* label : {m_busyLabel, m_modelLabel, m_faceLabel, m_timeLabel, m_rateLabel})
        label->setMinimumWidth(1);
    m_progress = new QProgressBar;
    m_progress->setMaximumWidth(180);
    m_progress->setTextVisible(true);
    m_progress->hide();
    m_cancel = new QToolButton;
    m_cancel->setIcon(style()->standardIcon(QStyle::SP_DialogCancelButton));
    m_cancel->setToolTip(tr("Stop: pause the folder or video, or discard the model being loaded (Esc)"));
    m_cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    m_cancel->setAutoRaise(true);
    m_cancel->hide();
    connect(m_cancel, &QToolButton::clicked, this, [this] {
        m_player.pause();
        m_runner.cancelModelLoad();
    });
    for (QLabel* label : {m_modelLabel, m_faceLabel, m_timeLabel, m_rateLabel})
        label->setContentsMargins(8, 0, 8, 0);
    // Progress and Stop are permanent widgets, so status messages never cover them.
    statusBar()->addWidget(m_busyLabel);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    statusBar()->addPermanentWidget(m_faceLabel);
    statusBar()->addPermanentWidget(m_rateLabel);
    statusBar()->addPermanentWidget(m_timeLabel);
    statusBar()->addPermanentWidget(m_modelLabel);
}

void MainWindow::updatePlayActions()
{
    const bool has = m_player.hasSource();
    const bool multi = has && m_player.frameCount().value_or(2) > 1;
    m_play->setEnabled(multi);
    m_step->setEnabled(multi);
    m_stepBack->setEnabled(multi && m_player.canSeek());
    const bool playing = m_player.isPlaying();
    m_play->setText(playing ? tr("&Pause") : tr("&Play"));
    m_play->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
    if (m_cancel)
        m_cancel->setVisible(playing || m_runner.isLoadingModel());
}

void MainWindow::fillRecentMenu()
{
    m_recentMenu->clear();
    const QStringList models = m_recentModels.paths();
    const QStringList sources = m_recentSources.paths();
    if (!models.isEmpty())
        m_recentMenu->addSection(tr("Models"));
    for (const QString& path : models)
        connect(m_recentMenu->addAction(path), &QAction::triggered, this, [this, path] { openModel({path, QString()}); });
    if (!sources.isEmpty())
        m_recentMenu->addSection(tr("Pictures, folders and videos"));
    for (const QString& path : sources)
        connect(m_recentMenu->addAction(path), &QAction::triggered, this, [this, path] {
            const QFileInfo info(path);
            openSource(SourceRequest::file(info.isDir()                                          ? SourceRequest::Folder
                                           : isVideoFile(QFile::encodeName(path).toStdString()) ? SourceRequest::Video
                                                                                                : SourceRequest::Picture,
                                           path));
        });
    if (models.isEmpty() && sources.isEmpty()) {
        m_recentMenu->addAction(tr("No recent files"))->setEnabled(false);
        return;
    }
    m_recentMenu->addSeparator();
    connect(m_recentMenu->addAction(tr("Clear Recent Files")), &QAction::triggered, this, [this] {
        m_recentModels.clear();
        m_recentSources.clear();
    });
}

} // namespace rnnpool::studio
