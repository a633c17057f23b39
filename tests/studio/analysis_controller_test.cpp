// AnalysisController and AnalysisTabs, the analysis tabs' wiring: what they
// compute off the UI thread reaches the views, and equals what `rnnpool
// profile`, `compare` and `sweep` print for the same inputs.
#include <map>

#include <QLocale>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>

#include <gtest/gtest.h>

#include "mcu/board.h"
#include "model/default_model.h"
#include "model/model.h"
#include "profile/pyramid_profile.h"
#include "studio/analysis_controller.h"
#include "studio/analysis_tabs.h"
#include "studio_test_support.h"
#include "widgets/analysis_test_support.h"
#include "widgets/board_panel.h"
#include "widgets/compare_table_model.h"
#include "widgets/compare_view.h"
#include "widgets/live_charts.h"
#include "widgets/memory_timeline_view.h"
#include "widgets/sweep_view.h"

namespace rnnpool::studio {
namespace {

using testing::waitUntil;
using widgets::testing::cliJson;

ArchSpec architecture(const std::string& name)
{
    auto spec = findArchitecture(name);
    EXPECT_TRUE(spec) << spec.error();
    return spec ? *spec : ArchSpec{};
}

const Shape kQvgaMono{1, 240, 320};

TEST(AnalysisController, ProfileEqualsTheCommandLine)
{
    for (const char* schedule : {"paper", "linebuffer"}) {
        AnalysisController c;
        c.setModel(architecture("rnnpool-face-m4"), kQvgaMono);
        std::optional<ModelProfile> got;
        QObject::connect(&c, &AnalysisController::profileReady, [&](const ModelProfile& p) { got = p; });
        ScheduleOptions options;
        options.dtype = ElementType::I8;
        c.requestProfile(QString::fromLatin1(schedule), options);
        ASSERT_TRUE(waitUntil([&] { return got.has_value(); })) << schedule;
        const auto cli = cliJson(std::string("profile --arch rnnpool-face-m4 --schedule ") + schedule + " --dtype i8 --json");
        ASSERT_FALSE(cli.is_null());
        EXPECT_EQ(got->timeline.peakBytes, cli["peak_bytes"].get<int64_t>()) << schedule;
        EXPECT_EQ(got->params, cli["params"].get<int64_t>());
        EXPECT_EQ(got->madds, cli["madds"].get<int64_t>());
        EXPECT_EQ(got->peakStepName(), cli["peak_layer"].get<std::string>()) << schedule;
    }
}

TEST(AnalysisController, ANewerProfileRequestReplacesAWaitingOne)
{
    AnalysisController c;
    c.setModel(architecture("rnnpool-face-m4"), kQvgaMono);
    std::vector<int64_t> peaks;
    QObject::connect(&c, &AnalysisController::profileReady, [&](const ModelProfile& p) { peaks.push_back(p.timeline.peakBytes); });
    ScheduleOptions f32, i16, i8;
    i16.dtype = ElementType::I16;
    i8.dtype = ElementType::I8;
    c.requestProfile(QStringLiteral("paper"), f32); // starts; stale once a newer one is asked for
    c.requestProfile(QStringLiteral("paper"), i16); // waits, then is replaced
    c.requestProfile(QStringLiteral("paper"), i8);
    ASSERT_TRUE(waitUntil([&] { return !c.isBusy() && !peaks.empty(); }));
    QTest::qWait(50);
    // Only the newest request is reported.
    ASSERT_EQ(peaks.size(), 1u);
    const auto cliI8 = cliJson("profile --arch rnnpool-face-m4 --schedule paper --dtype i8 --json");
    EXPECT_EQ(peaks[0], cliI8["peak_bytes"].get<int64_t>());
}

TEST(AnalysisController, ComparisonEqualsTheCommandLine)
{
    AnalysisController c;
    std::vector<ArchitectureComparison> got;
    QStringList problems;
    bool ready = false;
    QObject::connect(&c, &AnalysisController::compareReady,
                     [&](const std::vector<ArchitectureComparison>& e, const QStringList& p) {
                         got = e;
                         problems = p;
                         ready = true;
                     });
    QSignalSpy progress(&c, &AnalysisController::compareProgress);
    std::vector<CompareSource> sources{{QStringLiteral("rnnpool-face-m4"), {}, {}, {}},
                                       {QStringLiteral("mobilenetv2-0.35-vww-rnnpool"), {}, {}, {}},
                                       {{}, QStringLiteral("/no/such/model.pth"), {}, {}}};
    c.requestCompare(sources, std::nullopt, ScheduleOptions{});
    ASSERT_TRUE(waitUntil([&] { return ready; }));
    EXPECT_FALSE(progress.isEmpty());
    const auto cli = cliJson("compare rnnpool-face-m4 mobilenetv2-0.35-vww-rnnpool --json");
    ASSERT_TRUE(cli.is_array());
    ASSERT_EQ(got.size(), 2u) << problems.join(QLatin1Char('\n')).toStdString();
    for (size_t i = 0; i < 2; ++i) {
        SCOPED_TRACE(got[i].summary.arch);
        EXPECT_EQ(got[i].summary.arch, cli[i]["arch"].get<std::string>());
        EXPECT_EQ(got[i].summary.params, cli[i]["params"].get<int64_t>());
        EXPECT_EQ(got[i].summary.madds, cli[i]["madds"].get<int64_t>());
        EXPECT_EQ(got[i].summary.paperPeak, cli[i]["peak_bytes"]["paper"].get<int64_t>());
        EXPECT_EQ(got[i].summary.layerwisePeak, cli[i]["peak_bytes"]["layerwise"].get<int64_t>());
    }
    // The missing file is reported by name, and the others still compared.
    ASSERT_EQ(problems.size(), 1);
    EXPECT_TRUE(problems.front().contains(QStringLiteral("/no/such/model.pth"))) << problems.front().toStdString();
}

TEST(AnalysisController, SweepEqualsTheCommandLineAndCanBeCancelled)
{
    AnalysisController c;
    c.setModel(architecture("rnnpool-face-m4"), kQvgaMono);
    std::vector<SweepPoint> points;
    std::optional<QString> finished;
    QObject::connect(&c, &AnalysisController::sweepPointReady, [&](const SweepPoint& p) { points.push_back(p); });
    QObject::connect(&c, &AnalysisController::sweepFinished, [&](const QString& problem) { finished = problem; });
    c.requestSweep(QStringLiteral("rnnpool.h1"), {QStringLiteral("4"), QStringLiteral("8"), QStringLiteral("16")},
                   ScheduleOptions{});
    ASSERT_TRUE(waitUntil([&] { return finished.has_value(); }));
    EXPECT_TRUE(finished->isEmpty()) << finished->toStdString();
    const auto cli = cliJson("sweep --arch rnnpool-face-m4 --param rnnpool.h1 --values 4,8,16 --json");
    ASSERT_EQ(points.size(), 3u);
    ASSERT_EQ(cli["rows"].size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
        const auto& row = cli["rows"][i];
        EXPECT_EQ(points[i].value, row["value"].get<std::string>());
        EXPECT_EQ(points[i].summary.madds, row["madds"].get<int64_t>());
        EXPECT_EQ(points[i].summary.params, row["params"].get<int64_t>());
        EXPECT_EQ(points[i].summary.paperPeak, row["peak_bytes"]["paper"].get<int64_t>());
    }

    // Twenty input sizes, cancelled at once: it stops early and says so.
    points.clear();
    finished.reset();
    QStringList sizes;
    for (int w = 160; w < 160 + 20 * 32; w += 32)
        sizes << QStringLiteral("%1x%2").arg(w).arg(w * 3 / 4);
    c.requestSweep(QStringLiteral("input"), sizes, ScheduleOptions{});
    EXPECT_TRUE(c.isSweeping());
    c.cancelSweep();
    ASSERT_TRUE(waitUntil([&] { return finished.has_value(); }));
    EXPECT_FALSE(finished->isEmpty());
    EXPECT_LT(points.size(), static_cast<size_t>(sizes.size()));
}

TEST(AnalysisTabs, TheModelReachesTheMemoryViewTheBoardPanelAndTheCompareTable)
{
    AnalysisTabs tabs;
    QSignalSpy problems(&tabs, &AnalysisTabs::problem);
    tabs.setModel(architecture("rnnpool-face-m4"), kQvgaMono, QStringLiteral("RPool_Face_M4.pth"));
    ASSERT_TRUE(waitUntil([&] { return !tabs.controller().isBusy() && tabs.memoryView()->profile() &&
                                       tabs.compareView()->table()->rowCount() > 0; }));
    EXPECT_TRUE(problems.isEmpty()) << problems.front().front().toString().toStdString();
    // The memory view starts as an M4 deployment runs: paper schedule, int8.
    const auto cli = cliJson("profile --arch rnnpool-face-m4 --schedule paper --dtype i8 --board stm32f439zi --json");
    ASSERT_FALSE(cli.is_null());
    EXPECT_EQ(tabs.memoryView()->profile()->timeline.peakBytes, cli["peak_bytes"].get<int64_t>());
    ASSERT_TRUE(tabs.boardPanel()->hasFit());
    const FitReport& fit = tabs.boardPanel()->fit();
    EXPECT_EQ(tabs.boardPanel()->boardName().toStdString(), cli["board"].get<std::string>());
    EXPECT_EQ(fit.sramNeeded, cli["sram_needed"].get<int64_t>());
    EXPECT_EQ(fit.flashNeeded, cli["flash_needed"].get<int64_t>());
    EXPECT_EQ(fit.fits, cli["fits"].get<bool>());
    // The compare table starts with the model, then the other face detectors.
    EXPECT_EQ(tabs.compareView()->table()->index(0, 0).data().toString(), QStringLiteral("RPool_Face_M4.pth"));
    EXPECT_GT(tabs.compareView()->table()->rowCount(), 3);
}

std::shared_ptr<const FaceDetector> defaultDetector()
{
    auto model = loadModel(defaultModelPath());
    EXPECT_TRUE(model) << model.error();
    return model ? std::make_shared<const FaceDetector>(std::move(*model)) : nullptr;
}

TEST(AnalysisController, ThePyramidIsProfiledWhenTheDetectorRunsOne)
{
    ScheduleOptions options;
    options.dtype = ElementType::I8;
    const auto cli = cliJson("profile --arch rnnpool-face-m4 --schedule paper --dtype i8 --pyramid 3 --json");
    ASSERT_FALSE(cli.is_null());
    for (const bool withDetector : {false, true}) {
        AnalysisController c;
        auto detector = withDetector ? defaultDetector() : nullptr;
        ASSERT_TRUE(!withDetector || detector);
        c.setModel(architecture("rnnpool-face-m4"), kQvgaMono, detector);
        std::optional<std::vector<PyramidLevelProfile>> levels;
        bool profiled = false;
        QObject::connect(&c, &AnalysisController::pyramidReady, [&](const std::vector<PyramidLevelProfile>& l, const QString& problem) {
            EXPECT_TRUE(problem.isEmpty()) << problem.toStdString();
            EXPECT_FALSE(profiled) << "the pyramid comes before the profile";
            levels = l;
        });
        QObject::connect(&c, &AnalysisController::profileReady, [&](const ModelProfile&) { profiled = true; });
        c.requestProfile(QStringLiteral("paper"), options);
        ASSERT_TRUE(waitUntil([&] { return profiled; }));
        ASSERT_TRUE(levels.has_value());
        if (!withDetector) { // an architecture without weights: no detector, the input alone
            EXPECT_TRUE(levels->empty());
            continue;
        }
        const auto& cliLevels = cli["pyramid"]["levels"];
        ASSERT_EQ(levels->size(), cliLevels.size());
        for (size_t k = 0; k < levels->size(); ++k) {
            EXPECT_EQ((*levels)[k].input[2], cliLevels[k]["width"].get<int64_t>());
            EXPECT_EQ((*levels)[k].peakBytes, cliLevels[k]["peak_bytes"].get<int64_t>()) << k;
            EXPECT_EQ((*levels)[k].madds, cliLevels[k]["madds"].get<int64_t>()) << k;
        }
    }
}

TEST(AnalysisTabs, TheDefaultModelsPyramidReachesTheMemoryAndM4Tabs)
{
    auto detector = defaultDetector();
    ASSERT_TRUE(detector);
    AnalysisTabs tabs;
    tabs.setModel(detector->model().spec(), kQvgaMono, QStringLiteral("rnnpool_face_m4.safetensors"), detector);
    ASSERT_TRUE(waitUntil([&] { return !tabs.controller().isBusy() && tabs.boardPanel()->hasFit(); }));
    const auto cli = cliJson("profile --arch rnnpool-face-m4 --schedule paper --dtype i8 --pyramid 3 --json");
    ASSERT_FALSE(cli.is_null());
    for (const auto& level : cli["pyramid"]["levels"]) {
        const QString size = QStringLiteral("%1×%2").arg(level["width"].get<int>()).arg(level["height"].get<int>());
        EXPECT_TRUE(tabs.memoryView()->pyramidText().contains(size)) << tabs.memoryView()->pyramidText().toStdString();
        EXPECT_TRUE(tabs.boardPanel()->pyramidText().contains(size)) << tabs.boardPanel()->pyramidText().toStdString();
    }
    // The pyramid's latency: each cost profile's estimate at every level, summed (the CLI's, level by level).
    std::map<std::string, double> expected;
    for (const char* size : {"320x240", "160x120", "80x60"}) {
        const auto level = cliJson(std::string("profile --arch rnnpool-face-m4 --input ") + size +
                                   " --schedule paper --dtype i8 --board stm32f439zi --json");
        ASSERT_FALSE(level.is_null()) << size;
        for (const auto& [profile, ms] : level["latency_ms"].items())
            expected[profile] += ms.get<double>();
    }
    QTableWidget* table = tabs.boardPanel()->latencyTable();
    ASSERT_EQ(table->columnCount(), 3);
    ASSERT_EQ(static_cast<size_t>(table->rowCount()), expected.size());
    for (int row = 0; row < table->rowCount(); ++row) {
        const std::string profile = table->item(row, 0)->text().toStdString();
        ASSERT_TRUE(expected.count(profile)) << profile;
        EXPECT_EQ(table->item(row, 2)->text(), QLocale().toString(expected[profile], 'f', 1)) << profile;
    }
}

TEST(AnalysisTabs, TheBoardIsSharedByEveryTabAndABadOneIsRefused)
{
    AnalysisTabs tabs;
    tabs.setModel(architecture("rnnpool-face-m4"), kQvgaMono, {});
    ASSERT_TRUE(waitUntil([&] { return !tabs.controller().isBusy() && tabs.boardPanel()->hasFit(); }));
    auto nrf = findBoard("nrf52840");
    ASSERT_TRUE(nrf) << nrf.error();
    tabs.setBoard(QStringLiteral("nrf52840"));
    EXPECT_EQ(tabs.board().name, "nrf52840");
    EXPECT_EQ(tabs.liveCharts()->budgetBytes(), nrf->sramBytes);
    EXPECT_EQ(tabs.boardPanel()->boardName(), QStringLiteral("nrf52840"));
    EXPECT_EQ(tabs.boardPanel()->fit().board.name, "nrf52840");
    const auto cli = cliJson("profile --arch rnnpool-face-m4 --schedule paper --dtype i8 --board nrf52840 --json");
    EXPECT_EQ(tabs.boardPanel()->fit().fits, cli["fits"].get<bool>());
    EXPECT_EQ(tabs.boardPanel()->fit().sramHeadroom, cli["sram_headroom"].get<int64_t>());

    QSignalSpy problems(&tabs, &AnalysisTabs::problem);
    tabs.setBoard(QStringLiteral("no-such-board"));
    ASSERT_EQ(problems.size(), 1);
    EXPECT_TRUE(problems.front().front().toString().contains(QStringLiteral("no-such-board")));
    EXPECT_EQ(tabs.board().name, "nrf52840"); // kept
    EXPECT_EQ(tabs.liveCharts()->budgetBytes(), nrf->sramBytes);
}

TEST(AnalysisTabs, SelectionAndFramesFlowBothWays)
{
    AnalysisTabs tabs;
    const ArchSpec spec = architecture("rnnpool-face-m4");
    tabs.setModel(spec, kQvgaMono, {});
    ASSERT_TRUE(waitUntil([&] { return !tabs.controller().isBusy() && tabs.memoryView()->profile(); }));
    const ModelProfile& profile = *tabs.memoryView()->profile();
    // A layer chosen elsewhere selects the step that computes it.
    const int lastStep = static_cast<int>(profile.schedule.units.size()) - 1;
    const int node = profile.schedule.units.back().output();
    tabs.setSelectedLayer(node);
    EXPECT_EQ(tabs.memoryView()->selectedStep(), lastStep);
    // A step clicked in the memory view selects its layer everywhere.
    QSignalSpy selected(&tabs, &AnalysisTabs::layerSelected);
    tabs.memoryView()->selectStep(0);
    ASSERT_FALSE(selected.isEmpty());
    EXPECT_EQ(selected.back().front().toInt(), profile.schedule.units.front().output());
    // Frames go to the live charts.
    FrameRecord record;
    record.totalSeconds = 0.004;
    record.groups = {{"rnnpool", 0.002}, {"conv", 0.002}};
    record.measuredPeakBytes = 12345;
    tabs.addFrameRecord(record);
    ASSERT_EQ(tabs.liveCharts()->frames().size(), 1u);
    EXPECT_EQ(tabs.liveCharts()->frames().back().record.measuredPeakBytes, 12345);
}

} // namespace
} // namespace rnnpool::studio
