// DetectionView: a picture with the detected faces drawn over it. The picture
// is scaled to fit the widget keeping its aspect ratio; boxes and scores are
// drawn at screen resolution, so they stay sharp on high-DPI screens.
//
//   DetectionView view;
//   view.setFrame(picture, frameResult.faces, 0.5f);  // boxes in picture pixels
//   view.setThreshold(0.7f);                           // hides weaker boxes, no rerun
//   view.setBanner(tr("Random weights: boxes are meaningless"));
//   view.setPatchGrid(PatchGrid{...});                 // RNNPool's patches, drawn over it
//   connect(&view, &DetectionView::patchClicked, ...); // a click selects a patch
#pragma once

#include <optional>
#include <vector>

#include <QImage>
#include <QPixmap>
#include <QWidget>

#include "engine/face_detector.h"

namespace rnnpool::widgets {

// The patches an RNNPool layer pools, in picture pixels: patch (row, col)
// covers [col·strideX, col·strideX + sizeX) × [row·strideY, row·strideY + sizeY).
struct PatchGrid {
    int rows = 0, cols = 0;
    double strideX = 0.0, strideY = 0.0;
    double sizeX = 0.0, sizeY = 0.0;
};

// A labelled face, in picture pixels: found at a threshold t when the
// detection that found it scored at least t (-1: no detection found it);
// `counted` is false for faces below the minimum size (neither hit nor miss).
struct TruthBox {
    float x1 = 0, y1 = 0, x2 = 0, y2 = 0;
    float foundAtScore = -1.0f;
    bool counted = true;
};
// What a detection is against the labels: a hit, a false alarm, or ignored
// (it found a face below the minimum size).
enum class DetectionKind { Unlabelled, Hit, FalseAlarm, Ignored };

class DetectionView final : public QWidget {
    Q_OBJECT

public:
    explicit DetectionView(QWidget* parent = nullptr);

    // `faces` may hold boxes of any score; those below `threshold` are not drawn.
    void setFrame(const QImage& picture, const std::vector<PixelBox>& faces, float threshold);
    void setThreshold(float threshold);
    // At most this many boxes are drawn, the strongest; a note says how many
    // are left out. A model with random weights finds hundreds of "faces".
    void setMaxDrawnBoxes(int count);
    // The picture's labels: faces drawn beside the detections, and the
    // detections coloured hit, false alarm or ignored (`kinds` in the order of
    // the faces given to setFrame). Empty vectors: an unlabelled picture.
    void setLabels(std::vector<TruthBox> truth, std::vector<DetectionKind> kinds);
    bool hasLabels() const { return !m_truth.empty() || !m_kinds.empty(); }
    // At the current threshold: labelled faces found, missed, and detections that are false alarms.
    int foundCount() const;
    int missedCount() const;
    int falseAlarmCount() const;
    static QColor hitColour();
    static QColor missColour();
    static QColor falseAlarmColour();
    // Shown plainly above the picture; an empty text hides the banner.
    void setBanner(const QString& text);
    // Shown in the middle when there is no picture.
    void setPlaceholderText(const QString& text);
    void clear();
    // nullopt hides the grid; clicks then select nothing.
    void setPatchGrid(std::optional<PatchGrid> grid);
    void setGridVisible(bool visible);
    // (row, col); nullopt for none.
    void setSelectedPatch(std::optional<QPoint> rowCol);
    std::optional<QPoint> selectedPatch() const { return m_selected; }
    bool gridVisible() const { return m_gridVisible && m_grid.has_value(); }
    // The patch whose top-left stride cell holds this widget point.
    std::optional<QPoint> patchAt(QPointF widgetPoint) const;
    // A patch's rectangle in picture pixels.
    QRectF patchRect(int row, int col) const;

    const QImage& picture() const { return m_picture; }
    float threshold() const { return m_threshold; }
    QString banner() const { return m_banner; }
    int visibleBoxCount() const;  // boxes at or above the threshold
    std::vector<PixelBox> visibleBoxes() const; // those boxes, strongest first
    int drawnBoxCount() const;    // of those, the ones drawn
    // Where the picture is drawn, in widget coordinates (empty without a picture).
    QRectF pictureRect() const;
    // A picture point in widget coordinates.
    QPointF mapFromPicture(QPointF picturePoint) const;

    static QColor boxColour();
    static constexpr int kDefaultMaxDrawnBoxes = 50;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void patchClicked(int row, int col);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    QFont bannerFont() const;
    QRect bannerRect() const;
    void drawPicture(QPainter& painter, const QRectF& target);
    void drawBoxes(QPainter& painter) const;
    void drawBanner(QPainter& painter) const;
    void drawPatchGrid(QPainter& painter, const QRectF& target) const;
    void drawNote(QPainter& painter, const QRectF& target, const QString& note) const;

    QImage m_picture;
    std::vector<PixelBox> m_faces; // sorted by rising score, so the strongest is drawn last
    std::vector<size_t> m_order;   // m_faces[i] is face m_order[i] as given to setFrame
    std::vector<TruthBox> m_truth;
    std::vector<DetectionKind> m_kinds; // in setFrame's order
    DetectionKind kindOf(size_t sortedIndex) const;
    void drawTruth(QPainter& painter) const;
    float m_threshold = 0.5f;
    int m_maxDrawn = kDefaultMaxDrawnBoxes;
    QString m_banner;
    QString m_placeholder;
    // Smooth scaling of a large picture on every paint is slow; keep the last result.
    QPixmap m_scaled;
    std::optional<PatchGrid> m_grid;
    bool m_gridVisible = false;
    std::optional<QPoint> m_selected; // (row, col)
};

} // namespace rnnpool::widgets
