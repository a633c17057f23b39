#include "widgets/compare_table_model.h"

#include <QBrush>
#include <QLocale>

#include "widgets/chart_style.h"

namespace rnnpool::widgets {

CompareTableModel::CompareTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void CompareTableModel::setEntries(std::vector<ArchitectureComparison> entries)
{
    beginResetModel();
    m_entries = std::move(entries);
    m_latencies.clear();
    m_profiles.clear();
    m_measured.clear();
    endResetModel();
}

void CompareTableModel::setBoard(const Board& board, const QString& schedule)
{
    m_board = board;
    m_schedule = schedule;
    emit headerDataChanged(Qt::Horizontal, FitColumn, FitColumn);
    if (!m_entries.empty())
        emit dataChanged(index(0, FitColumn), index(rowCount() - 1, FitColumn));
}

void CompareTableModel::setLatencies(std::vector<LatencyEstimates> latencies)
{
    beginResetModel();
    m_latencies = std::move(latencies);
    m_profiles.clear();
    for (const LatencyEstimates& row : m_latencies)
        for (const LatencyEstimate& e : row)
            if (!m_profiles.contains(e.profile))
                m_profiles.append(e.profile);
    endResetModel();
}

FitReport CompareTableModel::fit(int row) const
{
    return m_entries[static_cast<size_t>(row)].fitFor(m_board, m_schedule.toStdString());
}

int CompareTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int CompareTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : FixedColumnCount + static_cast<int>(m_profiles.size()) + (hasMeasured() ? 3 : 0);
}

void CompareTableModel::setMeasured(std::vector<std::optional<MeasuredOnChip>> measured)
{
    beginResetModel();
    m_measured = std::move(measured);
    endResetModel();
}

bool CompareTableModel::hasMeasured() const
{
    for (size_t row = 0; row < m_measured.size() && row < m_entries.size(); ++row)
        if (m_measured[row])
            return true;
    return false;
}

int CompareTableModel::firstMeasuredColumn() const
{
    return hasMeasured() ? FixedColumnCount + static_cast<int>(m_profiles.size()) : -1;
}

const MeasuredOnChip* CompareTableModel::measured(int row, int column, int* which) const
{
    const int first = firstMeasuredColumn();
    if (first < 0 || column < first || column >= first + 3 || row >= static_cast<int>(m_measured.size()) ||
        !m_measured[static_cast<size_t>(row)])
        return nullptr;
    *which = column - first;
    return &*m_measured[static_cast<size_t>(row)];
}

const LatencyEstimate* CompareTableModel::latency(int row, int column) const
{
    const int p = column - FixedColumnCount;
    if (p < 0 || p >= m_profiles.size() || row >= static_cast<int>(m_latencies.size()))
        return nullptr;
    for (const LatencyEstimate& e : m_latencies[static_cast<size_t>(row)])
        if (e.profile == m_profiles[p])
            return &e;
    return nullptr;
}

QVariant CompareTableModel::sortData(int row, int column) const
{
    const ArchitectureComparison& e = m_entries[static_cast<size_t>(row)];
    switch (column) {
    case NameColumn: return QString::fromStdString(e.label);
    case InputColumn: return static_cast<qlonglong>(e.summary.input[1] * e.summary.input[2]);
    case ParamsColumn: return static_cast<qlonglong>(e.summary.params);
    case MaddsColumn: return static_cast<qlonglong>(e.summary.madds);
    case LayerwisePeakColumn: return static_cast<qlonglong>(e.summary.layerwisePeak);
    case PaperPeakColumn: return static_cast<qlonglong>(e.summary.paperPeak);
    case FlashColumn: return static_cast<qlonglong>(fit(row).flashNeeded);
    case FitColumn: return static_cast<qlonglong>(fit(row).sramHeadroom);
    default: {
        if (const LatencyEstimate* l = latency(row, column))
            return l->milliseconds;
        int which = 0;
        if (const MeasuredOnChip* m = measured(row, column, &which))
            return static_cast<qulonglong>(which == 0 ? m->instructions : which == 1 ? m->sramBytes : m->flashBytes);
        return {};
    }
    }
}

