// MainWindow: choosing files (with the last folder remembered), exporting
// activations, traces and screenshots, and dropping files on the window.
#include "studio/main_window.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMimeData>
#include <QSettings>

#include "io/npy.h"
#include "studio/camera_dialog.h"
#include "video/frame_source.h"
#include "widgets/activation_view.h"
#include "widgets/rnnpool_trace_view.h"

namespace rnnpool::studio {

namespace {

std::filesystem::path toPath(const QString& file)
{
    return QFile::encodeName(file).toStdString();
}

template <typename Choose>
QString chooseWithMemory(MainWindow::Settings settings, const QString& key, Choose choose)
{
    QSettings stored;
    const QString path = choose(stored.value(key).toString());
    if (!path.isEmpty() && settings == MainWindow::Settings::Remember)
        stored.setValue(key, QFileInfo(path).absolutePath());
    return path;
}

} // namespace

void MainWindow::chooseModelFile()
{
    const QString path = chooseWithMemory(m_settings, QStringLiteral("dialogs/modelDir"), [this](const QString& dir) {
        return QFileDialog::getOpenFileName(this, tr("Open Model"), dir,
                                            tr("Models (*.pth *.pt *.safetensors *.json *.onnx);;All files (*)"));
    });
    if (!path.isEmpty())
        openModel({path, QString()});
}

void MainWindow::choosePicture()
{
    const QString path = chooseWithMemory(m_settings, QStringLiteral("dialogs/pictureDir"), [this](const QString& dir) {
        return QFileDialog::getOpenFileName(
            this, tr("Open Picture"), dir,
            tr("Pictures (*.jpg *.jpeg *.png *.bmp *.tif *.tiff *.webp *.pgm *.ppm);;All files (*)"));
    });
    if (!path.isEmpty())
        openSource(SourceRequest::file(SourceRequest::Picture, path));
}

void MainWindow::chooseFolder()
{
    QSettings stored;
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open Folder of Pictures"),
                                                           stored.value(QStringLiteral("dialogs/pictureDir")).toString());
    if (path.isEmpty())
        return;
    if (m_settings == Settings::Remember)
        stored.setValue(QStringLiteral("dialogs/pictureDir"), path);
    openSource(SourceRequest::file(SourceRequest::Folder, path));
}

void MainWindow::chooseVideo()
{
    const QString path = chooseWithMemory(m_settings, QStringLiteral("dialogs/videoDir"), [this](const QString& dir) {
        return QFileDialog::getOpenFileName(this, tr("Open Video"), dir,
                                            tr("Videos (*.avi *.mp4 *.mkv *.mov *.webm *.m4v *.mpg *.mpeg *.wmv);;All files (*)"));
    });
    if (!path.isEmpty())
        openSource(SourceRequest::file(SourceRequest::Video, path));
}

void MainWindow::chooseCamera()
{
    CameraDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    openSource(SourceRequest::forCamera(dialog.index(), dialog.resolution()));
}

void MainWindow::exportActivationPng()
{
    if (m_activations->activation().empty()) {
        showError(tr("Nothing to export: select a layer after a frame has been analysed."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Activations"), m_activations->layer() + QStringLiteral(".png"),
                                                      tr("PNG pictures (*.png)"));
    if (!path.isEmpty() && !m_activations->gridImage().save(path, "PNG"))
        showError(tr("Cannot write the picture '%1'").arg(path));
}

void MainWindow::exportActivationNpy()
{
    if (m_activations->activation().empty()) {
        showError(tr("Nothing to export: select a layer after a frame has been analysed."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Activations"), m_activations->layer() + QStringLiteral(".npy"),
                                                      tr("NumPy arrays (*.npy)"));
    if (path.isEmpty())
        return;
    if (Status st = writeNpy(toPath(path), m_activations->activation()); !st)
        showError(QString::fromStdString(st.error()));
}

void MainWindow::exportTracePng()
{
    if (!m_trace->canvas()->hasTrace()) {
        showError(tr("Nothing to export: click a patch in the Live view with the patch grid shown."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Export RNNPool Trace"), QStringLiteral("rnnpool-trace.png"),
                                                      tr("PNG pictures (*.png)"));
    if (!path.isEmpty() && !m_trace->canvas()->grab().save(path, "PNG"))
        showError(tr("Cannot write the picture '%1'").arg(path));
}

void MainWindow::saveScreenshot()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Window Screenshot"), QStringLiteral("studio.png"),
                                                      tr("PNG pictures (*.png)"));
    if (!path.isEmpty() && !grab().save(path, "PNG"))
        showError(tr("Cannot write the picture '%1'").arg(path));
}

bool MainWindow::isModelFile(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == u"pth" || suffix == u"pt" || suffix == u"safetensors" || suffix == u"json" || suffix == u"onnx";
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
        else if (QFileInfo(path).isDir())
            openSource(SourceRequest::file(SourceRequest::Folder, path));
        else if (isVideoFile(toPath(path)))
            openSource(SourceRequest::file(SourceRequest::Video, path));
        else
            openSource(SourceRequest::file(SourceRequest::Picture, path));
    }
    event->acceptProposedAction();
}

} // namespace rnnpool::studio
