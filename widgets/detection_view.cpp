#include "widgets/detection_view.h"

#include <algorithm>
#include <cmath>

#include <QFontMetrics>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

namespace rnnpool::widgets {

namespace {
constexpr int kMargin = 6;
constexpr qreal kBoxPen = 2.0;
// Only the strongest boxes get a score label; beyond that, labels hide the picture.
constexpr int kMaxLabels = 20;
} // namespace

DetectionView::DetectionView(QWidget* parent)
    : QWidget(parent)
    , m_placeholder(tr("No picture. Open one with File → Open Picture…"))
{
    setBackgroundRole(QPalette::Dark);
    setAutoFillBackground(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void DetectionView::setFrame(const QImage& picture, const std::vector<PixelBox>& faces, float threshold)
{
    m_picture = picture;
    m_order.resize(faces.size());
    for (size_t i = 0; i < faces.size(); ++i)
        m_order[i] = i;
    std::stable_sort(m_order.begin(), m_order.end(), [&](size_t a, size_t b) { return faces[a].score < faces[b].score; });
    m_faces.clear();
    for (size_t i : m_order)
        m_faces.push_back(faces[i]);
    m_truth.clear();
    m_kinds.clear();
    m_threshold = threshold;
    m_scaled = QPixmap();
    update();
}

void DetectionView::setLabels(std::vector<TruthBox> truth, std::vector<DetectionKind> kinds)
{
    m_truth = std::move(truth);
    m_kinds = kinds.size() == m_faces.size() ? std::move(kinds) : std::vector<DetectionKind>{};
    update();
}

DetectionKind DetectionView::kindOf(size_t sortedIndex) const
{
    return m_kinds.empty() ? DetectionKind::Unlabelled : m_kinds[m_order[sortedIndex]];
}

int DetectionView::foundCount() const
{
    return static_cast<int>(std::count_if(m_truth.begin(), m_truth.end(),
                                          [&](const TruthBox& t) { return t.counted && t.foundAtScore >= 0.0f && t.foundAtScore >= m_threshold; }));
}

int DetectionView::missedCount() const
{
    return static_cast<int>(std::count_if(m_truth.begin(), m_truth.end(), [](const TruthBox& t) { return t.counted; })) - foundCount();
}

int DetectionView::falseAlarmCount() const
{
    int n = 0;
    for (size_t i = 0; i < m_faces.size(); ++i)
        n += m_faces[i].score >= m_threshold && kindOf(i) == DetectionKind::FalseAlarm ? 1 : 0;
    return n;
}

QColor DetectionView::hitColour()
{
    return QColor(40, 200, 90);
}

QColor DetectionView::missColour()
{
    return QColor(255, 60, 220); // magenta: not the orange of a selected RNNPool patch
}

QColor DetectionView::falseAlarmColour()
{
    return QColor(235, 50, 60);
}

void DetectionView::drawTruth(QPainter& painter) const
{
    // Labelled faces: missed ones solid magenta, found ones thin green dashes
    // (their detection is drawn too), faces below the minimum size thin grey dashes.
    painter.setBrush(Qt::NoBrush);
    for (const TruthBox& t : m_truth) {
        const QRectF box(mapFromPicture({t.x1, t.y1}), mapFromPicture({t.x2, t.y2}));
        const bool found = t.foundAtScore >= 0.0f && t.foundAtScore >= m_threshold;
        if (!t.counted) {
            painter.setPen(QPen(QColor(200, 200, 200, 200), 1.0, Qt::DashLine));
        } else if (found) {
            painter.setPen(QPen(hitColour(), 1.0, Qt::DashLine));
        } else {
            painter.setPen(QPen(QColor(0, 0, 0, 160), kBoxPen + 2.0));
            painter.drawRect(box);
            painter.setPen(QPen(missColour(), kBoxPen));
        }
        painter.drawRect(box);
    }
}

void DetectionView::setThreshold(float threshold)
{
    if (threshold == m_threshold)
        return;
    m_threshold = threshold;
    update();
}

void DetectionView::setMaxDrawnBoxes(int count)
{
    m_maxDrawn = std::max(count, 0);
    update();
}

void DetectionView::setBanner(const QString& text)
{
    if (text == m_banner)
        return;
    m_banner = text;
    m_scaled = QPixmap(); // the picture area changes
    update();
}

void DetectionView::setPlaceholderText(const QString& text)
{
    m_placeholder = text;
    update();
}

void DetectionView::clear()
{
    setFrame(QImage(), {}, m_threshold);
}

void DetectionView::setPatchGrid(std::optional<PatchGrid> grid)
{
    m_grid = grid;
    if (m_selected && (!grid || m_selected->x() >= grid->rows || m_selected->y() >= grid->cols))
        m_selected.reset();
    update();
}

void DetectionView::setGridVisible(bool visible)
{
    m_gridVisible = visible;
    update();
}

void DetectionView::setSelectedPatch(std::optional<QPoint> rowCol)
{
    m_selected = rowCol;
    update();
}

QRectF DetectionView::patchRect(int row, int col) const
{
    if (!m_grid)
        return {};
    return {col * m_grid->strideX, row * m_grid->strideY, m_grid->sizeX, m_grid->sizeY};
}

std::optional<QPoint> DetectionView::patchAt(QPointF widgetPoint) const
{
    const QRectF target = pictureRect();
    if (!m_grid || target.isEmpty() || !target.contains(widgetPoint) || m_grid->strideX <= 0 || m_grid->strideY <= 0)
        return std::nullopt;
    const QPointF picture = (widgetPoint - target.topLeft()) * (m_picture.width() / target.width());
    const int row = std::clamp(static_cast<int>(picture.y() / m_grid->strideY), 0, m_grid->rows - 1);
    const int col = std::clamp(static_cast<int>(picture.x() / m_grid->strideX), 0, m_grid->cols - 1);
    return QPoint(row, col);
}

void DetectionView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton && gridVisible()) {
        if (const auto patch = patchAt(event->position())) {
            setSelectedPatch(patch);
            emit patchClicked(patch->x(), patch->y());
            return;
        }
    }
    QWidget::mousePressEvent(event);
}

void DetectionView::drawPatchGrid(QPainter& painter, const QRectF& target) const
{
    if (gridVisible()) {
        // Patches overlap (stride < size); the lines mark the stride lattice, where patches start.
        painter.setRenderHint(QPainter::Antialiasing, false);
        painter.setPen(QPen(QColor(255, 255, 255, 70), 1.0));
        for (int c = 0; c <= m_grid->cols; ++c) {
            const qreal x = mapFromPicture({c * m_grid->strideX, 0}).x();
            painter.drawLine(QPointF(x, target.top()), QPointF(x, target.bottom()));
        }
        for (int r = 0; r <= m_grid->rows; ++r) {
            const qreal y = mapFromPicture({0, r * m_grid->strideY}).y();
            painter.drawLine(QPointF(target.left(), y), QPointF(target.right(), y));
        }
    }
    if (m_grid && m_selected) {
        const QRectF patch = patchRect(m_selected->x(), m_selected->y());
        const QRectF box(mapFromPicture(patch.topLeft()), mapFromPicture(patch.bottomRight()));
        painter.setBrush(QColor(230, 126, 34, 60));
        painter.setPen(QPen(QColor(230, 126, 34), 2.0));
        painter.drawRect(box);
        painter.setBrush(Qt::NoBrush);
    }
}

int DetectionView::visibleBoxCount() const
{
    return static_cast<int>(std::count_if(m_faces.begin(), m_faces.end(),
                                          [this](const PixelBox& b) { return b.score >= m_threshold; }));
}

std::vector<PixelBox> DetectionView::visibleBoxes() const
{
    std::vector<PixelBox> boxes;
    for (auto it = m_faces.rbegin(); it != m_faces.rend(); ++it)
        if (it->score >= m_threshold)
            boxes.push_back(*it);
    return boxes;
}

int DetectionView::drawnBoxCount() const
{
    return std::min(visibleBoxCount(), m_maxDrawn);
}

QColor DetectionView::boxColour()
{
    return QColor(0x39, 0xff, 0x14);
}

QSize DetectionView::sizeHint() const
{
    return {640, 480};
}

QSize DetectionView::minimumSizeHint() const
{
    return {160, 120};
}

QFont DetectionView::bannerFont() const
{
    QFont bold = font();
    bold.setBold(true);
    return bold;
}

QRect DetectionView::bannerRect() const
{
    if (m_banner.isEmpty())
        return {};
    const QFontMetrics fm(bannerFont());
    const QRect text = fm.boundingRect(QRect(0, 0, width() - 4 * kMargin, 10000), Qt::TextWordWrap, m_banner);
    return {0, 0, width(), text.height() + 2 * kMargin};
}

QRectF DetectionView::pictureRect() const
{
    if (m_picture.isNull())
        return {};
    const QRect banner = bannerRect();
    const QRectF area = QRectF(rect().adjusted(kMargin, banner.height() + kMargin, -kMargin, -kMargin));
    if (area.width() <= 0 || area.height() <= 0)
        return {};
    QSizeF size = QSizeF(m_picture.size());
    size.scale(area.size(), Qt::KeepAspectRatio);
    // Whole logical pixels, so the cached pixmap maps 1:1 onto device pixels.
    const QSizeF whole(std::floor(size.width()), std::floor(size.height()));
    const QPointF topLeft(std::round(area.x() + (area.width() - whole.width()) / 2),
                          std::round(area.y() + (area.height() - whole.height()) / 2));
    return {topLeft, whole};
}

QPointF DetectionView::mapFromPicture(QPointF picturePoint) const
{
    const QRectF target = pictureRect();
    if (target.isEmpty())
        return {};
    const qreal scale = target.width() / m_picture.width();
    return target.topLeft() + picturePoint * scale;
}

void DetectionView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    const QRectF target = pictureRect();
    if (target.isEmpty()) {
        painter.setPen(palette().color(QPalette::BrightText));
        const QRect area = rect().adjusted(kMargin, bannerRect().height() + kMargin, -kMargin, -kMargin);
        painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
    } else {
        drawPicture(painter, target);
        // Boxes may reach past the picture (the network's guesses are not clamped); keep them on it.
        painter.save();
        painter.setClipRect(target);
        drawBoxes(painter);
        drawPatchGrid(painter, target);
        painter.restore();
        if (drawnBoxCount() < visibleBoxCount())
            drawNote(painter, target,
                     tr("Showing the %1 strongest of %2 boxes").arg(drawnBoxCount()).arg(visibleBoxCount()));
    }
    drawBanner(painter);
}

