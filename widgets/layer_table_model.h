// LayerTableModel: one row per network layer, as Network::describe() lists
// them: output shape, parameters, multiply-adds, output bytes, and the time
// each layer took in the last run once there is one.
//
//   LayerTableModel model;
//   model.setLayers(*network.describe({3, 240, 320}));
//   model.setTimes(runResult.layerSeconds);   // fills the time column
//   tableView->setModel(&model);
//
// Display text is formatted for reading; LayerTableModel::SortRole gives the raw
// numbers so a QSortFilterProxyModel sorts numerically.
#pragma once

#include <vector>

#include <QAbstractTableModel>

#include "model/network.h"

namespace rnnpool::widgets {

class LayerTableModel final : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { NameColumn, OpColumn, ShapeColumn, ParamsColumn, MaddsColumn, BytesColumn, TimeColumn, ColumnCount };
    // Bytes of a layer's output as the engine holds it: float32 (4 bytes an
    // element) or, under the int8 numerics, one byte.
    static int64_t outputBytes(const LayerInfo& layer, int elementBytes = 4)
    {
        return shapeNumel(layer.outputShape) * elementBytes;
    }
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit LayerTableModel(QObject* parent = nullptr);

    // Replaces every row; times are cleared because they belong to the old rows.
    void setLayers(std::vector<LayerInfo> layers);
    // Seconds per layer, in layer order. Extra entries are ignored, missing ones stay empty.
    void setTimes(std::vector<double> seconds);
    void clearTimes();

    const std::vector<LayerInfo>& layers() const { return m_layers; }
    bool hasTimes() const { return !m_seconds.empty(); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Column titles, tooltips and alignment (shared with LayerTreeModel).
    static QVariant columnHeader(int section, int role);
    static QVariant columnAlignment(int column);

    // The texts the table shows, shared with tests and the status bar.
    static QString shapeText(const Shape& shape);  // "64×30×40"
    static QString countText(int64_t value);        // grouped digits, e.g. "1,234,567" in English
    static QString millisecondsText(double seconds); // "12.345"

private:
    QVariant displayData(const LayerInfo& layer, int row, int column) const;
    QVariant sortData(const LayerInfo& layer, int row, int column) const;

    std::vector<LayerInfo> m_layers;
    std::vector<double> m_seconds;
};

} // namespace rnnpool::widgets
