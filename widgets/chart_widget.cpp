#include "widgets/chart_widget.h"

#include <QApplication>
#include <QEvent>

#include <qcustomplot.h>

#include "widgets/chart_style.h"

namespace rnnpool::widgets {

BudgetMarker addBudgetMarker(QCustomPlot* plot, QCPAxisRect* rect)
{
    BudgetMarker m{new QCPItemStraightLine(plot), new QCPItemText(plot)};
    m.line->setPen(QPen(budgetColor(), 2, Qt::DashLine));
    m.label->setColor(budgetColor());
    m.label->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    // Lifted off the dashed line, on the chart's background, so it reads in either theme.
    m.label->setPadding(QMargins(4, 1, 4, 1));
    m.label->setBrush(QBrush(QApplication::palette().color(QPalette::Base)));
    m.line->setClipAxisRect(rect);
    m.label->setClipAxisRect(rect);
    for (QCPItemPosition* p : {m.line->point1, m.line->point2, m.label->position}) {
        p->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        p->setAxisRect(rect);
        p->setTypeX(QCPItemPosition::ptAxisRectRatio);
    }
    m.line->setVisible(false);
    m.label->setVisible(false);
    return m;
}

void placeBudgetMarker(const BudgetMarker& marker, int64_t bytes, const QString& boardName)
{
    const bool show = bytes > 0;
    marker.line->setVisible(show);
    marker.label->setVisible(show);
    const double y = toKiB(bytes);
    marker.line->point1->setCoords(0.0, y);
    marker.line->point2->setCoords(1.0, y);
    marker.label->position->setCoords(0.99, y);
    marker.label->setText(QObject::tr("%1 SRAM %2").arg(boardName, kibText(bytes)));
}

ChartWidget::ChartWidget(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    styleChart(m_plot, palette());
}

bool ChartWidget::exportChart(const QString& path, QString* error) const
{
    return widgets::exportChart(m_plot, path, error);
}

void ChartWidget::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        styleChart(m_plot, palette());
        paletteChanged();
        m_plot->replot();
    }
}

} // namespace rnnpool::widgets
