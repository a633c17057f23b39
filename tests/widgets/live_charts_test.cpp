#include <cmath>
#include <numeric>

#include <QFile>
#include <QImage>
#include <QToolButton>

#include <gtest/gtest.h>

#include <qcustomplot.h>

#include "analysis_test_support.h"
#include "qt_printers.h"

#include "model/model.h"
#include "profile/arena.h"
#include "widgets/live_charts.h"

namespace rnnpool::widgets {
namespace {

FrameRecord syntheticFrame(int i)
{
    FrameRecord r;
    r.groups = {{"rnnpool", 0.001 * i}, {"inverted_residual", 0.002}};
    r.totalSeconds = 0.001 * i + 0.002 + 0.0005;
    r.measuredPeakBytes = i % 3 == 0 ? -1 : 1000 * i;
    r.measuredInt8 = i % 2 == 0;
    return r;
}

QStringList csvLines(const QString& path)
{
    QFile file(path);
    EXPECT_TRUE(file.open(QIODevice::ReadOnly | QIODevice::Text)) << path.toStdString();
    return QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

TEST(LiveCharts, KeepsARollingWindowOfFrames)
{
    LiveCharts charts;
    charts.setWindow(10);
    for (int i = 1; i <= 30; ++i)
        charts.addFrame(syntheticFrame(i));
    ASSERT_EQ(charts.frames().size(), 10u);
    EXPECT_EQ(charts.frames().front().number, 21);
    EXPECT_EQ(charts.frames().back().number, 30);
    // The total graph shows exactly the kept frames, in milliseconds.
    QCPGraph* total = charts.plot()->graph(0);
    ASSERT_EQ(total->data()->size(), 10);
    EXPECT_DOUBLE_EQ(total->data()->at(0)->key, 21.0);
    EXPECT_NEAR(total->data()->at(9)->value, (0.030 + 0.0025) * 1000.0, 1e-9);
    // Frames without a measurement leave a gap in the peak series.
    EXPECT_EQ(charts.plot()->graph(1)->data()->size(), 6); // 21, 24, 27 and 30 are not measured
    charts.setWindow(4);
    EXPECT_EQ(charts.frames().size(), 4u);
    EXPECT_EQ(charts.frames().front().number, 27);
}

TEST(LiveCharts, PauseFreezesTheChartsButCountsFrames)
{
    LiveCharts charts;
    charts.addFrame(syntheticFrame(1));
    charts.setPaused(true);
    charts.addFrame(syntheticFrame(2));
    charts.addFrame(syntheticFrame(3));
    EXPECT_EQ(charts.frames().size(), 1u);
    charts.setPaused(false);
    charts.addFrame(syntheticFrame(4));
    ASSERT_EQ(charts.frames().size(), 2u);
    EXPECT_EQ(charts.frames().back().number, 4) << "frames offered while paused still count";
    charts.clear();
    EXPECT_TRUE(charts.frames().empty());
}

TEST(LiveCharts, CsvHasOneRowPerKeptFrameAndTheRecordedNumbers)
{
    LiveCharts charts;
    charts.setWindow(5);
    for (int i = 1; i <= 8; ++i)
        charts.addFrame(syntheticFrame(i));
    const QString path = testing::scratchPath(QStringLiteral("live.csv"));
    QString error;
    ASSERT_TRUE(charts.exportCsv(path, &error)) << error.toStdString();
    const QStringList lines = csvLines(path);
    ASSERT_EQ(lines.size(), 6);
    EXPECT_EQ(lines[0], QStringLiteral("frame,total_ms,rnnpool_ms,inverted_residual_ms,measured_peak_bytes,measured_arena"));
    for (int row = 1; row < lines.size(); ++row) {
        const int i = 3 + row; // frames 4..8
        const FrameRecord r = syntheticFrame(i);
        const QStringList cells = lines[row].split(QLatin1Char(','));
        ASSERT_EQ(cells.size(), 6) << lines[row].toStdString();
        EXPECT_EQ(cells[0].toInt(), i);
        EXPECT_NEAR(cells[1].toDouble(), r.totalSeconds * 1000.0, 1e-6);
        EXPECT_NEAR(cells[2].toDouble(), 0.001 * i * 1000.0, 1e-6);
        EXPECT_NEAR(cells[3].toDouble(), 2.0, 1e-6);
        EXPECT_EQ(cells[4], r.measuredPeakBytes < 0 ? QString() : QString::number(r.measuredPeakBytes));
        EXPECT_EQ(cells[5], r.measuredPeakBytes < 0 ? QString() : (r.measuredInt8 ? QStringLiteral("i8") : QStringLiteral("f32")));
    }
}

// The numerics switch decides which arena measures a frame; the chart says which measured what it shows.
TEST(LiveCharts, NamesTheArenaOfTheFramesShown)
{
    LiveCharts charts;
    FrameRecord f32;
    f32.totalSeconds = 0.01;
    f32.measuredPeakBytes = 120000;
    charts.addFrame(f32);
    EXPECT_TRUE(charts.memoryAxisLabel().contains(QStringLiteral("float32"))) << charts.memoryAxisLabel().toStdString();
    EXPECT_FALSE(charts.memoryAxisLabel().contains(QStringLiteral("int8")));
    FrameRecord i8 = f32;
    i8.measuredPeakBytes = 30000;
    i8.measuredInt8 = true;
    charts.addFrame(i8);
    EXPECT_TRUE(charts.memoryAxisLabel().contains(QStringLiteral("float32 and int8"))) << charts.memoryAxisLabel().toStdString();
    charts.startSource(QStringLiteral("next"));
    charts.addFrame(i8);
    EXPECT_TRUE(charts.memoryAxisLabel().contains(QStringLiteral("int8")));
    EXPECT_FALSE(charts.memoryAxisLabel().contains(QStringLiteral("float32"))) << charts.memoryAxisLabel().toStdString();
    EXPECT_TRUE(charts.ramNote().contains(QStringLiteral("int8 arena"))) << charts.ramNote().toStdString();
}

TEST(LiveCharts, ExportsPngAndPdfAndReportsBadPaths)
{
    LiveCharts charts;
    charts.resize(900, 600);
    charts.setBudget(256 * 1024, QStringLiteral("stm32f439zi"));
    for (int i = 1; i <= 20; ++i)
        charts.addFrame(syntheticFrame(i));
    QString error;
    const QString png = testing::scratchPath(QStringLiteral("live.png"));
    ASSERT_TRUE(charts.exportChart(png, &error)) << error.toStdString();
    const QImage image(png);
    EXPECT_FALSE(image.isNull());
    EXPECT_GT(image.width(), 100);
    const QString pdf = testing::scratchPath(QStringLiteral("live.pdf"));
    ASSERT_TRUE(charts.exportChart(pdf, &error)) << error.toStdString();
    QFile pdfFile(pdf);
    ASSERT_TRUE(pdfFile.open(QIODevice::ReadOnly));
    EXPECT_TRUE(pdfFile.read(5) == "%PDF-");

    EXPECT_FALSE(charts.exportChart(testing::scratchPath(QStringLiteral("live.bmpx")), &error));
    EXPECT_TRUE(error.contains(QStringLiteral("live.bmpx"))) << error.toStdString();
    const QString missing = QStringLiteral("/nonexistent-folder/live.csv");
    EXPECT_FALSE(charts.exportCsv(missing, &error));
    EXPECT_TRUE(error.contains(missing)) << error.toStdString();
    EXPECT_FALSE(charts.exportChart(QStringLiteral("/nonexistent-folder/live.png"), &error));
    EXPECT_TRUE(error.contains(QStringLiteral("/nonexistent-folder/live.png"))) << error.toStdString();
}

TEST(LiveCharts, ARealFrameOfRPoolFaceM4)
{
    // One frame as the live loop makes it: the network run in the metered arena.
    auto model = randomModel("RPool_Face_M4", 7);
    ASSERT_TRUE(model) << model.error();
    Network& net = *model->network;
    const Shape input{net.inputChannels(), 48, 64};
    const Schedule schedule = layerwiseSchedule(net);
    auto timeline = buildTimeline(net, schedule, input, {});
    ASSERT_TRUE(timeline) << timeline.error();
    auto run = runInArena(net, schedule, *timeline, planGreedyBySize(bufferRequests(*timeline)), Tensor(input, 0.5f));
    ASSERT_TRUE(run) << run.error();
    const FrameRecord record = makeFrameRecord(net, run->result.layerSeconds, run->result.totalSeconds, run->highWaterBytes);

    const double layerSum = std::accumulate(run->result.layerSeconds.begin(), run->result.layerSeconds.end(), 0.0);
    EXPECT_GT(layerSum, 0.0) << "the arena run times its steps";
    EXPECT_NEAR(record.totalSeconds, layerSum, 1e-9);
    const double groupSum = std::accumulate(record.groups.begin(), record.groups.end(), 0.0,
                                            [](double s, const LayerGroupTime& g) { return s + g.seconds; });
    EXPECT_NEAR(groupSum, layerSum, 1e-12);
    std::vector<std::string> names;
    for (const LayerGroupTime& g : record.groups)
        names.push_back(g.group);
    EXPECT_EQ(names, (std::vector<std::string>{"conv_bn_act", "rnnpool", "inverted_residual", "l2norm", "conv",
                                               "background_maxout"}));
    EXPECT_EQ(record.measuredPeakBytes, timeline->peakBytes) << "the arena's high-water mark is the planned peak";

    LiveCharts charts;
    charts.addFrame(record);
    EXPECT_EQ(charts.groups().size(), 6);
    EXPECT_DOUBLE_EQ(charts.plot()->graph(1)->data()->at(0)->value, static_cast<double>(timeline->peakBytes) / 1024.0);
}

TEST(LiveCharts, TheFrameAxisCountsTheSourcesFramesWithIntegerTicks)
{
    LiveCharts charts;
    charts.resize(900, 600);
    charts.show();
    // One picture: one point, frame 1, in the middle of the axis, not under the legend.
    charts.addFrame(syntheticFrame(1), 1);
    charts.plot()->replot();
    QCPAxis* x = charts.plot()->graph(0)->keyAxis();
    EXPECT_DOUBLE_EQ(x->range().lower, 0.5);
    EXPECT_DOUBLE_EQ(x->range().upper, 1.5);
    for (double tick : x->tickVector())
        EXPECT_DOUBLE_EQ(tick, std::round(tick)) << "a frame number is a whole number";
    const QRect legend = charts.plot()->legend->outerRect();
    const QRect latency = charts.plot()->graph(0)->keyAxis()->axisRect()->rect();
    EXPECT_FALSE(legend.intersects(latency)) << "the legend sits above the charts";
    // A video's frames keep their numbers when some are dropped: 12 frames, 11 results.
    charts.startSource(QStringLiteral("video"));
    EXPECT_TRUE(charts.frames().empty());
    for (int f = 1; f <= 12; ++f)
        if (f != 5)
            charts.addFrame(syntheticFrame(f), f);
    ASSERT_EQ(charts.frames().size(), 11u);
    EXPECT_EQ(charts.frames().back().number, 12);
    charts.plot()->replot();
    EXPECT_DOUBLE_EQ(x->range().upper, 12.5);
    for (double tick : x->tickVector())
        EXPECT_DOUBLE_EQ(tick, std::round(tick));
    // The int8 deployment peak is drawn beside the float32 curve and explained.
    charts.setDeploymentPeak(115360, QStringLiteral("i8 at 320x240"));
    EXPECT_EQ(charts.deploymentPeakBytes(), 115360);
    EXPECT_TRUE(charts.ramNote().contains(QStringLiteral("i8 at 320x240"))) << charts.ramNote().toStdString();
    EXPECT_TRUE(charts.ramNote().contains(QStringLiteral("float32")));
}

TEST(LiveCharts, HiddenChartsKeepTheirDataAndDrawWhenShown)
{
    LiveCharts charts;
    charts.addFrame(syntheticFrame(1), 1);
    EXPECT_TRUE(charts.replotPending()) << "never shown: not drawn";
    EXPECT_EQ(charts.plot()->graph(0)->data()->size(), 1);
    charts.show();
    EXPECT_FALSE(charts.replotPending());
}

} // namespace
} // namespace rnnpool::widgets
