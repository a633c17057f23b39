#include "widgets/live_charts.h"

#include <algorithm>
#include <utility>

#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSaveFile>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "widgets/chart_style.h"

namespace rnnpool::widgets {

namespace {

constexpr int kTotalGraph = 0; // graphs of the latency rect: total first, then one per group

double groupMilliseconds(const FrameRecord& record, const QString& group)
{
    for (const LayerGroupTime& g : record.groups)
        if (QString::fromStdString(g.group) == group)
            return g.seconds * 1000.0;
    return 0.0;
}

} // namespace

LiveCharts::LiveCharts(QWidget* parent)
    : ChartWidget(parent)
{
    m_plot->plotLayout()->clear();
    m_latencyRect = new QCPAxisRect(m_plot);
    m_memoryRect = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(0, 0, m_latencyRect);
    m_plot->plotLayout()->addElement(1, 0, m_memoryRect);
    auto* group = new QCPMarginGroup(m_plot);
    m_latencyRect->setMarginGroup(QCP::msLeft | QCP::msRight, group);
    m_memoryRect->setMarginGroup(QCP::msLeft | QCP::msRight, group);
    m_latencyRect->axis(QCPAxis::atLeft)->setLabel(tr("Latency (ms)"));
    m_memoryRect->axis(QCPAxis::atLeft)->setLabel(kibAxisLabel(tr("Measured peak RAM, float32")));
    m_memoryRect->axis(QCPAxis::atBottom)->setLabel(tr("Frame of the source"));
    m_latencyRect->axis(QCPAxis::atBottom)->setLabel(tr("Frame of the source"));
    // Frames are whole numbers: integer ticks, at least 1 apart.
    for (QCPAxisRect* rect : {m_latencyRect, m_memoryRect}) {
        QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
        ticker->setTickStep(1.0);
        ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        ticker->setTickCount(8);
        rect->axis(QCPAxis::atBottom)->setTicker(ticker);
        rect->axis(QCPAxis::atBottom)->setNumberFormat(QStringLiteral("f"));
        rect->axis(QCPAxis::atBottom)->setNumberPrecision(0);
    }

    // The legend has its own row above the charts, where no point can hide under it.
    m_plot->legend = new QCPLegend;
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(0, 0.001);
    m_plot->legend->setLayer(QStringLiteral("legend"));
    m_plot->legend->setVisible(true);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setWrap(3);

    QCPGraph* total = m_plot->addGraph(m_latencyRect->axis(QCPAxis::atBottom), m_latencyRect->axis(QCPAxis::atLeft));
    total->setName(tr("total"));
    total->setPen(QPen(palette().color(QPalette::Text), 2));

    QCPGraph* peak = m_plot->addGraph(m_memoryRect->axis(QCPAxis::atBottom), m_memoryRect->axis(QCPAxis::atLeft));
    peak->setName(tr("measured peak"));
    peak->setPen(QPen(seriesColor(0), 2));
    peak->setLineStyle(QCPGraph::lsStepCenter);
    // Frames are measured on every frame or sampled (the studio's "Measure RAM
    // Live" setting): a dot marks each measured frame.
    peak->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
    peak->removeFromLegend();

    m_budget = addBudgetMarker(m_plot, m_memoryRect);
    m_deployment = addBudgetMarker(m_plot, m_memoryRect);
    m_deployment.line->setPen(QPen(seriesColor(1), 2, Qt::DotLine));
    m_deployment.label->setColor(seriesColor(1));
    m_deployment.label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);

    buildControls();
    styleChart(m_plot, palette());
    redraw();
}

void LiveCharts::buildControls()
{
    auto* bar = new QHBoxLayout;
    m_pauseButton = new QToolButton(this);
    m_pauseButton->setText(tr("Pause"));
    m_pauseButton->setCheckable(true);
    connect(m_pauseButton, &QToolButton::toggled, this, &LiveCharts::setPaused);
    auto* clearButton = new QToolButton(this);
    clearButton->setText(tr("Clear"));
    connect(clearButton, &QToolButton::clicked, this, &LiveCharts::clear);
    m_windowBox = new QSpinBox(this);
    m_windowBox->setRange(1, 100000);
    m_windowBox->setValue(m_window);
    m_windowBox->setSuffix(tr(" frames"));
    m_windowBox->setToolTip(tr("How many of the latest frames are kept and shown"));
    connect(m_windowBox, &QSpinBox::valueChanged, this, &LiveCharts::setWindow);
    m_summary = new QLabel(this);
    m_summary->setMinimumWidth(1); // a long summary is cut, it does not widen the window
    bar->addWidget(m_pauseButton);
    bar->addWidget(clearButton);
    bar->addWidget(new QLabel(tr("Window:"), this));
    bar->addWidget(m_windowBox);
    bar->addWidget(m_summary, 1);
    const std::pair<QString, QString> exports[] = {{QStringLiteral("PNG"), QStringLiteral("png")},
                                                  {QStringLiteral("PDF"), QStringLiteral("pdf")},
                                                  {QStringLiteral("CSV"), QStringLiteral("csv")}};
    for (const auto& [name, suffix] : exports) {
        auto* button = new QToolButton(this);
        button->setText(tr("Export %1…").arg(name));
        connect(button, &QToolButton::clicked, this,
                [this, name, suffix] { chooseExport(tr("%1 files (*.%2)").arg(name, suffix), suffix); });
        bar->addWidget(button);
    }
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_plot, 1);
    m_ramNote = new QLabel(this);
    m_ramNote->setWordWrap(true);
    layout->addWidget(m_ramNote);
}

