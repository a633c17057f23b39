#include "widgets/emulator_charts.h"

#include <algorithm>
#include <tuple>

#include <QLocale>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "widgets/chart_style.h"

namespace rnnpool::widgets {

namespace {

void addPlotTo(QWidget* owner, QCustomPlot* plot, int minimumHeight)
{
    auto* layout = new QVBoxLayout(owner);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot);
    plot->setMinimumHeight(minimumHeight);
    // The legend in a row of its own under the axes, so that it covers no bar.
    plot->legend->setVisible(true);
    plot->axisRect()->insetLayout()->take(plot->legend);
    plot->plotLayout()->addElement(1, 0, plot->legend);
    plot->legend->setWrap(2);
    plot->plotLayout()->setRowStretchFactor(1, 0.001);
    plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot->legend->setLayer(QStringLiteral("legend"));
}

QCPBars* horizontalBars(QCustomPlot* plot, const QString& name, const QColor& colour)
{
    auto* bars = new QCPBars(plot->yAxis, plot->xAxis);
    bars->setName(name);
    bars->setBrush(colour);
    bars->setPen(QPen(colour.darker(140)));
    return bars;
}

QString bytesText(uint64_t bytes)
{
    return QObject::tr("%1 B").arg(QLocale::system().toString(static_cast<qulonglong>(bytes)));
}

} // namespace

// ---- per-layer instructions ----------------------------------------------

EmulatorLayerChart::EmulatorLayerChart(QWidget* parent)
    : ChartWidget(parent)
{
    setObjectName(QStringLiteral("emulatorLayerChart"));
    // Room for every bar pair's name on the axis, the axis label and the legend's row.
    const int line = fontMetrics().height();
    addPlotTo(this, m_plot, static_cast<int>(kLargestLayers) * (line + 8) + 5 * line);
    redraw();
}

void EmulatorLayerChart::setRun(const EmulatorRun& run)
{
    m_run = run;
    redraw();
}

void EmulatorLayerChart::paletteChanged()
{
    redraw();
}

void EmulatorLayerChart::redraw()
{
    m_plot->clearPlottables();
    m_measured.clear();
    m_predicted.clear();
    const auto& layers = m_run.layers;
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    auto* group = new QCPBarsGroup(m_plot);
    QCPBars* measured = horizontalBars(m_plot, tr("measured"), seriesColor(0));
    QCPBars* predicted = horizontalBars(m_plot, tr("predicted (rnnpool-int8 profile)"), seriesColor(2));
    // The layers that take the most instructions, largest on top (the table lists all).
    std::vector<size_t> order(layers.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return layers[a].instructions > layers[b].instructions; });
    order.resize(std::min<size_t>(order.size(), kLargestLayers));
    double largest = 0.0;
    const int n = static_cast<int>(order.size());
    for (int i = 0; i < n; ++i) {
        const EmulatorRun::Layer& layer = layers[order[static_cast<size_t>(i)]];
        const double key = n - 1 - i; // the largest on top
        const double m = static_cast<double>(layer.instructions) / 1e6, p = layer.predicted / 1e6;
        m_measured.push_back(m);
        m_predicted.push_back(p);
        measured->addData(key, m);
        if (p > 0.0)
            predicted->addData(key, p);
        ticker->addTick(key, layer.name);
        largest = std::max({largest, m, p});
    }
    for (QCPBars* bars : {measured, predicted}) {
        bars->setWidth(0.4);
        bars->setBarsGroup(group);
    }
    m_plot->yAxis->setTicker(ticker);
    m_plot->yAxis->setRange(-0.6, std::max(0, n - 1) + 0.6);
    m_plot->xAxis->setRange(0.0, largest > 0.0 ? largest * 1.1 : 1.0);
    m_plot->xAxis->setLabel(tr("million instructions (QEMU, not cycles)"));
    m_plot->replot();
}

// ---- memory per region ---------------------------------------------------

EmulatorMemoryChart::EmulatorMemoryChart(QWidget* parent)
    : ChartWidget(parent)
{
    setObjectName(QStringLiteral("emulatorMemoryChart"));
    addPlotTo(this, m_plot, 160);
    redraw();
}

void EmulatorMemoryChart::setRun(const EmulatorRun& run)
{
    m_run = run;
    redraw();
}

void EmulatorMemoryChart::paletteChanged()
{
    redraw();
}

void EmulatorMemoryChart::redraw()
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_bars.clear();
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    auto* group = new QCPBarsGroup(m_plot);
    QCPBars* planned = horizontalBars(m_plot, tr("planned (before compiling)"), seriesColor(1));
    QCPBars* measured = horizontalBars(m_plot, tr("measured (ELF sections; CCM: + stack high-water)"),
                                       seriesColor(0));
    double largest = 100.0;
    const int n = static_cast<int>(m_run.memory.size());
    for (int i = 0; i < n; ++i) {
        const EmulatorRun::Region& r = m_run.memory[static_cast<size_t>(i)];
        const double key = n - 1 - i;
        const double size = static_cast<double>(std::max<uint64_t>(r.capacity, 1));
        const double pp = 100.0 * static_cast<double>(r.planned) / size;
        const double pm = 100.0 * static_cast<double>(r.measured) / size;
        m_bars.push_back({tr("%1 planned").arg(r.name), pp, r.planned});
        m_bars.push_back({tr("%1 measured").arg(r.name), pm, r.measured});
        planned->addData(key, pp);
        measured->addData(key, pm);
        ticker->addTick(key, tr("%1\n%2").arg(r.name, bytesText(r.capacity)));
        // The bytes beside each bar (planned above, measured below, as the group draws them).
        for (const auto& [value, bytes, offset] : {std::tuple{pp, r.planned, 0.2}, std::tuple{pm, r.measured, -0.2}}) {
            auto* text = new QCPItemText(m_plot);
            text->position->setCoords(value, key + offset);
            text->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
            text->setPadding(QMargins(4, 0, 0, 0));
            text->setColor(palette().color(QPalette::WindowText));
            text->setText(bytes > 0 ? bytesText(bytes) : tr("–"));
        }
        largest = std::max({largest, pp, pm});
    }
    for (QCPBars* bars : {planned, measured}) {
        bars->setWidth(0.35);
        bars->setBarsGroup(group);
    }
    auto* full = new QCPItemStraightLine(m_plot);
    full->setPen(QPen(budgetColor(), 2, Qt::DashLine));
    full->point1->setCoords(100.0, -1.0);
    full->point2->setCoords(100.0, 1.0);
    m_plot->yAxis->setTicker(ticker);
    m_plot->yAxis->setRange(-0.6, std::max(0, n - 1) + 0.6);
    m_plot->xAxis->setRange(0.0, largest * 1.25);
    m_plot->xAxis->setLabel(tr("% of the region's size (dashed: full)"));
    m_plot->replot();
}

} // namespace rnnpool::widgets
