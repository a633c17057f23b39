#include "widgets/sweep_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "widgets/chart_style.h"

namespace rnnpool::widgets {

namespace {

// Pixels of a chart's width that its left axis (tick labels and title) takes.
constexpr int kAxisRoom = 70;
// Degrees the value labels are turned when they do not fit side by side.
constexpr double kTurnedLabels = -35.0;

QCPGraph* lineGraph(QCustomPlot* plot, QCPAxis* x, QCPAxis* y, const QString& name, const QColor& colour)
{
    QCPGraph* g = plot->addGraph(x, y);
    g->setName(name);
    g->setPen(QPen(colour, 2));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, colour, 6));
    return g;
}

} // namespace

SweepView::SweepView(QWidget* parent)
    : ChartWidget(parent)
{
    m_paramBox = new QComboBox(this);
    m_paramBox->setEditable(true);
    m_paramBox->addItems({QStringLiteral("rnnpool.h1"), QStringLiteral("rnnpool.h2"), QStringLiteral("rnnpool.patch"),
                          QStringLiteral("rnnpool.stride"), QString::fromLatin1(kSweepInputParam)});
    m_paramBox->setToolTip(tr("A spec setting as `rnnpool sweep --param` takes it (rnnpool.h1, rnnpool[1].patch, block0.out), or input"));
    m_valuesEdit = new QLineEdit(QStringLiteral("4,8,16,32,64"), this);
    m_valuesEdit->setToolTip(tr("Comma-separated values; input sizes as WIDTHxHEIGHT"));
    connect(m_paramBox, &QComboBox::currentTextChanged, this, [this](const QString& text) {
        if (text == QLatin1String(kSweepInputParam))
            m_valuesEdit->setText(QStringLiteral("160x120,320x240,480x360,640x480"));
    });
    m_dtypeBox = new QComboBox(this);
    for (ElementType t : {ElementType::F32, ElementType::I16, ElementType::I8})
        m_dtypeBox->addItem(QString::fromLatin1(elementTypeName(t)), static_cast<int>(t));
    m_dtypeBox->setCurrentIndex(m_dtypeBox->findData(static_cast<int>(ElementType::I8))); // what an M4 runs
    m_runButton = new QPushButton(tr("Sweep"), this);
    connect(m_runButton, &QPushButton::clicked, this, &SweepView::requestSweep);
    connect(m_valuesEdit, &QLineEdit::returnPressed, this, &SweepView::requestSweep);
    m_cancelButton = new QPushButton(tr("Cancel"), this);
    m_cancelButton->setEnabled(false);
    connect(m_cancelButton, &QPushButton::clicked, this, &SweepView::cancelRequested);
    m_progress = new QProgressBar(this);
    m_progress->setVisible(false);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);

    m_plot->plotLayout()->clear();
    m_peakRect = addRect(0, 0, kibAxisLabel(tr("Peak activations")));
    m_maddsRect = addRect(0, 1, tr("Multiply-adds (M)"));
    m_paramsRect = addRect(1, 0, tr("Parameters (thousands)"));
    m_detectRect = addRect(1, 1, tr("Faces found"));
    m_detectRect->axis(QCPAxis::atRight)->setVisible(true);
    m_detectRect->axis(QCPAxis::atRight)->setLabel(tr("Mean score"));
    m_plot->legend = new QCPLegend;
    // Top left: peaks grow with most settings, and the budget line's label sits at the right.
    m_peakRect->insetLayout()->addElement(m_plot->legend, Qt::AlignTop | Qt::AlignLeft);
    m_plot->legend->setLayer(QStringLiteral("legend"));
    m_plot->legend->setVisible(true);

    m_budget = addBudgetMarker(m_plot, m_peakRect);

    // Two rows: one row of every control set the window's minimum width.
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Vary:"), this));
    controls->addWidget(m_paramBox);
    controls->addWidget(new QLabel(tr("over:"), this));
    controls->addWidget(m_valuesEdit, 1);
    auto* running = new QHBoxLayout;
    running->addWidget(new QLabel(tr("Element type:"), this));
    running->addWidget(m_dtypeBox);
    running->addWidget(m_runButton);
    running->addWidget(m_cancelButton);
    running->addWidget(m_progress, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addLayout(running);
    layout->addWidget(m_message);
    layout->addWidget(m_plot, 1);
    styleChart(m_plot, palette());
    showMessage(tr("Choose a setting and its values, then Sweep."));
    redraw();
}

