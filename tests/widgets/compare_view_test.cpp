#include <QAbstractItemModelTester>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QTableView>

#include <gtest/gtest.h>

#include <qcustomplot.h>

#include "analysis_test_support.h"
#include "qt_printers.h"

#include "widgets/chart_style.h"
#include "widgets/compare_view.h"

namespace rnnpool::widgets {
namespace {

using testing::builtinComparison;
using testing::cliJson;

const std::vector<std::string> kArchs{"RPool_Face_M4", "RPool_Face_C", "RPool_Face_QVGA_monochrome"};

std::vector<ArchitectureComparison> comparisons(ElementType dtype)
{
    std::vector<ArchitectureComparison> out;
    for (const std::string& a : kArchs)
        out.push_back(builtinComparison(a, dtype));
    return out;
}

QString cell(const CompareTableModel& m, int row, int column, int role = Qt::DisplayRole)
{
    return m.data(m.index(row, column), role).toString();
}

TEST(CompareTableModel, NumbersEqualRnnpoolCompareAndProfileBoard)
{
    CompareTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setEntries(comparisons(ElementType::I8));
    auto board = findBoard("stm32f439zi");
    ASSERT_TRUE(board);
    model.setBoard(*board, QStringLiteral("paper"));

    const nlohmann::json cli = cliJson("compare RPool_Face_M4 RPool_Face_C RPool_Face_QVGA_monochrome --dtype i8 --json");
    ASSERT_EQ(cli.size(), kArchs.size());
    ASSERT_EQ(model.rowCount(), 3);
    for (int row = 0; row < 3; ++row) {
        SCOPED_TRACE(kArchs[static_cast<size_t>(row)]);
        const auto& c = cli[static_cast<size_t>(row)];
        EXPECT_EQ(cell(model, row, CompareTableModel::NameColumn).toStdString(), c["arch"].get<std::string>());
        EXPECT_EQ(model.data(model.index(row, CompareTableModel::ParamsColumn), CompareTableModel::SortRole).toLongLong(),
                  c["params"].get<int64_t>());
        EXPECT_EQ(model.data(model.index(row, CompareTableModel::MaddsColumn), CompareTableModel::SortRole).toLongLong(),
                  c["madds"].get<int64_t>());
        EXPECT_EQ(model.data(model.index(row, CompareTableModel::LayerwisePeakColumn), CompareTableModel::SortRole).toLongLong(),
                  c["peak_bytes"]["layerwise"].get<int64_t>());
        EXPECT_EQ(model.data(model.index(row, CompareTableModel::PaperPeakColumn), CompareTableModel::SortRole).toLongLong(),
                  c["peak_bytes"]["paper"].get<int64_t>());
        EXPECT_EQ(cell(model, row, CompareTableModel::PaperPeakColumn), kibText(c["peak_bytes"]["paper"].get<int64_t>()));

        const nlohmann::json fit =
            cliJson("profile --arch " + kArchs[static_cast<size_t>(row)] + " --schedule paper --dtype i8 --board stm32f439zi --json");
        EXPECT_EQ(model.data(model.index(row, CompareTableModel::FlashColumn), CompareTableModel::SortRole).toLongLong(),
                  fit["flash_needed"].get<int64_t>());
        EXPECT_EQ(model.data(model.index(row, CompareTableModel::FitColumn), CompareTableModel::SortRole).toLongLong(),
                  fit["sram_headroom"].get<int64_t>());
        EXPECT_EQ(cell(model, row, CompareTableModel::FitColumn).startsWith(QStringLiteral("fits")), fit["fits"].get<bool>());
    }
    EXPECT_EQ(model.headerData(CompareTableModel::FitColumn, Qt::Horizontal).toString(),
              QStringLiteral("Fit on stm32f439zi (paper)"));
}

TEST(CompareTableModel, LatencyColumnsFollowTheEstimates)
{
    CompareTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setEntries(comparisons(ElementType::I8));
    EXPECT_EQ(model.columnCount(), CompareTableModel::FixedColumnCount);
    model.setLatencies({{{QStringLiteral("naive"), 900.0}, {QStringLiteral("cmsis-nn"), 250.5}},
                        {{QStringLiteral("cmsis-nn"), 120.0}}});
    ASSERT_EQ(model.columnCount(), CompareTableModel::FixedColumnCount + 2);
    const int naive = CompareTableModel::FixedColumnCount, cmsis = naive + 1;
    EXPECT_EQ(model.headerData(cmsis, Qt::Horizontal).toString(), QStringLiteral("Latency cmsis-nn (ms)"));
    EXPECT_DOUBLE_EQ(model.data(model.index(0, cmsis), CompareTableModel::SortRole).toDouble(), 250.5);
    EXPECT_DOUBLE_EQ(model.data(model.index(1, cmsis), CompareTableModel::SortRole).toDouble(), 120.0);
    EXPECT_FALSE(model.data(model.index(1, naive)).isValid()) << "no estimate: an empty cell";
    EXPECT_FALSE(model.data(model.index(2, cmsis)).isValid()) << "fewer latency rows than entries";
    model.setEntries({});
    EXPECT_EQ(model.rowCount(), 0);
    EXPECT_EQ(model.columnCount(), CompareTableModel::FixedColumnCount);
}

TEST(CompareView, OverlaysOneTimelineAndOnePerLayerLinePerEntry)
{
    CompareView view;
    view.resize(1400, 800);
    auto board = findBoard("nrf52840");
    ASSERT_TRUE(board);
    view.setBoard(*board);
    const auto entries = comparisons(ElementType::I8);
    view.setEntries(entries);
    EXPECT_TRUE(view.message().isEmpty());
    view.setSchedule(QStringLiteral("layerwise"));
    EXPECT_EQ(view.schedule(), QStringLiteral("layerwise"));
    int timelines = 0, layers = 0, bars = 0;
    for (int i = 0; i < view.plot()->plottableCount(); ++i) {
        if (auto* g = qobject_cast<QCPGraph*>(view.plot()->plottable(i))) {
            const bool perLayer = g->keyAxis()->axisRect() != view.plot()->axisRect(0) &&
                                  g->keyAxis()->label() != QStringLiteral("Schedule step");
            const size_t e = static_cast<size_t>(perLayer ? layers : timelines);
            const ModelProfile& p = entries[e].layerwise;
            if (perLayer) {
                EXPECT_EQ(g->data()->size(), static_cast<int>(p.liveAtLayer.size()));
                ++layers;
                continue;
            }
            ASSERT_EQ(g->data()->size(), static_cast<int>(p.timeline.liveBytes.size()));
            double top = 0.0;
            for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
                top = std::max(top, it->value);
            EXPECT_DOUBLE_EQ(top, static_cast<double>(p.timeline.peakBytes) / 1024.0);
            ++timelines;
        } else if (qobject_cast<QCPBars*>(view.plot()->plottable(i))) {
            ++bars;
        }
    }
    EXPECT_EQ(timelines, 3);
    EXPECT_EQ(layers, 3);
    EXPECT_EQ(bars, 0) << "no grouped translucent bars";
    view.setEntries({entries.front()});
    EXPECT_FALSE(view.message().isEmpty()) << "one entry asks for another";
}

TEST(CompareView, RemoveSelectedAsksForEverySelectedRow)
{
    CompareView view;
    view.resize(1400, 800);
    std::vector<ArchitectureComparison> entries = comparisons(ElementType::I8);
    entries.push_back(builtinComparison("RPool_Face_M4", ElementType::I8));
    entries.push_back(builtinComparison("RPool_Face_C", ElementType::I8));
    view.setEntries(entries);
    QList<int> asked;
    QObject::connect(&view, &CompareView::removeRowsRequested, [&](const QList<int>& rows) { asked = rows; });
    auto* selection = view.tableView()->selectionModel();
    for (int row : {0, 2, 3})
        selection->select(view.tableView()->model()->index(row, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    view.removeSelected();
    EXPECT_EQ(asked, (QList<int>{3, 2, 0}));
}

TEST(CompareView, ALongPathKeepsTheLegendInsideAndTheFitColumnOnScreen)
{
    CompareView view;
    view.resize(1200, 700);
    auto board = findBoard("stm32f439zi");
    ASSERT_TRUE(board);
    view.setBoard(*board);
    std::vector<ArchitectureComparison> entries = comparisons(ElementType::I8);
    entries[0].label = "/home/someone/projects/face-detection/experiments/2026-11-30/checkpoints/rpool_face_m4_final.safetensors";
    view.setEntries(entries);
    view.show();
    view.plot()->replot();
    const QRect legend = view.plot()->legend->outerRect();
    EXPECT_GE(legend.left(), 0);
    EXPECT_LE(legend.right(), view.plot()->width());
    auto* header = view.tableView()->horizontalHeader();
    const int fitRight = header->sectionViewportPosition(CompareTableModel::FitColumn) + header->sectionSize(CompareTableModel::FitColumn);
    EXPECT_LE(fitRight, view.tableView()->viewport()->width());
    view.hide();
}

TEST(CompareView, ALongLegendSqueezesNeitherChart)
{
    // The studio's width for the tab at 1280x800: the legend's long first label once
    // widened the first chart's column and left the per-layer chart a sliver.
    CompareView view;
    view.resize(670, 600);
    std::vector<ArchitectureComparison> entries = comparisons(ElementType::I8);
    entries[0].label = "/work/main/resources/models/rnnpool_face_m4.safetensors";
    view.setEntries(entries);
    view.show();
    view.plot()->replot();
    const QList<QCPAxisRect*> rects = view.plot()->axisRects();
    ASSERT_EQ(rects.size(), 2);
    for (QCPAxisRect* rect : rects) {
        SCOPED_TRACE(rect->axis(QCPAxis::atBottom)->label().toStdString());
        EXPECT_GE(rect->width(), view.plot()->width() / 4);
    }
    EXPECT_GE(view.plot()->legend->outerRect().width(), view.plot()->width() / 2) << "the legend spans both charts";
    view.hide();
}

} // namespace
} // namespace rnnpool::widgets
