#include <QAbstractItemModelTester>
#include <QLocale>
#include <QSignalSpy>

#include <gtest/gtest.h>

#include "m4_layers.h"
#include "qt_printers.h"

#include "model/model.h"
#include "widgets/layer_table_model.h"

namespace rnnpool::widgets {
namespace {

QString cell(const LayerTableModel& model, int row, int column)
{
    return model.data(model.index(row, column)).toString();
}

TEST(LayerTableModel, PassesTheModelTesterThroughResetsAndTimes)
{
    LayerTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const auto layers = m4Layers();
    ASSERT_FALSE(layers.empty());
    model.setLayers(layers);
    std::vector<double> seconds(layers.size(), 0.001);
    model.setTimes(seconds);
    model.setTimes({0.5});           // shorter than the rows
    model.setTimes(std::vector<double>(layers.size() + 3, 0.25)); // longer
    model.clearTimes();
    model.setLayers({});
    model.setLayers(layers);
    EXPECT_EQ(model.rowCount(), static_cast<int>(layers.size()));
}

TEST(LayerTableModel, ShowsEveryLayerOfRPoolFaceM4)
{
    LayerTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const auto layers = m4Layers();
    ASSERT_FALSE(layers.empty());
    model.setLayers(layers);

    ASSERT_EQ(model.rowCount(), static_cast<int>(layers.size()));
    EXPECT_EQ(model.columnCount(), 7);
    EXPECT_EQ(model.rowCount(model.index(0, 0)), 0); // a table: no children
    for (size_t i = 0; i < layers.size(); ++i) {
        const int row = static_cast<int>(i);
        const LayerInfo& l = layers[i];
        SCOPED_TRACE(l.name);
        EXPECT_EQ(cell(model, row, LayerTableModel::NameColumn), QString::fromStdString(l.name));
        EXPECT_EQ(cell(model, row, LayerTableModel::OpColumn), QString::fromStdString(l.op));
        ASSERT_EQ(l.outputShape.size(), 3u);
        EXPECT_EQ(cell(model, row, LayerTableModel::ShapeColumn),
                  QStringLiteral("%1×%2×%3").arg(l.outputShape[2]).arg(l.outputShape[1]).arg(l.outputShape[0]));
        EXPECT_EQ(cell(model, row, LayerTableModel::ParamsColumn), QLocale().toString(static_cast<qlonglong>(l.params)));
        EXPECT_EQ(cell(model, row, LayerTableModel::MaddsColumn), QLocale().toString(static_cast<qlonglong>(l.madds)));
        EXPECT_EQ(model.data(model.index(row, LayerTableModel::MaddsColumn), LayerTableModel::SortRole).toLongLong(),
                  l.madds);
        // float32 output: 4 bytes per element of C×H×W, counted independently here.
        const qlonglong bytes = 4LL * l.outputShape[0] * l.outputShape[1] * l.outputShape[2];
        EXPECT_EQ(model.data(model.index(row, LayerTableModel::BytesColumn), LayerTableModel::SortRole).toLongLong(), bytes);
        EXPECT_EQ(cell(model, row, LayerTableModel::BytesColumn), QLocale().toString(bytes));
        EXPECT_TRUE(cell(model, row, LayerTableModel::TimeColumn).isEmpty()) << "no time before a run";
    }
    // The first layer sees the whole picture: 240×320 spatially or less, never more.
    EXPECT_LE(layers.front().outputShape[1], 240);
}

TEST(LayerTableModel, HeadersNameTheColumns)
{
    LayerTableModel model;
    const QStringList expected{QStringLiteral("Layer"),      QStringLiteral("Op"),    QStringLiteral("Output (W×H×C)"),
                               QStringLiteral("Params"), QStringLiteral("MAdds"), QStringLiteral("Bytes"),
                               QStringLiteral("Time (ms)")};
    ASSERT_EQ(model.columnCount(), expected.size());
    for (int c = 0; c < model.columnCount(); ++c)
        EXPECT_EQ(model.headerData(c, Qt::Horizontal).toString(), expected[c]);
}

TEST(LayerTableModel, TimesFillTheTimeColumnInMilliseconds)
{
    LayerTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const auto layers = m4Layers();
    ASSERT_GE(layers.size(), 2u);
    model.setLayers(layers);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    std::vector<double> seconds(layers.size(), 0.0);
    seconds[0] = 0.0123456;
    seconds[1] = 2.0;
    model.setTimes(seconds);
    EXPECT_EQ(changed.count(), 1);
    EXPECT_EQ(cell(model, 0, LayerTableModel::TimeColumn), QLocale().toString(12.346, 'f', 3));
    EXPECT_EQ(cell(model, 1, LayerTableModel::TimeColumn), QLocale().toString(2000.0, 'f', 3));
    EXPECT_DOUBLE_EQ(model.data(model.index(1, LayerTableModel::TimeColumn), LayerTableModel::SortRole).toDouble(), 2.0);

    model.setTimes({0.001}); // fewer times than rows: the rest stay empty
    EXPECT_FALSE(cell(model, 0, LayerTableModel::TimeColumn).isEmpty());
    EXPECT_TRUE(cell(model, 1, LayerTableModel::TimeColumn).isEmpty());

    model.setLayers(layers); // new rows drop the old times
    EXPECT_TRUE(cell(model, 0, LayerTableModel::TimeColumn).isEmpty());
}

} // namespace
} // namespace rnnpool::widgets
