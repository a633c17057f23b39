// CompareView: two or more architectures or model files side by side: their
// memory timelines overlaid, the bytes live while each layer runs as grouped
// bars, the board's SRAM as a line in both, and a table (CompareTableModel)
// of parameters, multiply-adds, peaks, flash, fit and estimated latency.
//
//   CompareView view;
//   view.setArchitectureChoices({"RPool_Face_M4", "RPool_Face_C"});
//   view.setEntries({*compareArchitecture(m4, in, o), *compareArchitecture(c, in, o)});
//   view.setBoard(*findBoard("stm32f439zi"));
//   connect(&view, &CompareView::addArchitectureRequested, controller, ...);
#pragma once

#include "widgets/chart_widget.h"
#include "widgets/compare_table_model.h"

class QCPAxisRect;
class QComboBox;
class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace rnnpool::widgets {

class CompareView final : public ChartWidget {
    Q_OBJECT

public:
    explicit CompareView(QWidget* parent = nullptr);

    CompareTableModel* table() const { return m_model; }
    QTableView* tableView() const { return m_tableView; }
    // What "Remove selected" does: asks to remove every selected row.
    void removeSelected();
    QString schedule() const;
    QString message() const;

public slots:
    void setArchitectureChoices(const QStringList& names);
    void setEntries(const std::vector<rnnpool::ArchitectureComparison>& entries);
    void setLatencies(const std::vector<rnnpool::widgets::LatencyEstimates>& latencies);
    // Per entry: its run on the emulated Cortex-M4, if any (three measured columns).
    void setMeasured(const std::vector<std::optional<rnnpool::widgets::MeasuredOnChip>>& measured);
    void setBoard(const rnnpool::Board& board);
    void setSchedule(const QString& schedule);
    void showMessage(const QString& message);

signals:
    void addArchitectureRequested(const QString& name);
    void addFileRequested();
    void removeRequested(int row);
    // Every selected row (indices into the entries, in descending order, so erasing in turn is safe).
    void removeRowsRequested(const QList<int>& rows);

private:
    void redraw();

    QComboBox* m_scheduleBox = nullptr;
    QComboBox* m_archBox = nullptr;
    QLabel* m_message = nullptr;
    QCPAxisRect* m_timelineRect = nullptr;
    QCPAxisRect* m_layerRect = nullptr;
    BudgetMarker m_budgets[2];
    QTableView* m_tableView = nullptr;
    CompareTableModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    Board m_board;
};

} // namespace rnnpool::widgets
