// ChartWidget: the base of the analysis views that hold one QCustomPlot. It
// restyles the plot when the palette changes (light and dark themes), exports
// it as PNG or PDF, and draws a board's SRAM as a labelled horizontal line.
//
//   class MyView : public ChartWidget { ... m_plot = createPlot(); ... };
//   BudgetMarker m = addBudgetMarker(m_plot, m_plot->axisRect());
//   placeBudgetMarker(m, 256 * 1024, QStringLiteral("stm32f439zi"));  // 0 bytes hides it
#pragma once

#include <cstdint>

#include <QWidget>

class QCPAxisRect;
class QCPItemStraightLine;
class QCPItemText;
class QCustomPlot;

namespace rnnpool::widgets {

struct BudgetMarker {
    QCPItemStraightLine* line = nullptr;
    QCPItemText* label = nullptr;
};

// A dashed line across `rect` with its label at the right end.
BudgetMarker addBudgetMarker(QCustomPlot* plot, QCPAxisRect* rect);
// At `bytes` on the rect's left axis (in KiB); hidden when bytes <= 0.
void placeBudgetMarker(const BudgetMarker& marker, int64_t bytes, const QString& boardName);

class ChartWidget : public QWidget {
    Q_OBJECT

public:
    explicit ChartWidget(QWidget* parent = nullptr);

    QCustomPlot* plot() const { return m_plot; }
    // PNG or PDF by the file's suffix; `error` names the file and the problem.
    bool exportChart(const QString& path, QString* error) const;

protected:
    // Called after the plot took the new palette's colours; redraw what has its own.
    virtual void paletteChanged() {}
    void changeEvent(QEvent* event) override;

    QCustomPlot* m_plot = nullptr;
};

} // namespace rnnpool::widgets
