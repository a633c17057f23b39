// ActivationGrid: the channels of one CHW activation as a grid of heatmap
// tiles, each labelled with its channel number. Scaling is per channel (each
// tile uses its own min..max) or shared (one range for the whole layer).
// Hovering reports the channel, x, y and value under the pointer.
//
//   ActivationGrid grid;
//   grid.setActivation(tensor);                  // [C, H, W]
//   grid.setChannels({0, 1, 2, 7});              // the filter; empty = all
//   grid.setZoom(4);                             // screen pixels per value
//   connect(&grid, &ActivationGrid::hovered, ...);
#pragma once

#include <optional>
#include <vector>

#include <QImage>
#include <QWidget>

#include "tensor/tensor.h"
#include "widgets/heatmap.h"

namespace rnnpool::widgets {

enum class Scaling { PerChannel, Shared };

// Parses a channel filter such as "0-7, 12, 30-31" against `channels`
// channels. Empty text means every channel. nullopt when malformed or out of range.
std::optional<std::vector<int>> parseChannelFilter(const QString& text, int channels);

class ActivationGrid final : public QWidget {
    Q_OBJECT

public:
    explicit ActivationGrid(QWidget* parent = nullptr);

    // A rank-3 tensor [C, H, W]; anything else clears the grid.
    void setActivation(const Tensor& activation);
    void setChannels(std::vector<int> channels);
    void setColormap(Colormap map);
    void setScaling(Scaling scaling);
    void setZoom(int pixelsPerValue);

    const Tensor& activation() const { return m_activation; }
    const std::vector<int>& shownChannels() const { return m_shown; }
    int zoom() const { return m_zoom; }
    Colormap colormap() const { return m_map; }
    Scaling scaling() const { return m_scaling; }
    // The range a channel's tile is drawn with.
    ValueRange tileRange(int channel) const;
    // The value under a widget point: channel, x, y; nullopt between tiles.
    struct Probe {
        int channel = 0, x = 0, y = 0;
        float value = 0.0f;
    };
    std::optional<Probe> probe(QPoint point) const;
    // Where channel tile number `tile` (in shownChannels order) is drawn.
    QRect tileRect(int tile) const;
    // The grid as a picture (what export writes).
    QImage renderImage() const;

    QSize sizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

signals:
    void hovered(int channel, int x, int y, float value);
    void left();

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void rebuildTiles();
    QSize tileSize() const;
    void paintGrid(QPainter& painter, int width) const;
    int columnsFor(int width) const;
    QRect tileRectFor(int tile, int width) const;

    Tensor m_activation;
    std::vector<int> m_filter;      // requested; empty = all
    std::vector<int> m_shown;
    std::vector<QImage> m_tiles;    // one per shown channel, one pixel per value
    ValueRange m_shared;
    Colormap m_map = Colormap::Viridis;
    Scaling m_scaling = Scaling::PerChannel;
    int m_zoom = 2;
};

} // namespace rnnpool::widgets
