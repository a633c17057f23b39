// ActivationView: the selected layer's output as a grid of channel heatmaps
// with its controls (colormap, per-channel or shared scaling, zoom, channel
// filter), a histogram of all its values and a readout of the value under
// the pointer. Export is the app's business; it reads activation() and
// gridImage().
//
//   ActivationView view;
//   view.setActivation(QStringLiteral("conv1"), run.outputs[layer]);
//   view.setActivation(name, int8MapDequantised, {{scale, zeroPoint}});  // the readout adds the int8 value
#pragma once

#include <QWidget>

#include <vector>

#include "quant/quant_math.h"
#include "tensor/tensor.h"
#include "widgets/activation_grid.h"

class QComboBox;
class QCustomPlot;
class QCPBars;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace rnnpool::widgets {

class ActivationView final : public QWidget {
    Q_OBJECT

public:
    explicit ActivationView(QWidget* parent = nullptr);

    // `activation` is [C, H, W]; other ranks are shown as a message. With
    // `int8`, an int8 map dequantised (one scale and zero point for every
    // channel, or one per channel): the readout also gives the integer.
    void setActivation(const QString& layer, const Tensor& activation, std::vector<ActivationQuant> int8 = {});
    void clear(const QString& message);

    void setColormap(Colormap map);
    void setScaling(Scaling scaling);
    void setZoom(int pixelsPerValue);
    // Returns false (and marks the field) when the text is not a valid filter.
    bool setChannelFilter(const QString& text);

    QString layer() const { return m_layer; }
    const Tensor& activation() const { return m_grid->activation(); }
    ActivationGrid* grid() const { return m_grid; }
    QImage gridImage() const { return m_grid->renderImage(); }
    QString readout() const;
    // Histogram bins of the last activation (for tests and export).
    const std::vector<double>& histogramCounts() const { return m_counts; }
    double histogramLow() const { return m_low; }
    double histogramBinWidth() const { return m_binWidth; }

    static constexpr int kHistogramBins = 64;
    // The readout for a value under the pointer (hovering the grid shows it).
    void showProbe(int channel, int x, int y, float value);

signals:
    // A user action the app should remember (QSettings).
    void optionsChanged();

private:
    void updateHistogram();

    QString m_layer;
    std::vector<ActivationQuant> m_int8;
    ActivationGrid* m_grid;
    QComboBox* m_colormap;
    QComboBox* m_scaling;
    QSpinBox* m_zoom;
    QLineEdit* m_filter;
    QLabel* m_title;
    QLabel* m_readout;
    QCustomPlot* m_histogram;
    QCPBars* m_bars = nullptr;
    std::vector<double> m_counts;
    double m_low = 0.0;
    double m_binWidth = 0.0;
};

} // namespace rnnpool::widgets
