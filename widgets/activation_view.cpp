#include "widgets/activation_view.h"

#include <algorithm>
#include <cmath>

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

#undef QT_NO_FOREACH
#include <qcustomplot.h>

namespace rnnpool::widgets {

namespace {
QString number(double v)
{
    return QLocale().toString(v, 'g', 4);
}
} // namespace

ActivationView::ActivationView(QWidget* parent)
    : QWidget(parent)
    , m_grid(new ActivationGrid)
    , m_colormap(new QComboBox)
    , m_scaling(new QComboBox)
    , m_zoom(new QSpinBox)
    , m_filter(new QLineEdit)
    , m_title(new QLabel)
    , m_readout(new QLabel)
    , m_histogram(new QCustomPlot)
{
    m_colormap->addItems(colormapNames());
    m_colormap->setToolTip(tr("Colormap; Diverging is white at zero"));
    m_scaling->addItem(tr("Per channel"));
    m_scaling->addItem(tr("Shared"));
    m_scaling->setToolTip(tr("Per channel: each tile spans its own min..max. Shared: one range for the layer"));
    m_zoom->setRange(1, 32);
    m_zoom->setValue(m_grid->zoom());
    m_zoom->setSuffix(tr("×"));
    m_zoom->setToolTip(tr("Screen pixels per activation value"));
    m_filter->setPlaceholderText(tr("all channels, or e.g. 0-7, 12"));
    m_filter->setClearButtonEnabled(true);
    m_title->setTextFormat(Qt::PlainText);
    m_title->setMinimumWidth(1);
    m_readout->setTextFormat(Qt::PlainText);
    m_readout->setMinimumWidth(1); // cut when narrow; it must not set the window's width

    auto* controls = new QHBoxLayout;
    auto addControl = [&](const QString& text, QWidget* w) {
        auto* label = new QLabel(text);
        label->setBuddy(w);
        controls->addWidget(label);
        controls->addWidget(w);
    };
    addControl(tr("&Colormap"), m_colormap);
    addControl(tr("&Scaling"), m_scaling);
    addControl(tr("&Zoom"), m_zoom);
    addControl(tr("C&hannels"), m_filter);
    controls->addStretch(1);

    auto* scroll = new QScrollArea;
    scroll->setWidget(m_grid);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    m_histogram->setMinimumHeight(140);
    m_histogram->xAxis->setLabel(tr("value"));
    m_histogram->yAxis->setLabel(tr("count"));
    m_bars = new QCPBars(m_histogram->xAxis, m_histogram->yAxis);
    m_bars->setPen(Qt::NoPen);
    m_bars->setBrush(QColor(33, 145, 140));
    m_bars->setWidthType(QCPBars::wtPlotCoords);

    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(scroll);
    splitter->addWidget(m_histogram);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);

    auto* top = new QHBoxLayout;
    top->addWidget(m_title, 1);
    top->addWidget(m_readout);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(controls);
    layout->addWidget(splitter, 1);

    connect(m_colormap, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_grid->setColormap(static_cast<Colormap>(i));
        emit optionsChanged();
    });
    connect(m_scaling, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_grid->setScaling(i == 0 ? Scaling::PerChannel : Scaling::Shared);
        emit optionsChanged();
    });
    connect(m_zoom, &QSpinBox::valueChanged, this, [this](int z) {
        m_grid->setZoom(z);
        emit optionsChanged();
    });
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString& text) { setChannelFilter(text); });
    connect(m_grid, &ActivationGrid::hovered, this, &ActivationView::showProbe);
    connect(m_grid, &ActivationGrid::left, m_readout, &QLabel::clear);
    clear(tr("No layer selected."));
}

void ActivationView::setActivation(const QString& layer, const Tensor& activation, std::vector<ActivationQuant> int8)
{
    m_layer = layer;
    m_int8 = std::move(int8);
    if (activation.rank() != 3) {
        clear(tr("%1: its output has shape %2, not channels × height × width")
                  .arg(layer, QString::fromStdString(shapeToString(activation.shape()))));
        return;
    }
    m_grid->setActivation(activation);
    setChannelFilter(m_filter->text());
    const ValueRange r = valueRange(activation.data(), activation.numel());
    m_title->setText(tr("%1 · %2 channels of %3×%4 · values %5 … %6")
                         .arg(layer)
                         .arg(activation.dim(0))
                         .arg(activation.dim(2))
                         .arg(activation.dim(1))
                         .arg(number(r.low), number(r.high)));
    updateHistogram();
}

