#include "widgets/layer_tree_model.h"

namespace rnnpool::widgets {

LayerTreeModel::LayerTreeModel(QObject* parent)
    : QAbstractItemModel(parent)
{
}

void LayerTreeModel::setLayers(std::vector<LayerInfo> layers)
{
    beginResetModel();
    m_layers = std::move(layers);
    m_seconds.clear();
    m_groups.clear();
    for (size_t i = 0; i < m_layers.size(); ++i) {
        const std::string& group = m_layers[i].group.empty() ? m_layers[i].name : m_layers[i].group;
        if (m_groups.empty() || m_groups.back().name != group)
            m_groups.push_back({group, {}});
        m_groups.back().nodes.push_back(static_cast<int>(i));
    }
    endResetModel();
}

void LayerTreeModel::setTimes(std::vector<double> seconds)
{
    m_seconds = std::move(seconds);
    if (m_groups.empty())
        return;
    const int last = LayerTableModel::TimeColumn;
    emit dataChanged(index(0, last), index(rowCount() - 1, last), {Qt::DisplayRole, SortRole});
    for (int g = 0; g < rowCount(); ++g) {
        const QModelIndex parentIndex = index(g, 0);
        if (const int n = rowCount(parentIndex); n > 0)
            emit dataChanged(index(0, last, parentIndex), index(n - 1, last, parentIndex), {Qt::DisplayRole, SortRole});
    }
}

QModelIndex LayerTreeModel::indexOfNode(int node, int column) const
{
    for (size_t g = 0; g < m_groups.size(); ++g) {
        const auto& nodes = m_groups[g].nodes;
        for (size_t i = 0; i < nodes.size(); ++i) {
            if (nodes[i] != node)
                continue;
            if (nodes.size() == 1)
                return index(static_cast<int>(g), column);
            return index(static_cast<int>(i), column, index(static_cast<int>(g), 0));
        }
    }
    return {};
}

std::vector<QModelIndex> LayerTreeModel::leafIndexes(int column) const
{
    std::vector<QModelIndex> leaves;
    for (size_t i = 0; i < m_layers.size(); ++i)
        leaves.push_back(indexOfNode(static_cast<int>(i), column));
    return leaves;
}

QModelIndex LayerTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, kTopLevel);
    return createIndex(row, column, static_cast<quintptr>(parent.row()) + 1);
}

QModelIndex LayerTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == kTopLevel)
        return {};
    return createIndex(static_cast<int>(child.internalId() - 1), 0, kTopLevel);
}

int LayerTreeModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return static_cast<int>(m_groups.size());
    if (parent.internalId() != kTopLevel || parent.column() != 0)
        return 0;
    const auto& nodes = m_groups[static_cast<size_t>(parent.row())].nodes;
    return nodes.size() > 1 ? static_cast<int>(nodes.size()) : 0;
}

int LayerTreeModel::columnCount(const QModelIndex&) const
{
    return LayerTableModel::ColumnCount;
}

LayerTreeModel::Row LayerTreeModel::rowFor(const QModelIndex& index) const
{
    auto nodeRow = [this](int node) {
        const LayerInfo& l = m_layers[static_cast<size_t>(node)];
        Row r{QString::fromStdString(l.name), QString::fromStdString(l.op), l.outputShape, l.params, l.madds,
              LayerTableModel::outputBytes(l, m_elementBytes), -1.0, node};
        if (static_cast<size_t>(node) < m_seconds.size())
            r.seconds = m_seconds[static_cast<size_t>(node)];
        return r;
    };
    if (index.internalId() != kTopLevel)
        return nodeRow(m_groups[index.internalId() - 1].nodes[static_cast<size_t>(index.row())]);
    const Group& g = m_groups[static_cast<size_t>(index.row())];
    if (g.nodes.size() == 1)
        return nodeRow(g.nodes.front());
    Row sum = nodeRow(g.nodes.back()); // the group's output is its last node's
    sum.name = QString::fromStdString(g.name);
    sum.op = tr("%n layer(s)", nullptr, static_cast<int>(g.nodes.size()));
    sum.params = sum.madds = 0;
    double seconds = 0.0;
    bool timed = true;
    for (int node : g.nodes) {
        const Row r = nodeRow(node);
        sum.params += r.params;
        sum.madds += r.madds;
        timed = timed && r.seconds >= 0.0;
        seconds += r.seconds;
    }
    sum.seconds = timed ? seconds : -1.0;
    return sum;
}

QVariant LayerTreeModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Row r = rowFor(index);
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case LayerTableModel::NameColumn: return r.name;
        case LayerTableModel::OpColumn: return r.op;
        case LayerTableModel::ShapeColumn: return LayerTableModel::shapeText(r.shape);
        case LayerTableModel::ParamsColumn: return LayerTableModel::countText(r.params);
        case LayerTableModel::MaddsColumn: return LayerTableModel::countText(r.madds);
        case LayerTableModel::BytesColumn: return LayerTableModel::countText(r.bytes);
        case LayerTableModel::TimeColumn: return r.seconds >= 0.0 ? LayerTableModel::millisecondsText(r.seconds) : QString();
        default: return {};
        }
    case SortRole:
        switch (column) {
        case LayerTableModel::ShapeColumn: return static_cast<qlonglong>(shapeNumel(r.shape));
        case LayerTableModel::ParamsColumn: return static_cast<qlonglong>(r.params);
        case LayerTableModel::MaddsColumn: return static_cast<qlonglong>(r.madds);
        case LayerTableModel::BytesColumn: return static_cast<qlonglong>(r.bytes);
        case LayerTableModel::TimeColumn: return r.seconds;
        default: return data(index, Qt::DisplayRole);
        }
    case Qt::ToolTipRole:
        // The whole name: the column elides long module paths ("features.2.0.block.1.0").
        return column == LayerTableModel::NameColumn ? QVariant(r.name) : QVariant();
    case NodeRole:
        return r.node;
    case Qt::TextAlignmentRole:
        return LayerTableModel::columnAlignment(column);
    default:
        return {};
    }
}

QVariant LayerTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (section == LayerTableModel::BytesColumn && role == Qt::ToolTipRole && m_elementBytes == 1)
        return tr("Bytes of the layer's output (int8, as the M4 holds it)");
    return LayerTableModel::columnHeader(section, role);
}

void LayerTreeModel::setElementBytes(int bytes)
{
    if (bytes == m_elementBytes || bytes <= 0)
        return;
    m_elementBytes = bytes;
    emit headerDataChanged(Qt::Horizontal, LayerTableModel::BytesColumn, LayerTableModel::BytesColumn);
    const auto changed = [this](const QModelIndex& parent, auto&& self) -> void {
        const int rows = rowCount(parent);
        if (rows == 0)
            return;
        emit dataChanged(index(0, LayerTableModel::BytesColumn, parent), index(rows - 1, LayerTableModel::BytesColumn, parent));
        for (int r = 0; r < rows; ++r)
            self(index(r, 0, parent), self);
    };
    changed(QModelIndex(), changed);
}

} // namespace rnnpool::widgets
