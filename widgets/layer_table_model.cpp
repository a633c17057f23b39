#include "widgets/layer_table_model.h"

#include <QLocale>
#include <QStringList>

namespace rnnpool::widgets {

// An int, not a QVariant of Qt::Alignment: Qt 6.4's delegates and model tester read the role with toInt().
QVariant LayerTableModel::columnAlignment(int column)
{
    const Qt::Alignment a = column >= ShapeColumn ? (Qt::AlignRight | Qt::AlignVCenter) : (Qt::AlignLeft | Qt::AlignVCenter);
    return static_cast<int>(a);
}

LayerTableModel::LayerTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void LayerTableModel::setLayers(std::vector<LayerInfo> layers)
{
    beginResetModel();
    m_layers = std::move(layers);
    m_seconds.clear();
    endResetModel();
}

void LayerTableModel::setTimes(std::vector<double> seconds)
{
    m_seconds = std::move(seconds);
    if (!m_layers.empty())
        emit dataChanged(index(0, TimeColumn), index(rowCount() - 1, TimeColumn), {Qt::DisplayRole, SortRole});
}

void LayerTableModel::clearTimes()
{
    setTimes({});
}

int LayerTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_layers.size());
}

int LayerTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LayerTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const LayerInfo& layer = m_layers[static_cast<size_t>(row)];
    switch (role) {
    case Qt::DisplayRole:
        return displayData(layer, row, index.column());
    case SortRole:
        return sortData(layer, row, index.column());
    case Qt::TextAlignmentRole:
        return columnAlignment(index.column());
    case Qt::ToolTipRole:
        if (index.column() == NameColumn)
            return tr("%1 (part of %2)").arg(QString::fromStdString(layer.name), QString::fromStdString(layer.group));
        return {};
    default:
        return {};
    }
}

QVariant LayerTableModel::displayData(const LayerInfo& layer, int row, int column) const
{
    switch (column) {
    case NameColumn:
        return QString::fromStdString(layer.name);
    case OpColumn:
        return QString::fromStdString(layer.op);
    case ShapeColumn:
        return shapeText(layer.outputShape);
    case ParamsColumn:
        return countText(layer.params);
    case MaddsColumn:
        return countText(layer.madds);
    case BytesColumn:
        return countText(outputBytes(layer));
    case TimeColumn:
        if (static_cast<size_t>(row) < m_seconds.size())
            return millisecondsText(m_seconds[static_cast<size_t>(row)]);
        return QString();
    default:
        return {};
    }
}

QVariant LayerTableModel::sortData(const LayerInfo& layer, int row, int column) const
{
    switch (column) {
    case ShapeColumn:
        return static_cast<qlonglong>(shapeNumel(layer.outputShape));
    case ParamsColumn:
        return static_cast<qlonglong>(layer.params);
    case MaddsColumn:
        return static_cast<qlonglong>(layer.madds);
    case BytesColumn:
        return static_cast<qlonglong>(outputBytes(layer));
    case TimeColumn:
        if (static_cast<size_t>(row) < m_seconds.size())
            return m_seconds[static_cast<size_t>(row)];
        return -1.0;
    default:
        return displayData(layer, row, column);
    }
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    return columnHeader(section, role);
}

QVariant LayerTableModel::columnHeader(int section, int role)
{
    if (role == Qt::DisplayRole) {
        switch (section) {
        case NameColumn: return tr("Layer");
        case OpColumn: return tr("Op");
        case ShapeColumn: return tr("Output (W×H×C)");
        case ParamsColumn: return tr("Params");
        case MaddsColumn: return tr("MAdds");
        case BytesColumn: return tr("Bytes");
        case TimeColumn: return tr("Time (ms)");
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case ShapeColumn: return tr("Output shape: channels × height × width");
        case ParamsColumn: return tr("Learned parameters of the layer");
        case MaddsColumn: return tr("Multiply-adds for one picture at this input size");
        case BytesColumn: return tr("Bytes of the layer's output (float32)");
        case TimeColumn: return tr("Wall time of the layer in the last run");
        default: return {};
        }
    }
    if (role == Qt::TextAlignmentRole)
        return columnAlignment(section);
    return {};
}

QString LayerTableModel::shapeText(const Shape& shape)
{
    // Width × height × channels, as the command line and cameras name sizes
    // (the tensors themselves are C×H×W).
    QStringList parts;
    if (shape.size() == 3)
        parts << QString::number(shape[2]) << QString::number(shape[1]) << QString::number(shape[0]);
    else
        for (int64_t d : shape)
            parts << QString::number(d);
    return parts.join(QChar(0x00D7));
}

QString LayerTableModel::countText(int64_t value)
{
    return QLocale().toString(static_cast<qlonglong>(value));
}

QString LayerTableModel::millisecondsText(double seconds)
{
    return QLocale().toString(seconds * 1000.0, 'f', 3);
}

} // namespace rnnpool::widgets