void DetectionView::drawPicture(QPainter& painter, const QRectF& target)
{
    const qreal dpr = devicePixelRatioF();
    const QSize device = (target.size() * dpr).toSize();
    if (m_scaled.isNull() || m_scaled.size() != device) {
        m_scaled = QPixmap::fromImage(m_picture.scaled(device, Qt::IgnoreAspectRatio, Qt::SmoothTransformation));
        m_scaled.setDevicePixelRatio(dpr);
    }
    painter.drawPixmap(target.topLeft(), m_scaled);
}

void DetectionView::drawBoxes(QPainter& painter) const
{
    const QFontMetrics fm(font());
    const QRectF target = pictureRect();
    const int visible = visibleBoxCount();
    const int skipped = visible - drawnBoxCount();
    // Labels go on after every box, so no box hides a score.
    std::vector<std::pair<QRectF, QString>> labels;
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setBrush(Qt::NoBrush);
    drawTruth(painter);
    int index = 0; // among the visible boxes, weakest first
    for (size_t i = 0; i < m_faces.size(); ++i) {
        const PixelBox& face = m_faces[i];
        if (face.score < m_threshold || index++ < skipped)
            continue;
        const QRectF box(mapFromPicture({face.x1, face.y1}), mapFromPicture({face.x2, face.y2}));
        const DetectionKind kind = kindOf(i);
        const QColor colour = kind == DetectionKind::Hit          ? hitColour()
                              : kind == DetectionKind::FalseAlarm ? falseAlarmColour()
                              : kind == DetectionKind::Ignored    ? QColor(200, 200, 200)
                                                                  : boxColour();
        // A dark halo keeps the box visible on light and green backgrounds alike.
        painter.setPen(QPen(QColor(0, 0, 0, 160), kBoxPen + 2.0));
        painter.drawRect(box);
        painter.setPen(QPen(colour, kBoxPen));
        painter.drawRect(box);

        // m_faces rises in score, so the labelled ones are the last kMaxLabels.
        if (visible - index >= kMaxLabels)
            continue;
        QString label = QLocale().toString(static_cast<double>(face.score), 'f', 2);
        const QSize textSize = fm.size(Qt::TextSingleLine, label) + QSize(6, 2);
        QPointF at = box.topLeft() - QPointF(kBoxPen / 2, textSize.height() + kBoxPen / 2);
        if (at.y() < target.top())
            at.setY(box.top() + kBoxPen); // no room above: put it inside the box
        // Keep the whole label on the picture, even for boxes that reach past it.
        at.setX(std::clamp(at.x(), target.left(), std::max(target.left(), target.right() - textSize.width())));
        at.setY(std::clamp(at.y(), target.top(), std::max(target.top(), target.bottom() - textSize.height())));
        labels.emplace_back(QRectF(at, QSizeF(textSize)), std::move(label));
    }
    painter.setPen(Qt::black);
    for (const auto& [rect, text] : labels) {
        painter.fillRect(rect, boxColour());
        painter.drawText(rect, Qt::AlignCenter, text);
    }
}

void DetectionView::drawNote(QPainter& painter, const QRectF& target, const QString& note) const
{
    const QFontMetrics fm(font());
    const QSizeF size = QSizeF(fm.size(Qt::TextSingleLine, note)) + QSizeF(12, 6);
    const QRectF box(target.left(), target.bottom() - size.height(), size.width(), size.height());
    painter.fillRect(box, QColor(0, 0, 0, 190));
    painter.setPen(Qt::white);
    painter.drawText(box, Qt::AlignCenter, note);
}

void DetectionView::drawBanner(QPainter& painter) const
{
    const QRect banner = bannerRect();
    if (banner.isEmpty())
        return;
    painter.fillRect(banner, QColor(0xb7, 0x1c, 0x1c));
    painter.setFont(bannerFont());
    painter.setPen(Qt::white);
    painter.drawText(banner.adjusted(2 * kMargin, kMargin, -2 * kMargin, -kMargin), Qt::AlignCenter | Qt::TextWordWrap,
                     m_banner);
    painter.setFont(font());
}

} // namespace rnnpool::widgets
