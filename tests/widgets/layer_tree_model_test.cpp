// The layer tree: groups as the spec lists them, children in network order,
// parents summing their children, and node lookups both ways; always under
// QAbstractItemModelTester.
#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>

#include <gtest/gtest.h>

#include "m4_layers.h"
#include "qt_printers.h"

#include "model/model.h"
#include "widgets/layer_tree_model.h"

namespace rnnpool::widgets {
namespace {

TEST(LayerTreeModel, TheBytesColumnFollowsTheElementSize)
{
    LayerTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const auto layers = m4Layers();
    ASSERT_FALSE(layers.empty());
    model.setLayers(layers);
    const auto leaves = model.leafIndexes(LayerTableModel::BytesColumn);
    ASSERT_EQ(leaves.size(), layers.size());
    EXPECT_EQ(leaves[0].data(LayerTreeModel::SortRole).toLongLong(), shapeNumel(layers[0].outputShape) * 4);
    int changes = 0;
    QObject::connect(&model, &QAbstractItemModel::dataChanged, [&](const QModelIndex& a, const QModelIndex& b) {
        EXPECT_EQ(a.column(), LayerTableModel::BytesColumn);
        EXPECT_EQ(b.column(), LayerTableModel::BytesColumn);
        ++changes;
    });
    model.setElementBytes(1);
    EXPECT_GT(changes, 0);
    for (size_t i = 0; i < leaves.size(); ++i)
        EXPECT_EQ(leaves[i].data(LayerTreeModel::SortRole).toLongLong(), shapeNumel(layers[i].outputShape)) << layers[i].name;
    EXPECT_TRUE(model.headerData(LayerTableModel::BytesColumn, Qt::Horizontal, Qt::ToolTipRole).toString().contains(QStringLiteral("int8")));
    model.setElementBytes(4);
    EXPECT_TRUE(model.headerData(LayerTableModel::BytesColumn, Qt::Horizontal, Qt::ToolTipRole).toString().contains(QStringLiteral("float32")));
    EXPECT_EQ(leaves[0].data(LayerTreeModel::SortRole).toLongLong(), shapeNumel(layers[0].outputShape) * 4);
}

TEST(LayerTreeModel, GroupsNodesAsTheSpecListsThemAndSumsTheirCounts)
{
    LayerTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const auto layers = m4Layers();
    ASSERT_FALSE(layers.empty());
    model.setLayers(layers);
    model.setTimes(std::vector<double>(layers.size(), 0.002));

    // Leaves in tree order are the network's nodes in order, each naming itself.
    const auto leaves = model.leafIndexes();
    ASSERT_EQ(leaves.size(), layers.size());
    for (size_t i = 0; i < leaves.size(); ++i) {
        EXPECT_EQ(leaves[i].data(LayerTreeModel::NodeRole).toInt(), static_cast<int>(i));
        EXPECT_EQ(leaves[i].data().toString(), QString::fromStdString(layers[i].name));
    }
    EXPECT_LT(model.rowCount(), static_cast<int>(layers.size())) << "some spec entries have several nodes";

    // block0 holds expand, dw and project; its row sums them and shows project's output.
    QModelIndex block0;
    for (int r = 0; r < model.rowCount(); ++r)
        if (model.index(r, 0).data().toString() == QStringLiteral("block0"))
            block0 = model.index(r, 0);
    ASSERT_TRUE(block0.isValid());
    ASSERT_EQ(model.rowCount(block0), 3);
    int64_t params = 0, madds = 0;
    for (const LayerInfo& l : layers)
        if (l.group == "block0") {
            params += l.params;
            madds += l.madds;
        }
    const auto col = [&](int c, int role = LayerTreeModel::SortRole) { return block0.siblingAtColumn(c).data(role); };
    EXPECT_EQ(col(LayerTableModel::ParamsColumn).toLongLong(), params);
    EXPECT_EQ(col(LayerTableModel::MaddsColumn).toLongLong(), madds);
    EXPECT_NEAR(col(LayerTableModel::TimeColumn).toDouble(), 0.006, 1e-12);
    const QModelIndex project = model.index(2, 0, block0);
    EXPECT_EQ(project.data().toString(), QStringLiteral("block0.project"));
    // The name column's tooltip is the whole name (the column elides long ones), only there.
    EXPECT_EQ(project.data(Qt::ToolTipRole).toString(), QStringLiteral("block0.project"));
    EXPECT_FALSE(project.siblingAtColumn(LayerTableModel::OpColumn).data(Qt::ToolTipRole).isValid());
    EXPECT_EQ(col(LayerTableModel::ShapeColumn, Qt::DisplayRole), project.siblingAtColumn(LayerTableModel::ShapeColumn).data());
    EXPECT_EQ(block0.data(LayerTreeModel::NodeRole), project.data(LayerTreeModel::NodeRole));

    // Lookups by node land on the item that shows it.
    const int dw = project.data(LayerTreeModel::NodeRole).toInt() - 1;
    EXPECT_EQ(model.indexOfNode(dw).data().toString(), QStringLiteral("block0.dw"));
    EXPECT_FALSE(model.indexOfNode(10000).isValid());
}

TEST(LayerTreeModel, PassesTheModelTesterThroughResetsAndSorting)
{
    LayerTreeModel model;
    QSortFilterProxyModel sorted;
    sorted.setSourceModel(&model);
    sorted.setSortRole(LayerTreeModel::SortRole);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester proxyTester(&sorted, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const auto layers = m4Layers();
    model.setLayers(layers);
    sorted.sort(LayerTableModel::MaddsColumn, Qt::DescendingOrder);
    model.setTimes({0.5});
    model.setLayers({});
    model.setLayers(layers);
    ASSERT_GT(sorted.rowCount(), 1);
    EXPECT_GE(sorted.index(0, LayerTableModel::MaddsColumn).data(LayerTreeModel::SortRole).toLongLong(),
              sorted.index(1, LayerTableModel::MaddsColumn).data(LayerTreeModel::SortRole).toLongLong());
}

} // namespace
} // namespace rnnpool::widgets
