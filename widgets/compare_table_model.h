// CompareTableModel: one row per compared architecture or model file:
// parameters, multiply-adds, peak RAM under each schedule, flash needed, the
// fit on the chosen board under the chosen schedule, and one column per
// latency cost profile once estimates are given. The numbers are those of
// `rnnpool compare` and `rnnpool profile --board` for the same options.
//
//   CompareTableModel model;
//   model.setEntries(comparisons);
//   model.setBoard(*findBoard("stm32f439zi"), QStringLiteral("paper"));
//   model.setLatencies({{{"cmsis-nn", 812.0}}, {}});   // per row
#pragma once

#include <vector>

#include <QAbstractTableModel>
#include <QStringList>

#include "profile/comparison.h"
#include "widgets/latency_estimate.h"

namespace rnnpool::widgets {

class CompareTableModel final : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        NameColumn, InputColumn, ParamsColumn, MaddsColumn, LayerwisePeakColumn, PaperPeakColumn, FlashColumn, FitColumn,
        FixedColumnCount // latency columns follow, one per profile
    };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit CompareTableModel(QObject* parent = nullptr);

    void setEntries(std::vector<ArchitectureComparison> entries);
    void setBoard(const Board& board, const QString& schedule);
    // Per row; profiles are the union over rows in order of first appearance.
    void setLatencies(std::vector<LatencyEstimates> latencies);

    const std::vector<ArchitectureComparison>& entries() const { return m_entries; }
    const QStringList& latencyProfiles() const { return m_profiles; }
    FitReport fit(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant sortData(int row, int column) const;
    QVariant displayData(int row, int column) const;
    const LatencyEstimate* latency(int row, int column) const;

    std::vector<ArchitectureComparison> m_entries;
    std::vector<LatencyEstimates> m_latencies;
    QStringList m_profiles;
    Board m_board;
    QString m_schedule = QStringLiteral("paper");
};

} // namespace rnnpool::widgets