QCPAxisRect* SweepView::addRect(int row, int column, const QString& yLabel)
{
    auto* rect = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(row, column, rect);
    rect->axis(QCPAxis::atLeft)->setLabel(yLabel);
    return rect;
}

QString SweepView::param() const
{
    return m_paramBox->currentText().trimmed();
}

QStringList SweepView::values() const
{
    QStringList out;
    for (const std::string& v : splitSweepValues(m_valuesEdit->text().remove(QLatin1Char(' ')).toStdString()))
        out << QString::fromStdString(v);
    return out;
}

QString SweepView::message() const
{
    return m_message->text();
}

void SweepView::setRequest(const QString& paramName, const QString& valuesText, ElementType dtype)
{
    m_paramBox->setCurrentText(paramName);
    m_valuesEdit->setText(valuesText);
    m_dtypeBox->setCurrentIndex(m_dtypeBox->findData(static_cast<int>(dtype)));
}

void SweepView::requestSweep()
{
    if (m_running)
        return;
    if (param().isEmpty()) {
        showMessage(tr("Name the setting to vary, e.g. rnnpool.h1, or input."));
        return;
    }
    const QStringList list = values();
    if (list.isEmpty()) {
        showMessage(tr("Give at least one value, e.g. 4,8,16."));
        return;
    }
    emit sweepRequested(param(), list, static_cast<ElementType>(m_dtypeBox->currentData().toInt()));
}

void SweepView::setBudget(qint64 sramBytes, const QString& boardName)
{
    m_budgetBytes = std::max<qint64>(sramBytes, 0);
    m_boardName = boardName;
    redraw();
}

void SweepView::startSweep(const QString& architecture, const QString& paramName, int valueCount)
{
    m_architecture = architecture;
    m_sweptParam = paramName;
    m_points.clear();
    m_detections.clear();
    m_running = true;
    m_runButton->setEnabled(false);
    m_cancelButton->setEnabled(true);
    setProgress(0, valueCount);
    showMessage(tr("Sweeping %1 of %2…").arg(paramName, architecture));
    redraw();
}

void SweepView::addPoint(const SweepPoint& point)
{
    m_points.push_back(point);
    m_detections.emplace_back();
    redraw();
}

void SweepView::setDetection(int index, const SweepDetection& detection)
{
    if (index < 0 || index >= static_cast<int>(m_detections.size()))
        return;
    m_detections[static_cast<size_t>(index)] = detection;
    redraw();
}

void SweepView::setProgress(int done, int total)
{
    m_progress->setVisible(m_running);
    m_progress->setRange(0, std::max(total, 1));
    m_progress->setValue(done);
}

void SweepView::finishSweep(const QString& problem)
{
    m_running = false;
    m_runButton->setEnabled(true);
    m_cancelButton->setEnabled(false);
    m_progress->setVisible(false);
    showMessage(problem.isEmpty() ? tr("%1 of %2: %3 values.").arg(m_sweptParam, m_architecture).arg(m_points.size())
                                  : problem);
}

void SweepView::showMessage(const QString& text)
{
    m_message->setText(text);
}

void SweepView::paletteChanged()
{
    redraw(); // the styling reset the detection axes' colours
}

double SweepView::positionOf(size_t index) const
{
    for (const SweepPoint& p : m_points) {
        bool numeric = false;
        QString::fromStdString(p.value).toDouble(&numeric);
        if (!numeric)
            return static_cast<double>(index);
    }
    return QString::fromStdString(m_points[index].value).toDouble();
}

