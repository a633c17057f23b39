// CompareTableModel: one row per compared architecture or model file:
// parameters, multiply-adds, peak RAM under each schedule, flash needed, the
// fit on the chosen board under the chosen schedule, and one column per
// latency cost profile once estimates are given, and, for architectures run
// on the emulated Cortex-M4 (the M4 tab's button), three measured columns.
// The numbers are those of `rnnpool compare`, `rnnpool profile --board` and
// `rnnpool m4 run --json` for the same options.
//
//   CompareTableModel model;
//   model.setEntries(comparisons);
//   model.setBoard(*findBoard("stm32f439zi"), QStringLiteral("paper"));
//   model.setLatencies({{{"cmsis-nn", 812.0}}, {}});   // per row
#pragma once

#include <optional>
#include <vector>

#include <QAbstractTableModel>
#include <QStringList>

#include "profile/comparison.h"
#include "widgets/latency_estimate.h"

namespace rnnpool::widgets {

// A run on the emulated Cortex-M4 (QEMU netduinoplus2), as Compare shows it.
struct MeasuredOnChip {
    QString input;             // the firmware's input, e.g. "80x60"
    uint64_t instructions = 0; // QEMU's count (instructions, not cycles)
    uint64_t sramBytes = 0;    // SRAM as linked (.data + .bss)
    uint64_t flashBytes = 0;   // text + rodata + .data's image
    bool identical = false;    // head maps bit-identical to the desktop int8 engine's
};

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
    // Per row (empty: not run); the measured columns show when any row has one.
    void setMeasured(std::vector<std::optional<MeasuredOnChip>> measured);
    bool hasMeasured() const;
    // The first measured column (after the latency columns); -1 when none shows.
    int firstMeasuredColumn() const;

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
    const MeasuredOnChip* measured(int row, int column, int* which) const;

    std::vector<ArchitectureComparison> m_entries;
    std::vector<LatencyEstimates> m_latencies;
    QStringList m_profiles;
    std::vector<std::optional<MeasuredOnChip>> m_measured;
    Board m_board;
    QString m_schedule = QStringLiteral("paper");
};

} // namespace rnnpool::widgets
