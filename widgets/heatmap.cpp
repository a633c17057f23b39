#include "widgets/heatmap.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace rnnpool::widgets {

namespace {

struct Stop {
    double t;
    int r, g, b;
};

// Control points sampled along each map; colours between them are interpolated in RGB.
constexpr std::array kViridis{Stop{0.00, 68, 1, 84},     Stop{0.13, 71, 44, 122},  Stop{0.25, 59, 82, 139},
                              Stop{0.38, 44, 113, 142},  Stop{0.50, 33, 145, 140}, Stop{0.63, 39, 173, 129},
                              Stop{0.75, 92, 200, 99},   Stop{0.88, 170, 220, 50}, Stop{1.00, 253, 231, 37}};
constexpr std::array kMagma{Stop{0.00, 0, 0, 4},        Stop{0.13, 28, 16, 68},    Stop{0.25, 79, 18, 123},
                            Stop{0.38, 129, 37, 129},   Stop{0.50, 181, 54, 122},  Stop{0.63, 229, 80, 100},
                            Stop{0.75, 251, 135, 97},   Stop{0.88, 254, 194, 135}, Stop{1.00, 252, 253, 191}};
constexpr std::array kGrey{Stop{0.0, 0, 0, 0}, Stop{1.0, 255, 255, 255}};
constexpr std::array kDiverging{Stop{0.00, 5, 48, 97},    Stop{0.25, 67, 147, 195}, Stop{0.45, 209, 229, 240},
                                Stop{0.50, 247, 247, 247}, Stop{0.55, 253, 219, 199}, Stop{0.75, 214, 96, 77},
                                Stop{1.00, 103, 0, 31}};

template <size_t N>
QColor interpolate(const std::array<Stop, N>& stops, double t)
{
    t = std::clamp(t, 0.0, 1.0);
    size_t i = 1;
    while (i + 1 < N && stops[i].t < t)
        ++i;
    const Stop& a = stops[i - 1];
    const Stop& b = stops[i];
    const double f = b.t > a.t ? (t - a.t) / (b.t - a.t) : 0.0;
    auto mix = [f](int x, int y) { return static_cast<int>(std::lround(x + (y - x) * f)); };
    return QColor(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b));
}

// 256-entry tables, so a large grid costs a lookup per value.
std::array<QRgb, 256> makeTable(Colormap map)
{
    std::array<QRgb, 256> table{};
    for (int i = 0; i < 256; ++i)
        table[static_cast<size_t>(i)] = colormapColour(map, i / 255.0).rgb();
    return table;
}

const std::array<QRgb, 256>& table(Colormap map)
{
    static const std::array<std::array<QRgb, 256>, 4> tables{makeTable(Colormap::Viridis), makeTable(Colormap::Magma),
                                                             makeTable(Colormap::Grey), makeTable(Colormap::Diverging)};
    return tables[static_cast<size_t>(map)];
}

} // namespace

QStringList colormapNames()
{
    return {QStringLiteral("Viridis"), QStringLiteral("Magma"), QStringLiteral("Grey"), QStringLiteral("Diverging")};
}

QString colormapName(Colormap map)
{
    return colormapNames().at(static_cast<int>(map));
}

Colormap colormapFromName(const QString& name, Colormap fallback)
{
    const int i = colormapNames().indexOf(name);
    return i < 0 ? fallback : static_cast<Colormap>(i);
}

QColor colormapColour(Colormap map, double t)
{
    switch (map) {
    case Colormap::Viridis:
        return interpolate(kViridis, t);
    case Colormap::Magma:
        return interpolate(kMagma, t);
    case Colormap::Grey:
        return interpolate(kGrey, t);
    case Colormap::Diverging:
        return interpolate(kDiverging, t);
    }
    return {};
}

double colormapPosition(Colormap map, float value, ValueRange range)
{
    if (!std::isfinite(value))
        return 0.0;
    if (map == Colormap::Diverging) {
        const double extent = std::max(std::abs(range.low), std::abs(range.high));
        return extent > 0.0 ? std::clamp(0.5 + value / (2.0 * extent), 0.0, 1.0) : 0.5;
    }
    const double span = static_cast<double>(range.high) - range.low;
    return span > 0.0 ? std::clamp((value - range.low) / span, 0.0, 1.0) : 0.5;
}

ValueRange valueRange(const float* data, int64_t count)
{
    ValueRange r{0.0f, 0.0f};
    bool first = true;
    for (int64_t i = 0; i < count; ++i) {
        const float v = data[i];
        if (!std::isfinite(v))
            continue;
        if (first) {
            r = {v, v};
            first = false;
        }
        r.low = std::min(r.low, v);
        r.high = std::max(r.high, v);
    }
    return r;
}

QImage heatmapImage(const float* data, int width, int height, ValueRange range, Colormap map, int64_t rowStride)
{
    if (width <= 0 || height <= 0)
        return {};
    if (rowStride <= 0)
        rowStride = width;
    QImage image(width, height, QImage::Format_RGB32);
    const auto& colours = table(map);
    for (int y = 0; y < height; ++y) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
        const float* row = data + y * rowStride;
        for (int x = 0; x < width; ++x)
            line[x] = colours[static_cast<size_t>(std::lround(colormapPosition(map, row[x], range) * 255.0))];
    }
    return image;
}

QImage colormapStrip(Colormap map, int width, int height)
{
    QImage image(std::max(width, 1), std::max(height, 1), QImage::Format_RGB32);
    for (int x = 0; x < image.width(); ++x) {
        const QRgb c = colormapColour(map, image.width() > 1 ? x / double(image.width() - 1) : 0.5).rgb();
        for (int y = 0; y < image.height(); ++y)
            image.setPixel(x, y, c);
    }
    return image;
}

} // namespace rnnpool::widgets