void LiveCharts::addFrame(const FrameRecord& record, qint64 frameNumber)
{
    ++m_offered;
    if (m_paused) {
        ++m_sincePause;
        return;
    }
    const qint64 number = frameNumber > 0 ? frameNumber : m_offered;
    for (const LayerGroupTime& g : record.groups) {
        const QString name = QString::fromStdString(g.group);
        if (!m_groups.contains(name)) {
            m_groups.append(name);
            QCPGraph* graph = m_plot->addGraph(m_latencyRect->axis(QCPAxis::atBottom), m_latencyRect->axis(QCPAxis::atLeft));
            graph->setName(name);
            graph->setPen(QPen(seriesColor(static_cast<int>(m_groups.size())), 1.5));
        }
    }
    m_frames.push_back({number, record});
    while (static_cast<int>(m_frames.size()) > m_window)
        m_frames.pop_front();
    redraw();
}

void LiveCharts::setBudget(qint64 sramBytes, const QString& boardName)
{
    m_budgetBytes = std::max<qint64>(sramBytes, 0);
    m_boardName = boardName;
    redraw();
}

void LiveCharts::setWindow(int frames)
{
    m_window = std::max(frames, 1);
    if (m_windowBox->value() != m_window)
        m_windowBox->setValue(m_window);
    while (static_cast<int>(m_frames.size()) > m_window)
        m_frames.pop_front();
    redraw();
}

void LiveCharts::setPaused(bool paused)
{
    if (paused && !m_paused)
        m_sincePause = 0;
    m_paused = paused;
    if (m_pauseButton->isChecked() != paused)
        m_pauseButton->setChecked(paused);
    m_pauseButton->setText(paused ? tr("Resume") : tr("Pause"));
    redraw();
}

void LiveCharts::clear()
{
    m_frames.clear();
    redraw();
}

void LiveCharts::startSource(const QString& description)
{
    m_source = description;
    m_offered = 0;
    clear();
}

void LiveCharts::setDeploymentPeak(qint64 bytes, const QString& description)
{
    m_deploymentBytes = std::max<qint64>(bytes, 0);
    m_deploymentText = description;
    redraw();
}

QString LiveCharts::ramNote() const
{
    return m_ramNote->text();
}

