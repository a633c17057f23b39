// MainWindow: labelled pictures. With labels open (File → Open Labelled
// Folder…, --labels FILE), each picture shown that the labels know is judged
// as `rnnpool eval` judges it: its faces are drawn beside the detections
// (hits green, false alarms red, missed faces orange, faces below the minimum
// size grey), and the Accuracy tab shows the precision/recall curve and AP of
// the pictures seen so far.
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>

#include "eval/labelled_session.h"
#include "studio/main_window.h"
#include "widgets/detection_view.h"
#include "widgets/message_bar.h"
#include "widgets/precision_recall_view.h"

namespace rnnpool::studio {

bool MainWindow::openLabels(const QString& labelsFile)
{
    auto labels = readFaceLabels(QFile::encodeName(labelsFile).toStdString());
    if (!labels) {
        showError(QString::fromStdString(labels.error()));
        return false;
    }
    const float minFace = m_accuracy->minFace();
    m_labelSession = std::make_unique<LabelledSession>(std::move(*labels), minFace);
    m_accuracy->clear(tr("%1 pictures labelled in %2; open their folder (or step to them) to judge the detections.")
                          .arg(m_labelSession->size())
                          .arg(labelsFile));
    applyLabels();
    return true;
}

void MainWindow::chooseLabelledFolder()
{
    const QString labelsFile = QFileDialog::getOpenFileName(this, tr("Open Labels (WIDER FACE text format)"), QString(),
                                                            tr("Labels (*.txt);;All files (*)"));
    if (labelsFile.isEmpty() || !openLabels(labelsFile))
        return;
    // The pictures: the folder beside the labels by default (the dataset's images/).
    QString start = QFileInfo(labelsFile).absolutePath();
    if (QDir(start).exists(QStringLiteral("images")))
        start = QDir(start).filePath(QStringLiteral("images"));
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open the Labelled Pictures' Folder"), start);
    if (!folder.isEmpty())
        openSource(SourceRequest::file(SourceRequest::Folder, folder));
}

void MainWindow::applyLabels()
{
    if (!m_labelSession || !m_outcome) {
        m_view->setLabels({}, {});
        return;
    }
    const DetectionOutcome& o = *m_outcome;
    // The picture's file: the folder's entry, or the picture opened.
    const QFileInfo source(m_player.path());
    const QString path = source.isDir() ? QDir(source.absoluteFilePath()).filePath(o.label) : source.absoluteFilePath();
    const int index = m_labelSession->find(QFile::encodeName(path).toStdString());
    if (index < 0 || o.input.size() != 3 || o.original.width <= 0 || o.original.height <= 0) {
        m_view->setLabels({}, {});
        return;
    }
    // Judged in the network's input pixels, as rnnpool eval judges them.
    const float sx = static_cast<float>(o.input[2]) / static_cast<float>(o.original.width);
    const float sy = static_cast<float>(o.input[1]) / static_cast<float>(o.original.height);
    std::vector<FaceBox> faces;
    for (const FaceBox& f : m_labelSession->picture(index).faces)
        faces.push_back({f.x1 * sx, f.y1 * sy, f.x2 * sx, f.y2 * sy});
    std::vector<ScoredBox> detections;
    for (const PixelBox& b : o.faces)
        detections.push_back({b.score, {b.x1 * sx, b.y1 * sy, b.x2 * sx, b.y2 * sy}});
    const PictureMatch match = m_labelSession->add(index, faces, detections);

    std::vector<widgets::TruthBox> truth;
    const auto& labelled = m_labelSession->picture(index).faces;
    for (size_t f = 0; f < labelled.size(); ++f)
        truth.push_back({labelled[f].x1, labelled[f].y1, labelled[f].x2, labelled[f].y2, match.foundAtScore[f], match.counted[f]});
    std::vector<widgets::DetectionKind> kinds;
    for (PictureMatch::Outcome k : match.detections)
        kinds.push_back(k == PictureMatch::Outcome::Hit          ? widgets::DetectionKind::Hit
                        : k == PictureMatch::Outcome::FalseAlarm ? widgets::DetectionKind::FalseAlarm
                                                                 : widgets::DetectionKind::Ignored);
    m_view->setLabels(std::move(truth), std::move(kinds));
    m_accuracy->setResult(m_labelSession->result(), m_labelSession->seen(), m_labelSession->size());
}

} // namespace rnnpool::studio