QVariant CompareTableModel::displayData(int row, int column) const
{
    const ArchitectureComparison& e = m_entries[static_cast<size_t>(row)];
    const QLocale locale;
    switch (column) {
    case NameColumn: return QString::fromStdString(e.label);
    case InputColumn:
        return QStringLiteral("%1×%2×%3").arg(e.summary.input[2]).arg(e.summary.input[1]).arg(e.summary.input[0]);
    case ParamsColumn: return locale.toString(static_cast<qlonglong>(e.summary.params));
    case MaddsColumn: return locale.toString(static_cast<double>(e.summary.madds) / 1e6, 'f', 1);
    case LayerwisePeakColumn: return kibText(e.summary.layerwisePeak);
    case PaperPeakColumn: return kibText(e.summary.paperPeak);
    case FlashColumn: return kibText(fit(row).flashNeeded);
    case FitColumn: {
        if (m_board.sramBytes <= 0)
            return tr("no board");
        const FitReport f = fit(row);
        if (f.fits)
            return tr("fits (%1 SRAM free)").arg(kibText(f.sramHeadroom));
        QStringList over;
        if (f.sramHeadroom < 0)
            over << tr("SRAM by %1").arg(kibText(-f.sramHeadroom));
        if (f.flashHeadroom < 0)
            over << tr("flash by %1").arg(kibText(-f.flashHeadroom));
        if (over.isEmpty())
            return tr("no region fits the %1").arg(QString::fromStdString(f.placements.empty() ? std::string("arena") : [&] {
                for (const FitPlacement& p : f.placements)
                    if (p.region.empty())
                        return p.item;
                return std::string("arena");
            }()));
        return tr("overflows %1").arg(over.join(tr(", ")));
    }
    default: {
        if (const LatencyEstimate* l = latency(row, column))
            return locale.toString(l->milliseconds, 'f', 1);
        int which = 0;
        if (const MeasuredOnChip* m = measured(row, column, &which)) {
            if (which == 0)
                return tr("%1 M @ %2%3")
                    .arg(locale.toString(static_cast<double>(m->instructions) / 1e6, 'f', 1), m->input,
                         m->identical ? QString() : tr(" (heads differ)"));
            return kibText(static_cast<int64_t>(which == 1 ? m->sramBytes : m->flashBytes));
        }
        return {};
    }
    }
}

QVariant CompareTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row(), column = index.column();
    switch (role) {
    case Qt::DisplayRole: return displayData(row, column);
    case SortRole: return sortData(row, column);
    case Qt::TextAlignmentRole:
        return column == NameColumn || column == FitColumn ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (column == FitColumn && m_board.sramBytes > 0 && !fit(row).fits)
            return QBrush(budgetColor());
        return {};
    case Qt::ToolTipRole:
        if (column == FitColumn && m_board.sramBytes > 0) {
            const FitReport f = fit(row);
            QString text = tr("SRAM %1 of %2 (planned arena %3 + frame buffer %4 + kernel scratch %5 + runtime %6); flash %7 of %8")
                               .arg(kibText(f.sramNeeded), kibText(m_board.sramBytes), kibText(f.arenaBytes),
                                    kibText(f.frameBufferBytes), kibText(f.scratchBytes), kibText(f.runtimeBytes),
                                    kibText(f.flashNeeded), kibText(m_board.flashBytes));
            if (!f.problem.empty())
                text += QStringLiteral("\n") + QString::fromStdString(f.problem);
            return text;
        }
        return {};
    default: return {};
    }
}

QVariant CompareTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Architecture");
    case InputColumn: return tr("Input");
    case ParamsColumn: return tr("Params");
    case MaddsColumn: return tr("MAdds (M)");
    case LayerwisePeakColumn: return tr("Peak, layerwise");
    case PaperPeakColumn: return tr("Peak, paper");
    case FlashColumn: return tr("Flash");
    case FitColumn:
        return m_board.name.empty() ? tr("Fit") : tr("Fit on %1 (%2)").arg(QString::fromStdString(m_board.name), m_schedule);
    default:
        if (section - FixedColumnCount >= 0 && section - FixedColumnCount < m_profiles.size())
            return tr("Latency %1 (ms)").arg(m_profiles[section - FixedColumnCount]);
        if (const int first = firstMeasuredColumn(); first >= 0 && section >= first && section < first + 3) {
            static const char* const kNames[] = {QT_TR_NOOP("Measured on QEMU M4: instructions"),
                                                 QT_TR_NOOP("Measured SRAM"), QT_TR_NOOP("Measured flash")};
            return tr(kNames[section - first]);
        }
        return {};
    }
}

} // namespace rnnpool::widgets