void LiveCharts::redraw()
{
    QVector<double> keys, totals, peaks, peakKeys;
    for (const Frame& f : m_frames) {
        keys.append(static_cast<double>(f.number));
        totals.append(f.record.totalSeconds * 1000.0);
        if (f.record.measuredPeakBytes >= 0) {
            peakKeys.append(static_cast<double>(f.number));
            peaks.append(toKiB(f.record.measuredPeakBytes));
        }
    }
    m_plot->graph(kTotalGraph)->setData(keys, totals, true);
    m_plot->graph(1)->setData(peakKeys, peaks, true);
    for (int g = 0; g < m_groups.size(); ++g) {
        QVector<double> values;
        for (const Frame& f : m_frames)
            values.append(groupMilliseconds(f.record, m_groups[g]));
        m_plot->graph(2 + g)->setData(keys, values, true);
    }

    // Half a frame of room either side: one picture is one point in the middle.
    double first = keys.isEmpty() ? 1.0 : keys.front(), last = first;
    for (double k : keys) {
        first = std::min(first, k);
        last = std::max(last, k);
    }
    first -= 0.5;
    last += 0.5;
    double maxMs = 1.0;
    for (double t : totals)
        maxMs = std::max(maxMs, t);
    double maxKiB = std::max(toKiB(m_budgetBytes), toKiB(m_deploymentBytes)) * 1.15;
    for (double p : peaks)
        maxKiB = std::max(maxKiB, p * 1.15);
    if (maxKiB <= 0.0)
        maxKiB = 1.0;
    for (QCPAxisRect* rect : {m_latencyRect, m_memoryRect})
        rect->axis(QCPAxis::atBottom)->setRange(first, last);
    m_latencyRect->axis(QCPAxis::atLeft)->setRange(0.0, maxMs * 1.1);
    m_memoryRect->axis(QCPAxis::atLeft)->setRange(0.0, maxKiB);

    placeBudgetMarker(m_budget, m_budgetBytes, m_boardName);
    placeBudgetMarker(m_deployment, m_deploymentBytes, {});
    m_deployment.label->position->setCoords(0.01, toKiB(m_deploymentBytes));
    m_deployment.label->setText(tr("int8 deployment peak %1").arg(kibText(m_deploymentBytes)));
    // Which arenas measured the frames shown (the numerics switch may change between frames).
    bool anyF32 = false, anyI8 = false;
    for (const Frame& f : m_frames)
        if (f.record.measuredPeakBytes >= 0)
            (f.record.measuredInt8 ? anyI8 : anyF32) = true;
    const QString arenas = anyI8 && anyF32 ? tr("float32 and int8") : (anyI8 ? tr("int8") : tr("float32"));
    m_memoryRect->axis(QCPAxis::atLeft)->setLabel(kibAxisLabel(tr("Measured peak RAM, %1").arg(arenas)));
    QString note = anyI8 ? tr("The curve is the peak RAM measured in the %1 arena on this computer (paper schedule, the "
                              "picture not counted), at each frame's own input size.").arg(arenas)
                         : tr("The curve is the peak RAM measured in the float32 arena on this computer, at each frame's own "
                              "input size: not what the board runs.");
    if (m_deploymentBytes > 0)
        note += tr(" The dotted line is the int8 figure the M4 tab judges the fit by (%1); the dashed line is the "
                   "board's SRAM.").arg(m_deploymentText);
    m_ramNote->setText(note);

    QString summary;
    if (!m_frames.empty()) {
        const FrameRecord& latest = m_frames.back().record;
        summary = tr("frame %1: %2 ms").arg(m_frames.back().number).arg(QLocale().toString(latest.totalSeconds * 1000.0, 'f', 1));
        const auto measured = std::find_if(m_frames.rbegin(), m_frames.rend(),
                                           [](const Frame& f) { return f.record.measuredPeakBytes >= 0; });
        if (measured != m_frames.rend())
            summary += tr(", peak RAM %1 measured in the %2 arena at frame %3")
                           .arg(kibText(measured->record.measuredPeakBytes))
                           .arg(measured->record.measuredInt8 ? tr("int8") : tr("float32"))
                           .arg(measured->number);
        else
            summary += tr(", peak RAM not measured (View ▸ Measure RAM Live)");
    } else {
        summary = tr("No frames yet: start a source in the live view");
    }
    if (m_paused)
        summary += tr(" (paused; %1 frames since)").arg(m_sincePause);
    m_summary->setText(summary);
    // Behind another tab the data is kept current and drawn when shown.
    if (isVisible())
        m_plot->replot();
    else
        m_replotPending = true;
}

void LiveCharts::showEvent(QShowEvent* event)
{
    ChartWidget::showEvent(event);
    if (std::exchange(m_replotPending, false))
        m_plot->replot();
}

QString LiveCharts::memoryAxisLabel() const
{
    return m_memoryRect->axis(QCPAxis::atLeft)->label();
}

QString LiveCharts::csvText() const
{
    QString text = QStringLiteral("frame,total_ms");
    for (const QString& g : m_groups)
        text += QStringLiteral(",%1_ms").arg(g);
    text += QStringLiteral(",measured_peak_bytes,measured_arena\n");
    for (const Frame& f : m_frames) {
        text += QString::number(f.number) + QLatin1Char(',') + QString::number(f.record.totalSeconds * 1000.0, 'g', 9);
        for (const QString& g : m_groups)
            text += QLatin1Char(',') + QString::number(groupMilliseconds(f.record, g), 'g', 9);
        text += QLatin1Char(',');
        if (f.record.measuredPeakBytes >= 0)
            text += QString::number(f.record.measuredPeakBytes) + (f.record.measuredInt8 ? QStringLiteral(",i8") : QStringLiteral(",f32"));
        else
            text += QLatin1Char(',');
        text += QLatin1Char('\n');
    }
    return text;
}

bool LiveCharts::exportCsv(const QString& path, QString* error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        if (error)
            *error = tr("'%1': %2").arg(path, file.errorString());
        return false;
    }
    file.write(csvText().toUtf8());
    if (!file.commit()) {
        if (error)
            *error = tr("'%1': %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void LiveCharts::chooseExport(const QString& filter, const QString& suffix)
{
    QString path = QFileDialog::getSaveFileName(this, tr("Export live charts"), QStringLiteral("live-charts.%1").arg(suffix), filter);
    if (path.isEmpty())
        return;
    QString error;
    const bool ok = suffix == QLatin1String("csv") ? exportCsv(path, &error) : exportChart(path, &error);
    if (!ok)
        emit exportFailed(error);
}

void LiveCharts::paletteChanged()
{
    m_plot->graph(kTotalGraph)->setPen(QPen(palette().color(QPalette::Text), 2));
}

} // namespace rnnpool::widgets
