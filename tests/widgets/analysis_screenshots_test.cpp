// Renders every analysis view, filled with the core's numbers for the
// built-in models, in a light and a dark palette. With RNNPOOL_SHOT_DIR set
// the pictures are kept there (for the README and for looking at them), e.g.
//   RNNPOOL_SHOT_DIR=/tmp/shots xvfb-run -a ./widgets_tests --gtest_filter='AnalysisScreenshots*'
// Without it they go to a scratch folder; either way each must be a real picture.
#include <QCoreApplication>
#include <QDir>
#include <QImage>
#include <QSet>

#include <gtest/gtest.h>

#include "analysis_test_support.h"

#include "model/model.h"
#include "profile/arena.h"
#include "widgets/board_panel.h"
#include "widgets/chart_style.h"
#include "widgets/compare_view.h"
#include "widgets/live_charts.h"
#include "widgets/palette.h"
#include "widgets/memory_timeline_view.h"
#include "widgets/sweep_view.h"

namespace rnnpool::widgets {
namespace {

QString shotPath(const QString& name)
{
    const QString dir = qEnvironmentVariable("RNNPOOL_SHOT_DIR");
    if (dir.isEmpty())
        return testing::scratchPath(name);
    QDir().mkpath(dir);
    return QDir(dir).filePath(name);
}

void shoot(QWidget& widget, const QString& name)
{
    const QSize size(1500, 900);
    for (const bool dark : {false, true}) {
        widget.setPalette(dark ? darkPalette() : QPalette());
        widget.resize(size);
        widget.show();
        QCoreApplication::processEvents();
        const QString path = shotPath(QStringLiteral("%1-%2.png").arg(name, dark ? QStringLiteral("dark") : QStringLiteral("light")));
        QString error;
        ASSERT_TRUE(saveWidgetPng(&widget, path, &error)) << error.toStdString();
        const QImage image(path);
        ASSERT_FALSE(image.isNull()) << path.toStdString();
        EXPECT_GE(image.width(), size.width() / 2);
        QSet<QRgb> colours; // a blank or failed render has a handful of colours
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        EXPECT_GT(colours.size(), 20) << path.toStdString();
    }
}

Board board(const std::string& name)
{
    auto b = findBoard(name);
    EXPECT_TRUE(b) << b.error();
    return b ? *b : Board{};
}

TEST(AnalysisScreenshots, LiveCharts)
{
    auto model = randomModel("RPool_Face_M4", 3);
    ASSERT_TRUE(model) << model.error();
    Network& net = *model->network;
    const Shape input{net.inputChannels(), 120, 160};
    const Schedule schedule = paperSchedule(net);
    auto timeline = buildTimeline(net, schedule, input, {});
    ASSERT_TRUE(timeline) << timeline.error();
    const MemoryPlan plan = planGreedyBySize(bufferRequests(*timeline));
    LiveCharts charts;
    const Board b = board("stm32f439zi");
    charts.setBudget(b.sramBytes, QString::fromStdString(b.name));
    for (int frame = 0; frame < 40; ++frame) {
        auto run = runInArena(net, schedule, *timeline, plan, Tensor(input, 0.01f * static_cast<float>(frame)));
        ASSERT_TRUE(run) << run.error();
        charts.addFrame(makeFrameRecord(net, run->result.layerSeconds, run->result.totalSeconds, run->highWaterBytes));
    }
    shoot(charts, QStringLiteral("live-charts"));
}

TEST(AnalysisScreenshots, MemoryTimeline)
{
    MemoryTimelineView view;
    const Board b = board("stm32f439zi");
    view.setBudget(b.sramBytes, QString::fromStdString(b.name));
    view.setProfile(testing::builtinProfile("RPool_Face_M4", "paper", ElementType::I8));
    shoot(view, QStringLiteral("memory-paper-i8"));
    view.setProfile(testing::builtinProfile("RPool_Face_M4", "layerwise", ElementType::I8));
    shoot(view, QStringLiteral("memory-layerwise-i8"));
}

TEST(AnalysisScreenshots, Compare)
{
    CompareView view;
    view.setArchitectureChoices({QStringLiteral("RPool_Face_M4"), QStringLiteral("RPool_Face_C")});
    view.setBoard(board("stm32f439zi"));
    view.setEntries({testing::builtinComparison("RPool_Face_M4", ElementType::I8),
                     testing::builtinComparison("RPool_Face_C", ElementType::I8),
                     testing::builtinComparison("RPool_Face_QVGA_monochrome", ElementType::I8)});
    shoot(view, QStringLiteral("compare"));
}

TEST(AnalysisScreenshots, Sweep)
{
    SweepView view;
    const Board b = board("stm32f439zi");
    view.setBudget(b.sramBytes, QString::fromStdString(b.name));
    auto spec = findArchitecture("RPool_Face_M4");
    ASSERT_TRUE(spec);
    ScheduleOptions options;
    options.dtype = ElementType::I8;
    const std::vector<std::string> values{"4", "8", "16", "32", "64"};
    view.setRequest(QStringLiteral("rnnpool.h1"), QStringLiteral("4,8,16,32,64"), ElementType::I8);
    view.startSweep(QStringLiteral("RPool_Face_M4"), QStringLiteral("rnnpool.h1"), static_cast<int>(values.size()));
    for (const std::string& v : values) {
        auto p = sweepPoint(*spec, "rnnpool.h1", v, options);
        ASSERT_TRUE(p) << p.error();
        view.addPoint(*p);
    }
    view.finishSweep({});
    shoot(view, QStringLiteral("sweep-h1"));
}

TEST(AnalysisScreenshots, BoardPanel)
{
    BoardPanel panel;
    panel.setBoards(builtinBoards());
    const ModelProfile p = testing::builtinProfile("RPool_Face_M4", "paper", ElementType::I8);
    panel.setFit(fitOnBoard(board("stm32f439zi"), p),
                 QStringLiteral("RPool_Face_M4 at %1×%2, paper schedule, i8").arg(p.input[2]).arg(p.input[1]));
    shoot(panel, QStringLiteral("board-fits"));
    const ModelProfile l = testing::builtinProfile("RPool_Face_M4", "layerwise", ElementType::F32);
    panel.setFit(fitOnBoard(board("nrf52840"), l),
                 QStringLiteral("RPool_Face_M4 at %1×%2, layerwise schedule, f32").arg(l.input[2]).arg(l.input[1]));
    shoot(panel, QStringLiteral("board-overflows"));
}

} // namespace
} // namespace rnnpool::widgets
