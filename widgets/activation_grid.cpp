#include "widgets/activation_grid.h"

#include <algorithm>

#include <QMouseEvent>
#include <QPainter>
#include <QRegularExpression>

namespace rnnpool::widgets {

namespace {
constexpr int kGap = 6;        // between tiles
constexpr int kLabelHeight = 14;
constexpr int kMargin = 6;
} // namespace

std::optional<std::vector<int>> parseChannelFilter(const QString& text, int channels)
{
    std::vector<int> out;
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        for (int c = 0; c < channels; ++c)
            out.push_back(c);
        return out;
    }
    static const QRegularExpression item(QStringLiteral(R"(^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$)"));
    for (const QString& part : trimmed.split(u',', Qt::SkipEmptyParts)) {
        const auto m = item.match(part);
        if (!m.hasMatch())
            return std::nullopt;
        bool ok1 = true, ok2 = true;
        const int first = m.captured(1).toInt(&ok1);
        const int last = m.captured(2).isEmpty() ? first : m.captured(2).toInt(&ok2);
        if (!ok1 || !ok2 || first > last || last >= channels)
            return std::nullopt;
        for (int c = first; c <= last; ++c)
            out.push_back(c);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

ActivationGrid::ActivationGrid(QWidget* parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    QSizePolicy policy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
}

void ActivationGrid::setActivation(const Tensor& activation)
{
    m_activation = activation.rank() == 3 ? activation : Tensor();
    rebuildTiles();
}

void ActivationGrid::setChannels(std::vector<int> channels)
{
    m_filter = std::move(channels);
    rebuildTiles();
}

void ActivationGrid::setColormap(Colormap map)
{
    m_map = map;
    rebuildTiles();
}

void ActivationGrid::setScaling(Scaling scaling)
{
    m_scaling = scaling;
    rebuildTiles();
}

void ActivationGrid::setZoom(int pixelsPerValue)
{
    m_zoom = std::clamp(pixelsPerValue, 1, 32);
    updateGeometry();
    update();
}

ValueRange ActivationGrid::tileRange(int channel) const
{
    if (m_activation.empty() || channel < 0 || channel >= m_activation.dim(0))
        return {};
    if (m_scaling == Scaling::Shared)
        return m_shared;
    const int64_t plane = m_activation.dim(1) * m_activation.dim(2);
    return valueRange(m_activation.data() + channel * plane, plane);
}

void ActivationGrid::rebuildTiles()
{
    m_tiles.clear();
    m_shown.clear();
    if (!m_activation.empty()) {
        const int channels = static_cast<int>(m_activation.dim(0));
        for (int c : m_filter)
            if (c >= 0 && c < channels)
                m_shown.push_back(c);
        if (m_filter.empty())
            for (int c = 0; c < channels; ++c)
                m_shown.push_back(c);
        m_shared = valueRange(m_activation.data(), m_activation.numel());
        const int h = static_cast<int>(m_activation.dim(1)), w = static_cast<int>(m_activation.dim(2));
        for (int c : m_shown)
            m_tiles.push_back(heatmapImage(m_activation.data() + int64_t(c) * h * w, w, h, tileRange(c), m_map));
    }
    updateGeometry();
    update();
}

QSize ActivationGrid::tileSize() const
{
    if (m_activation.empty())
        return {};
    return {static_cast<int>(m_activation.dim(2)) * m_zoom, static_cast<int>(m_activation.dim(1)) * m_zoom};
}

int ActivationGrid::columnsFor(int width) const
{
    const QSize tile = tileSize();
    if (tile.isEmpty())
        return 1;
    return std::max(1, (width - 2 * kMargin + kGap) / (tile.width() + kGap));
}

QRect ActivationGrid::tileRectFor(int tile, int width) const
{
    const QSize size = tileSize();
    const int cols = columnsFor(width);
    const int row = tile / cols, col = tile % cols;
    return {kMargin + col * (size.width() + kGap), kMargin + row * (size.height() + kGap + kLabelHeight) + kLabelHeight,
            size.width(), size.height()};
}

QRect ActivationGrid::tileRect(int tile) const
{
    return tileRectFor(tile, width());
}

int ActivationGrid::heightForWidth(int width) const
{
    if (m_tiles.empty())
        return 300;
    const int cols = columnsFor(width);
    const int rows = (static_cast<int>(m_tiles.size()) + cols - 1) / cols;
    return 2 * kMargin + rows * (tileSize().height() + kGap + kLabelHeight);
}

QSize ActivationGrid::sizeHint() const
{
    const int w = std::max(width(), 2 * kMargin + tileSize().width());
    return {w, heightForWidth(w)};
}

std::optional<ActivationGrid::Probe> ActivationGrid::probe(QPoint point) const
{
    for (size_t i = 0; i < m_tiles.size(); ++i) {
        const QRect r = tileRect(static_cast<int>(i));
        if (!r.contains(point))
            continue;
        Probe p;
        p.channel = m_shown[i];
        p.x = std::min((point.x() - r.left()) / m_zoom, static_cast<int>(m_activation.dim(2)) - 1);
        p.y = std::min((point.y() - r.top()) / m_zoom, static_cast<int>(m_activation.dim(1)) - 1);
        p.value = m_activation.at(p.channel, p.y, p.x);
        return p;
    }
    return std::nullopt;
}

void ActivationGrid::paintGrid(QPainter& painter, int width) const
{
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.8);
    painter.setFont(small);
    for (size_t i = 0; i < m_tiles.size(); ++i) {
        const QRect r = tileRectFor(static_cast<int>(i), width);
        painter.drawImage(r, m_tiles[i]);
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(QRect(r.left(), r.top() - kLabelHeight, r.width(), kLabelHeight), Qt::AlignLeft | Qt::AlignVCenter,
                         QStringLiteral("#%1").arg(m_shown[i]));
    }
}

void ActivationGrid::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Base));
    if (m_tiles.empty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                         tr("Select a layer in the layer table to see its channels."));
        return;
    }
    // Values stay crisp squares when zoomed.
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    paintGrid(painter, width());
}

QImage ActivationGrid::renderImage() const
{
    const QSize hint = sizeHint();
    QImage image(std::max(hint.width(), 1), std::max(hint.height(), 1), QImage::Format_RGB32);
    image.fill(palette().color(QPalette::Base));
    QPainter painter(&image);
    paintGrid(painter, hint.width());
    return image;
}

void ActivationGrid::mouseMoveEvent(QMouseEvent* event)
{
    if (const auto p = probe(event->position().toPoint()))
        emit hovered(p->channel, p->x, p->y, p->value);
    else
        emit left();
}

void ActivationGrid::leaveEvent(QEvent*)
{
    emit left();
}

void ActivationGrid::resizeEvent(QResizeEvent*)
{
    // The number of columns follows the width, and the height the rows.
    updateGeometry();
}

} // namespace rnnpool::widgets
