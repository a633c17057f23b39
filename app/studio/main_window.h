// MainWindow: the studio's first window. The picture with its detected faces
// in the middle, the model's layers in a dock, problems stated in a message
// bar and the status bar. All model work goes through ModelRunner, off the UI
// thread; this class only wires results to widgets.
//
//   MainWindow window(MainWindow::Settings::Remember);
//   window.show();
//   window.openModel({});                       // the default model
//   window.openPicture(QStringLiteral("face.jpg"));
#pragma once

#include <QMainWindow>

#include "studio/model_runner.h"
#include "studio/recent_files.h"

class QAction;
class QDoubleSpinBox;
class QDockWidget;
class QLabel;
class QMenu;
class QSortFilterProxyModel;
class QTableView;

namespace rnnpool::widgets {
class DetectionView;
class LayerTableModel;
class MessageBar;
} // namespace rnnpool::widgets

namespace rnnpool::studio {

class MainWindow final : public QMainWindow {
    Q_OBJECT

public:
    // Ignore: leave QSettings alone (screenshots and tests must not depend on
    // or change the user's geometry and recent files).
    enum class Settings { Remember, Ignore };

    explicit MainWindow(Settings settings, QWidget* parent = nullptr);
    ~MainWindow() override;

    void openModel(const ModelRequest& request);
    void openPicture(const QString& path);
    // States a problem in the message bar and the status bar.
    void showError(const QString& message);

    ModelRunner& runner() { return m_runner; }
    // Errors shown since the window opened (the exit status of --screenshot).
    int errorCount() const { return m_errorCount; }

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createActions();
    void createMenus();
    void createToolBar();
    void createDock();
    void createStatusBar();
    void fillRecentMenu();
    void fitDockToTable();

    void chooseModelFile();
    void choosePicture();
    void onModelLoaded(const LoadedModel& model);
    void onModelFailed(const QString& message);
    void onPictureLoaded(const LoadedPicture& picture);
    void onPictureFailed(const QString& message);
    void onDetectionFinished(const DetectionOutcome& outcome);
    void onDetectionFailed(const QString& message);
    void onBusyChanged(bool busy, const QString& what);
    void onThresholdChanged(double threshold);
    void updateTitle();
    void updateFaceCount();

    static bool isModelFile(const QString& path);

    ModelRunner m_runner;
    const Settings m_settings;
    RecentFiles m_recentModels;
    RecentFiles m_recentPictures;
    int m_errorCount = 0;
    bool m_dockFitted = false;

    QString m_modelName;        // for the title
    bool m_randomWeights = false;
    QString m_picturePath;

    widgets::DetectionView* m_view = nullptr;
    widgets::MessageBar* m_messages = nullptr;
    widgets::LayerTableModel* m_layers = nullptr;
    QSortFilterProxyModel* m_sortedLayers = nullptr;
    QTableView* m_table = nullptr;
    QDockWidget* m_layerDock = nullptr;
    QLabel* m_layerSummary = nullptr;
    QDoubleSpinBox* m_threshold = nullptr;
    QLabel* m_modelLabel = nullptr;
    QLabel* m_faceLabel = nullptr;
    QLabel* m_timeLabel = nullptr;
    QLabel* m_busyLabel = nullptr;

    QAction* m_openModel = nullptr;
    QAction* m_openPicture = nullptr;
    QAction* m_rerun = nullptr;
    QAction* m_quit = nullptr;
    QAction* m_defaultModel = nullptr;
    QMenu* m_recentMenu = nullptr;
    QMenu* m_archMenu = nullptr;
};

} // namespace rnnpool::studio
