#include "widgets/live_tensor_model.h"

#include <algorithm>
#include <numeric>

#include <QLocale>

#include "widgets/chart_style.h"

namespace rnnpool::widgets {

LiveTensorModel::LiveTensorModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void LiveTensorModel::setStep(const MemoryTimeline& timeline, int step)
{
    beginResetModel();
    m_rows.clear();
    m_indices.clear();
    m_stepNames = timeline.steps;
    m_step = step >= 0 && step < static_cast<int>(timeline.steps.size()) ? step : -1;
    if (m_step >= 0) {
        for (size_t i = 0; i < timeline.tensors.size(); ++i) {
            const TensorLife& t = timeline.tensors[i];
            if (t.firstStep <= m_step && m_step <= t.lastStep && t.bytes > 0)
                m_indices.push_back(static_cast<int>(i));
        }
        std::stable_sort(m_indices.begin(), m_indices.end(), [&](int a, int b) {
            return timeline.tensors[static_cast<size_t>(a)].bytes > timeline.tensors[static_cast<size_t>(b)].bytes;
        });
        for (int i : m_indices)
            m_rows.push_back(timeline.tensors[static_cast<size_t>(i)]);
    }
    endResetModel();
}

void LiveTensorModel::clear()
{
    setStep(MemoryTimeline{}, -1);
}

int64_t LiveTensorModel::totalBytes() const
{
    return std::accumulate(m_rows.begin(), m_rows.end(), int64_t{0},
                           [](int64_t sum, const TensorLife& t) { return sum + t.bytes; });
}

int LiveTensorModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int LiveTensorModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LiveTensorModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TensorLife& t = m_rows[static_cast<size_t>(index.row())];
    if (role == TensorIndexRole)
        return m_indices[static_cast<size_t>(index.row())];
    if (role == Qt::TextAlignmentRole)
        return index.column() == SizeColumn || index.column() == BytesColumn
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    const auto stepName = [&](int s) {
        return s >= 0 && s < static_cast<int>(m_stepNames.size()) ? QString::fromStdString(m_stepNames[static_cast<size_t>(s)])
                                                                    : QString::number(s);
    };
    if (role == SortRole) {
        switch (index.column()) {
        case SizeColumn:
        case BytesColumn: return static_cast<qlonglong>(t.bytes);
        case LifeColumn: return t.firstStep;
        default: break;
        }
    }
    if (role != Qt::DisplayRole && role != SortRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case TensorColumn: return QString::fromStdString(t.name);
    case KindColumn:
        return t.scratch ? tr("scratch") : t.producer == kNetworkInput ? tr("input") : tr("output");
    case SizeColumn: return kibText(t.bytes);
    case BytesColumn: return QLocale().toString(static_cast<qlonglong>(t.bytes));
    case LifeColumn:
        return t.firstStep == t.lastStep ? tr("step %1 (%2)").arg(t.firstStep).arg(stepName(t.firstStep))
                                         : tr("steps %1–%2 (%3 → %4)").arg(t.firstStep).arg(t.lastStep)
                                               .arg(stepName(t.firstStep), stepName(t.lastStep));
    default: return {};
    }
}

QVariant LiveTensorModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TensorColumn: return tr("Tensor");
    case KindColumn: return tr("Kind");
    case SizeColumn: return tr("Size");
    case BytesColumn: return tr("Bytes");
    case LifeColumn: return tr("Alive");
    default: return {};
    }
}

} // namespace rnnpool::widgets
