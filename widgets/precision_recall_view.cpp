#include "widgets/precision_recall_view.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "widgets/chart_style.h"

namespace rnnpool::widgets {

PrecisionRecallView::PrecisionRecallView(QWidget* parent)
    : ChartWidget(parent)
{
    setObjectName(QStringLiteral("precisionRecallView"));
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_minFace = new QDoubleSpinBox(this);
    m_minFace->setRange(0.0, 4096.0);
    m_minFace->setDecimals(0);
    m_minFace->setSuffix(tr(" px"));
    m_minFace->setValue(20.0);
    m_minFace->setToolTip(tr("Faces lower than this (in the network's input pixels) count neither as hits nor as misses, "
                             "as rnnpool eval --min-face"));
    m_plot->setMinimumHeight(220);
    m_plot->xAxis->setLabel(tr("recall"));
    m_plot->yAxis->setLabel(tr("precision"));
    m_plot->xAxis->setRange(0.0, 1.0);
    m_plot->yAxis->setRange(0.0, 1.05);
    m_curve = m_plot->addGraph();
    m_curve->setLineStyle(QCPGraph::lsStepLeft);
    m_marker = new QCPItemTracer(m_plot);
    m_marker->setStyle(QCPItemTracer::tsCircle);
    m_marker->setSize(9);
    m_marker->setVisible(false);
    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Smallest face counted:"), this));
    bar->addWidget(m_minFace);
    bar->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(bar);
    layout->addWidget(m_summary);
    layout->addWidget(m_plot, 1);
    connect(m_minFace, &QDoubleSpinBox::valueChanged, this, [this](double v) { emit minFaceChanged(static_cast<float>(v)); });
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) {
        pickNearest(m_plot->xAxis->pixelToCoord(e->position().x()), m_plot->yAxis->pixelToCoord(e->position().y()));
    });
    paletteChanged();
    clear(tr("Open a labelled folder (File → Open Labelled Folder…, or --labels FILE) to see precision and recall here."));
}

QString PrecisionRecallView::summaryText() const
{
    return m_summary->text();
}

float PrecisionRecallView::minFace() const
{
    return static_cast<float>(m_minFace->value());
}

void PrecisionRecallView::setMinFace(float minFace)
{
    m_minFace->setValue(static_cast<double>(minFace));
}

void PrecisionRecallView::clear(const QString& message)
{
    m_result = {};
    m_seen = m_labelled = 0;
    m_summary->setText(message);
    redraw();
}

void PrecisionRecallView::setResult(const EvaluationResult& result, int picturesSeen, int picturesLabelled)
{
    m_result = result;
    m_seen = picturesSeen;
    m_labelled = picturesLabelled;
    redraw();
}

void PrecisionRecallView::setThreshold(float threshold)
{
    m_threshold = threshold;
    redraw();
}

int PrecisionRecallView::pointAtThreshold() const
{
    int at = -1;
    for (size_t i = 0; i < m_result.scores.size(); ++i)
        if (m_result.scores[i] >= m_threshold)
            at = static_cast<int>(i);
    return at;
}

void PrecisionRecallView::pickNearest(double recall, double precision)
{
    if (m_result.scores.empty())
        return;
    size_t best = 0;
    double bestDistance = 1e300;
    for (size_t i = 0; i < m_result.scores.size(); ++i) {
        const double dr = m_result.recall[i] - recall, dp = m_result.precision[i] - precision;
        const double d = dr * dr + dp * dp;
        if (d < bestDistance) {
            bestDistance = d;
            best = i;
        }
    }
    emit thresholdPicked(m_result.scores[best]);
}

void PrecisionRecallView::paletteChanged()
{
    m_curve->setPen(QPen(seriesColor(0), 2));
    m_marker->setPen(QPen(seriesColor(1), 2));
    m_marker->setBrush(seriesColor(1));
    m_plot->replot();
}

void PrecisionRecallView::redraw()
{
    QVector<double> r(m_result.recall.begin(), m_result.recall.end()), p(m_result.precision.begin(), m_result.precision.end());
    m_curve->setData(r, p, true);
    const int at = pointAtThreshold();
    // A tracer on an empty graph complains at every replot: attach it only to a curve.
    m_marker->setGraph(at >= 0 ? m_curve : nullptr);
    m_marker->setVisible(at >= 0);
    if (at >= 0)
        m_marker->setGraphKey(m_result.recall[static_cast<size_t>(at)]);
    if (m_seen > 0) {
        QStringList buckets;
        for (const SizeBucket& b : m_result.buckets)
            buckets << tr("%1–%2 px %3 of %4")
                           .arg(b.minHeight, 0, 'f', 0)
                           .arg(std::isinf(b.maxHeight) ? QStringLiteral("∞") : QString::number(b.maxHeight, 'f', 0))
                           .arg(b.found)
                           .arg(b.faces);
        QString text = tr("AP@0.5 %1 over the %2 labelled pictures seen (of %3), %4 faces at least %5 px, %6 detections "
                          "(rnnpool eval on the same pictures gives the same). Recall by face size: %7.")
                           .arg(m_result.ap, 0, 'f', 4)
                           .arg(m_seen)
                           .arg(m_labelled)
                           .arg(m_result.numFaces)
                           .arg(static_cast<double>(minFace()), 0, 'f', 0)
                           .arg(m_result.numDetections)
                           .arg(buckets.join(u", "));
        if (at >= 0)
            text += tr(" At score %1: precision %2, recall %3 (the dot). Click the curve to set the threshold.")
                        .arg(static_cast<double>(m_threshold), 0, 'f', 2)
                        .arg(m_result.precision[static_cast<size_t>(at)], 0, 'f', 3)
                        .arg(m_result.recall[static_cast<size_t>(at)], 0, 'f', 3);
        m_summary->setText(text);
    }
    m_plot->replot();
}

} // namespace rnnpool::widgets
