// LayerTreeModel: the network's layers as a tree, grouped as the architecture
// spec lists them: a spec entry that became several nodes ("block0" →
// expand, dw, project) is a parent with those nodes as children; an entry of
// one node is a leaf. Columns are LayerTableModel's: op, output shape,
// parameters, multiply-adds, output bytes and the last run's time. A parent
// shows its own output (its last node's shape and bytes) and the sums of its
// children's parameters, multiply-adds and times.
//
//   LayerTreeModel model;
//   model.setLayers(*network.describe({1, 240, 320}));
//   model.setTimes(run.layerSeconds);
//   treeView->setModel(&model);
//   int node = model.data(index, LayerTreeModel::NodeRole).toInt();   // network node
//
// SortRole gives raw numbers for a QSortFilterProxyModel; NodeRole the node
// index (a parent's last node, which is what "block0" names in the CLI too).
#pragma once

#include <string>
#include <vector>

#include <QAbstractItemModel>

#include "widgets/layer_table_model.h"

namespace rnnpool::widgets {

class LayerTreeModel final : public QAbstractItemModel {
    Q_OBJECT

public:
    using Column = LayerTableModel::Column;
    static constexpr int SortRole = LayerTableModel::SortRole;
    static constexpr int NodeRole = Qt::UserRole + 2;

    explicit LayerTreeModel(QObject* parent = nullptr);

    void setLayers(std::vector<LayerInfo> layers);
    void setTimes(std::vector<double> seconds);
    // Bytes an output element takes (4: float32, the default; 1: int8), for
    // the Bytes column and its tooltip.
    void setElementBytes(int bytes);
    int elementBytes() const { return m_elementBytes; }

    const std::vector<LayerInfo>& layers() const { return m_layers; }
    bool hasTimes() const { return !m_seconds.empty(); }
    // The item of network node `node` (a child, or a leaf group); invalid if none.
    QModelIndex indexOfNode(int node, int column = 0) const;
    // Node indices in tree order, leaves only (equals network order).
    std::vector<QModelIndex> leafIndexes(int column = 0) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Group {
        std::string name;
        std::vector<int> nodes;
    };
    // What one item shows, for a node or summed over a group.
    struct Row {
        QString name, op;
        Shape shape;
        int64_t params = 0, madds = 0, bytes = 0;
        double seconds = -1.0; // -1: no time
        int node = -1;
    };
    Row rowFor(const QModelIndex& index) const;
    static constexpr quintptr kTopLevel = 0; // internalId of groups; children carry group + 1

    std::vector<LayerInfo> m_layers;
    std::vector<double> m_seconds;
    std::vector<Group> m_groups;
    int m_elementBytes = 4;
};

} // namespace rnnpool::widgets