void ActivationView::clear(const QString& message)
{
    m_grid->setActivation(Tensor());
    m_title->setText(message);
    m_readout->clear();
    m_counts.clear();
    updateHistogram();
}

void ActivationView::setColormap(Colormap map)
{
    m_colormap->setCurrentIndex(static_cast<int>(map));
}

void ActivationView::setScaling(Scaling scaling)
{
    m_scaling->setCurrentIndex(scaling == Scaling::PerChannel ? 0 : 1);
}

void ActivationView::setZoom(int pixelsPerValue)
{
    m_zoom->setValue(pixelsPerValue);
}

bool ActivationView::setChannelFilter(const QString& text)
{
    if (m_filter->text() != text)
        m_filter->setText(text); // comes back here through textChanged
    const int channels = m_grid->activation().empty() ? 0 : static_cast<int>(m_grid->activation().dim(0));
    const auto parsed = parseChannelFilter(text, channels);
    const bool valid = parsed.has_value() || channels == 0;
    m_filter->setStyleSheet(valid ? QString() : QStringLiteral("QLineEdit { color: #c0392b; }"));
    m_filter->setToolTip(valid ? tr("Channels to show, e.g. 0-7, 12")
                               : tr("Not a channel list for this layer's %1 channels (0 to %2)").arg(channels).arg(channels - 1));
    if (parsed)
        m_grid->setChannels(text.trimmed().isEmpty() ? std::vector<int>{} : *parsed);
    return valid;
}

QString ActivationView::readout() const
{
    return m_readout->text();
}

void ActivationView::showProbe(int channel, int x, int y, float value)
{
    QString text = tr("channel %1 · x %2 · y %3 · value %4").arg(channel).arg(x).arg(y).arg(number(value));
    if (!m_int8.empty()) {
        const ActivationQuant& q = m_int8[m_int8.size() == 1 ? 0 : static_cast<size_t>(channel) % m_int8.size()];
        text += tr(" · int8 %1 (scale %2, zero point %3)").arg(static_cast<int>(q.quantize(value))).arg(number(q.scale)).arg(q.zeroPoint);
    }
    m_readout->setText(text);
}

void ActivationView::updateHistogram()
{
    const Tensor& a = m_grid->activation();
    m_counts.assign(a.empty() ? 0 : kHistogramBins, 0.0);
    QVector<double> keys, values;
    if (!a.empty()) {
        const ValueRange r = valueRange(a.data(), a.numel());
        m_low = r.low;
        m_binWidth = r.high > r.low ? (static_cast<double>(r.high) - r.low) / kHistogramBins : 1.0;
        for (int64_t i = 0; i < a.numel(); ++i) {
            const float v = a.data()[i];
            if (!std::isfinite(v))
                continue;
            const int bin = std::clamp(static_cast<int>((v - m_low) / m_binWidth), 0, kHistogramBins - 1);
            m_counts[static_cast<size_t>(bin)] += 1.0;
        }
        for (int b = 0; b < kHistogramBins; ++b) {
            keys << m_low + (b + 0.5) * m_binWidth;
            values << m_counts[static_cast<size_t>(b)];
        }
        m_bars->setWidth(m_binWidth * 0.9);
    }
    m_bars->setData(keys, values, true);
    m_histogram->rescaleAxes();
    // Counts start at 0 (rescaling an empty histogram would give -2 … 2).
    const double highest = values.isEmpty() ? 0.0 : *std::max_element(values.cbegin(), values.cend());
    m_histogram->yAxis->setRange(0.0, highest > 0.0 ? highest * 1.05 : 1.0);
    const QColor text = palette().color(QPalette::WindowText);
    m_histogram->setBackground(palette().color(QPalette::Base));
    for (QCPAxis* axis : {m_histogram->xAxis, m_histogram->yAxis}) {
        axis->setBasePen(QPen(text));
        axis->setTickPen(QPen(text));
        axis->setSubTickPen(QPen(text));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
    }
    m_histogram->replot();
}

} // namespace rnnpool::widgets
