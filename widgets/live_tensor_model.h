// LiveTensorModel: the tensors alive at one step of a memory timeline, largest
// first: the answer to "why is the peak here?". Their bytes add up to the
// step's live bytes.
//
//   LiveTensorModel model;
//   model.setStep(timeline, timeline.peakStep);
//   model.totalBytes() == timeline.peakBytes;
#pragma once

#include <vector>

#include <QAbstractTableModel>

#include "profile/memory_timeline.h"

namespace rnnpool::widgets {

class LiveTensorModel final : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { TensorColumn, KindColumn, SizeColumn, BytesColumn, LifeColumn, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int TensorIndexRole = Qt::UserRole + 2; // index into timeline.tensors

    explicit LiveTensorModel(QObject* parent = nullptr);

    // An out-of-range step empties the table.
    void setStep(const MemoryTimeline& timeline, int step);
    void clear();

    int step() const { return m_step; }
    int64_t totalBytes() const;
    const std::vector<TensorLife>& rows() const { return m_rows; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<TensorLife> m_rows;
    std::vector<int> m_indices;
    std::vector<std::string> m_stepNames;
    int m_step = -1;
};

} // namespace rnnpool::widgets