void SweepView::redraw()
{
    m_plot->clearPlottables();
    QCPAxis* x[4] = {m_peakRect->axis(QCPAxis::atBottom), m_maddsRect->axis(QCPAxis::atBottom),
                     m_paramsRect->axis(QCPAxis::atBottom), m_detectRect->axis(QCPAxis::atBottom)};
    QCPGraph* layerwise = lineGraph(m_plot, x[0], m_peakRect->axis(QCPAxis::atLeft), tr("layerwise"), seriesColor(0));
    QCPGraph* paper = lineGraph(m_plot, x[0], m_peakRect->axis(QCPAxis::atLeft), tr("paper"), seriesColor(1));
    QCPGraph* madds = lineGraph(m_plot, x[1], m_maddsRect->axis(QCPAxis::atLeft), tr("MAdds"), seriesColor(2));
    QCPGraph* params = lineGraph(m_plot, x[2], m_paramsRect->axis(QCPAxis::atLeft), tr("params"), seriesColor(3));
    QCPGraph* faces = lineGraph(m_plot, x[3], m_detectRect->axis(QCPAxis::atLeft), tr("faces"), seriesColor(4));
    QCPGraph* score = lineGraph(m_plot, x[3], m_detectRect->axis(QCPAxis::atRight), tr("mean score"), seriesColor(5));
    for (QCPGraph* g : {madds, params, faces, score})
        g->removeFromLegend();

    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    bool anyDetection = false;
    for (size_t i = 0; i < m_points.size(); ++i) {
        const double px = positionOf(i);
        const ProfileSummary& s = m_points[i].summary;
        layerwise->addData(px, toKiB(s.layerwisePeak));
        paper->addData(px, toKiB(s.paperPeak));
        madds->addData(px, static_cast<double>(s.madds) / 1e6);
        params->addData(px, static_cast<double>(s.params) / 1e3);
        if (const auto& d = m_detections[i]) {
            faces->addData(px, d->faces);
            score->addData(px, d->meanScore);
            anyDetection = true;
        }
        ticker->addTick(px, QString::fromStdString(m_points[i].value));
    }
    const QString xLabel = m_sweptParam.isEmpty() ? tr("Value") : m_sweptParam;
    // Labels that would touch side by side (input sizes, many values, a narrow window) are turned.
    const QFontMetrics metrics(x[0]->tickLabelFont());
    int labels = 0;
    for (const SweepPoint& p : m_points)
        labels += metrics.horizontalAdvance(QString::fromStdString(p.value)) + metrics.averageCharWidth() * 2;
    const int perChart = m_plot->width() / 2 - kAxisRoom;
    for (QCPAxis* axis : x) {
        axis->setTicker(ticker);
        axis->setLabel(xLabel);
        axis->setTickLabelRotation(labels > perChart ? kTurnedLabels : 0.0);
        if (m_points.empty()) {
            axis->setRange(0, 1);
        } else {
            const double lo = positionOf(0), hi = positionOf(m_points.size() - 1);
            const double pad = std::max(0.5, (hi - lo) * 0.06);
            axis->setRange(std::min(lo, hi) - pad, std::max(lo, hi) + pad);
        }
    }
    m_detectRect->axis(QCPAxis::atLeft)->setLabel(anyDetection ? tr("Faces found") : tr("Faces found (needs weights and pictures)"));
    // Two lines on one chart and no legend: each axis title in its line's colour.
    m_detectRect->axis(QCPAxis::atLeft)->setLabelColor(seriesColor(4));
    m_detectRect->axis(QCPAxis::atRight)->setLabelColor(seriesColor(5));
    bool found = false;
    for (QCPAxisRect* rect : {m_peakRect, m_maddsRect, m_paramsRect, m_detectRect})
        for (QCPAxis* axis : rect->axes(QCPAxis::atLeft | QCPAxis::atRight)) {
            QCPRange range = axis->range();
            bool any = false;
            for (QCPAbstractPlottable* p : axis->plottables())
                if (p->interface1D() && p->interface1D()->dataCount() > 0) {
                    const QCPRange r = p->getValueRange(found);
                    range = any ? QCPRange(std::min(range.lower, r.lower), std::max(range.upper, r.upper)) : r;
                    any = true;
                }
            double top = any ? range.upper : 1.0;
            if (rect == m_peakRect && axis == rect->axis(QCPAxis::atLeft))
                top = std::max(top, toKiB(m_budgetBytes));
            axis->setRange(0.0, top > 0.0 ? top * 1.15 : 1.0);
        }
    m_detectRect->axis(QCPAxis::atRight)->setRange(0.0, 1.0);

    placeBudgetMarker(m_budget, m_budgetBytes, m_boardName);
    m_plot->replot();
}

} // namespace rnnpool::widgets
