// DetectionView: a picture with the detected faces drawn over it. The picture
// is scaled to fit the widget keeping its aspect ratio; boxes and scores are
// drawn at screen resolution, so they stay sharp on high-DPI screens.
//
//   DetectionView view;
//   view.setFrame(picture, frameResult.faces, 0.5f);  // boxes in picture pixels
//   view.setThreshold(0.7f);                           // hides weaker boxes, no rerun
//   view.setBanner(tr("Random weights: boxes are meaningless"));
#pragma once

#include <vector>

#include <QImage>
#include <QPixmap>
#include <QWidget>

#include "engine/face_detector.h"

namespace rnnpool::widgets {

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
    // Shown plainly above the picture; an empty text hides the banner.
    void setBanner(const QString& text);
    // Shown in the middle when there is no picture.
    void setPlaceholderText(const QString& text);
    void clear();

    const QImage& picture() const { return m_picture; }
    float threshold() const { return m_threshold; }
    QString banner() const { return m_banner; }
    int visibleBoxCount() const;  // boxes at or above the threshold
    int drawnBoxCount() const;    // of those, the ones drawn
    // Where the picture is drawn, in widget coordinates (empty without a picture).
    QRectF pictureRect() const;
    // A picture point in widget coordinates.
    QPointF mapFromPicture(QPointF picturePoint) const;

    static QColor boxColour();
    static constexpr int kDefaultMaxDrawnBoxes = 50;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QFont bannerFont() const;
    QRect bannerRect() const;
    void drawPicture(QPainter& painter, const QRectF& target);
    void drawBoxes(QPainter& painter) const;
    void drawBanner(QPainter& painter) const;
    void drawNote(QPainter& painter, const QRectF& target, const QString& note) const;

    QImage m_picture;
    std::vector<PixelBox> m_faces; // sorted by rising score, so the strongest is drawn last
    float m_threshold = 0.5f;
    int m_maxDrawn = kDefaultMaxDrawnBoxes;
    QString m_banner;
    QString m_placeholder;
    // Smooth scaling of a large picture on every paint is slow; keep the last result.
    QPixmap m_scaled;
};

} // namespace rnnpool::widgets
