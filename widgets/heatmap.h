// Heatmaps: float arrays drawn as pictures through a colormap, for the
// activation grid and the RNNPool trace view. The colormaps are perceptually
// ordered (dark = low) except Diverging, which is white at zero and meant for
// signed values such as hidden states in [-1, 1].
//
//   ValueRange range = valueRange(data, n);                  // min and max
//   QImage img = heatmapImage(data, width, height, range, Colormap::Viridis);
#pragma once

#include <cstdint>

#include <QColor>
#include <QImage>
#include <QString>
#include <QStringList>

namespace rnnpool::widgets {

enum class Colormap { Viridis, Magma, Grey, Diverging };

struct ValueRange {
    float low = 0.0f;
    float high = 0.0f;
};

QStringList colormapNames();               // in enum order
QString colormapName(Colormap map);
Colormap colormapFromName(const QString& name, Colormap fallback = Colormap::Viridis);

// t in [0, 1] (clamped).
QColor colormapColour(Colormap map, double t);
// Where `value` falls in `range`, in [0, 1]. Diverging maps are centred on
// zero: t = 0.5 + value / (2 max(|low|, |high|)).
double colormapPosition(Colormap map, float value, ValueRange range);

// min and max of `count` values (0..0 when there are none); NaNs are skipped.
ValueRange valueRange(const float* data, int64_t count);

// One pixel per value, row-major `height` rows of `width`; `rowStride` values
// between rows (default: width).
QImage heatmapImage(const float* data, int width, int height, ValueRange range, Colormap map, int64_t rowStride = 0);

// A horizontal strip of the colormap, for legends.
QImage colormapStrip(Colormap map, int width, int height);

} // namespace rnnpool::widgets
