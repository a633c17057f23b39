#include <algorithm>
#include <set>

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QTest>

#include <gtest/gtest.h>

#include <qcustomplot.h>

#include "analysis_test_support.h"
#include "qt_printers.h"

#include "widgets/chart_style.h"
#include "widgets/live_tensor_model.h"
#include "widgets/memory_timeline_view.h"
#include "profile/pyramid_profile.h"

namespace rnnpool::widgets {
namespace {

using testing::builtinProfile;
using testing::cliJson;

struct Case {
    std::string arch, schedule, dtype;
    ElementType type;
};

class MemoryViewAgreesWithCli : public ::testing::TestWithParam<Case> {};

TEST_P(MemoryViewAgreesWithCli, PeakAndLiveTensorsEqualRnnpoolProfile)
{
    const Case c = GetParam();
    const nlohmann::json cli =
        cliJson("profile --arch " + c.arch + " --schedule " + c.schedule + " --dtype " + c.dtype + " --json");
    ASSERT_FALSE(cli.is_null());

    MemoryTimelineView view;
    view.resize(1200, 700);
    view.setProfile(builtinProfile(c.arch, c.schedule, c.type));
    ASSERT_NE(view.profile(), nullptr) << view.message().toStdString();
    const MemoryTimeline& t = view.profile()->timeline;
    EXPECT_EQ(t.peakBytes, cli["peak_bytes"].get<int64_t>());
    EXPECT_EQ(view.profile()->peakStepName(), cli["peak_layer"].get<std::string>());
    EXPECT_EQ(view.profile()->plan.arenaBytes, cli["arena_bytes"].get<int64_t>());
    ASSERT_EQ(t.liveBytes.size(), cli["steps"].size());
    for (size_t s = 0; s < t.liveBytes.size(); ++s)
        EXPECT_EQ(t.liveBytes[s], cli["steps"][s]["live_bytes"].get<int64_t>()) << "step " << s;

    // The peak is selected first; its list is the CLI's "live at the peak".
    EXPECT_EQ(view.selectedStep(), t.peakStep);
    const LiveTensorModel& live = *view.liveTensors();
    EXPECT_EQ(live.totalBytes(), cli["peak_bytes"].get<int64_t>());
    std::multiset<std::pair<std::string, int64_t>> shown, expected;
    for (const TensorLife& tensor : live.rows())
        shown.insert({tensor.name, tensor.bytes});
    for (const auto& entry : cli["live_at_peak"])
        expected.insert({entry["tensor"].get<std::string>(), entry["bytes"].get<int64_t>()});
    EXPECT_EQ(shown, expected);

    // The stacked bars at each step add up to the live bytes of that step (in KiB).
    QCustomPlot* plot = view.plot();
    std::vector<double> stacked(t.liveBytes.size(), 0.0);
    for (int i = 0; i < plot->plottableCount(); ++i) {
        auto* bars = qobject_cast<QCPBars*>(plot->plottable(i));
        if (!bars || bars->brush().style() == Qt::NoBrush) // the selection outline
            continue;
        for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
            stacked[static_cast<size_t>(it->key)] += it->value;
    }
    for (size_t s = 0; s < stacked.size(); ++s)
        EXPECT_NEAR(stacked[s], static_cast<double>(t.liveBytes[s]) / 1024.0, 1e-6) << "step " << s;
}

INSTANTIATE_TEST_SUITE_P(Builtins, MemoryViewAgreesWithCli,
                         ::testing::Values(Case{"RPool_Face_M4", "paper", "i8", ElementType::I8},
                                           Case{"RPool_Face_M4", "layerwise", "f32", ElementType::F32},
                                           Case{"RPool_Face_C", "paper", "i16", ElementType::I16}));

TEST(MemoryTimelineView, ClickingABarExplainsThatStep)
{
    MemoryTimelineView view;
    view.resize(1400, 800);
    view.show();
    view.setProfile(builtinProfile("RPool_Face_M4", "layerwise", ElementType::I8));
    ASSERT_NE(view.profile(), nullptr);
    QCustomPlot* plot = view.plot();
    plot->replot();
    const int target = view.profile()->timeline.peakStep == 2 ? 3 : 2;
    const QPoint at(static_cast<int>(plot->xAxis->coordToPixel(target)), static_cast<int>(plot->yAxis->coordToPixel(0.5)));
    QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, at);
    EXPECT_EQ(view.selectedStep(), target);
    EXPECT_EQ(view.liveTensors()->totalBytes(), view.profile()->timeline.liveBytes[static_cast<size_t>(target)]);
    EXPECT_EQ(view.stepAt(target + 0.5), -1) << "the gap between bars selects nothing";
}

TEST(MemoryTimelineView, SelectingALayerSelectsTheStepThatRunsIt)
{
    MemoryTimelineView view;
    const ModelProfile profile = builtinProfile("RPool_Face_M4", "paper", ElementType::I8);
    view.setProfile(profile);
    ASSERT_FALSE(profile.schedule.units.empty());
    for (size_t u = 0; u < profile.schedule.units.size(); ++u)
        for (int node : profile.schedule.units[u].nodes) {
            view.setSelectedLayer(node);
            EXPECT_EQ(view.selectedStep(), static_cast<int>(u)) << "node " << node;
        }
}

TEST(MemoryTimelineView, ALayerChosenElsewhereIsNotEchoedBackAndSurvivesANewProfile)
{
    MemoryTimelineView view;
    int emitted = 0;
    QObject::connect(&view, &MemoryTimelineView::stepSelected, [&] { ++emitted; });
    const ModelProfile paper = builtinProfile("RPool_Face_M4", "paper", ElementType::I8);
    view.setProfile(paper); // shows the peak; nobody chose it
    EXPECT_EQ(view.selectedStep(), paper.timeline.peakStep);
    const int node = paper.schedule.units.front().output();
    view.setSelectedLayer(node);
    EXPECT_EQ(view.selectedStep(), 0);
    // Another schedule: the same layer stays selected, at its step there.
    const ModelProfile layerwise = builtinProfile("RPool_Face_M4", "layerwise", ElementType::I8);
    view.setProfile(layerwise);
    const int step = view.selectedStep();
    ASSERT_GE(step, 0);
    const auto& nodes = layerwise.schedule.units[static_cast<size_t>(step)].nodes;
    EXPECT_NE(std::find(nodes.begin(), nodes.end(), node), nodes.end());
    EXPECT_EQ(emitted, 0);
    view.selectStep(1); // as a click does
    EXPECT_EQ(emitted, 1);
}

TEST(MemoryTimelineView, OptionsChangeIsSignalledOnlyForTheUser)
{
    MemoryTimelineView view;
    int emitted = 0;
    QString schedule;
    ElementType dtype = ElementType::F32;
    QObject::connect(&view, &MemoryTimelineView::optionsChanged, [&](const QString& s, ElementType d, bool) {
        ++emitted;
        schedule = s;
        dtype = d;
    });
    view.setProfile(builtinProfile("RPool_Face_M4", "paper", ElementType::I8));
    view.setOptions(QStringLiteral("layerwise"), ElementType::I16, true);
    EXPECT_EQ(emitted, 0);
    auto* dtypeBox = view.findChildren<QComboBox*>().at(1);
    dtypeBox->setCurrentIndex(dtypeBox->findText(QStringLiteral("i8")));
    EXPECT_EQ(emitted, 1);
    EXPECT_EQ(schedule, QStringLiteral("layerwise"));
    EXPECT_EQ(dtype, ElementType::I8);
}

TEST(MemoryTimelineView, AProblemIsShownInsteadOfAChart)
{
    MemoryTimelineView view;
    view.setProfile(builtinProfile("RPool_Face_M4", "paper", ElementType::I8));
    view.showProblem(QStringLiteral("RPool_Face_M4 at 8×8: input too small"));
    EXPECT_EQ(view.profile(), nullptr);
    EXPECT_EQ(view.message(), QStringLiteral("RPool_Face_M4 at 8×8: input too small"));
    EXPECT_EQ(view.liveTensors()->rowCount(), 0);
    view.setProfile(ModelProfile{}); // no steps at all
    EXPECT_EQ(view.profile(), nullptr);
    EXPECT_FALSE(view.message().isEmpty());
}

TEST(MemoryTimelineView, ThePyramidLineGivesEachLevelAsTheCommandLine)
{
    auto spec = findArchitecture("rnnpool-face-m4");
    ASSERT_TRUE(spec) << spec.error();
    auto net = Network::build(*spec);
    ASSERT_TRUE(net) << net.error();
    ScheduleOptions options;
    options.dtype = ElementType::I8;
    auto levels = profilePyramid(*net, {1, 240, 320}, 3, "paper", options);
    ASSERT_TRUE(levels) << levels.error();
    const auto cli = cliJson("profile --arch rnnpool-face-m4 --schedule paper --dtype i8 --pyramid 3 --json");
    ASSERT_FALSE(cli.is_null());
    const auto& cliLevels = cli["pyramid"]["levels"];
    ASSERT_EQ(levels->size(), cliLevels.size());

    MemoryTimelineView view;
    view.setProfile(builtinProfile("RPool_Face_M4", "paper", ElementType::I8));
    EXPECT_TRUE(view.pyramidText().isEmpty());
    view.setPyramid(*levels);
    const QString text = view.pyramidText();
    for (const auto& level : cliLevels)
        EXPECT_TRUE(text.contains(QStringLiteral("%1×%2: peak %3").arg(level["width"].get<int>()).arg(level["height"].get<int>())
                                      .arg(kibText(level["peak_bytes"].get<int64_t>()))))
            << text.toStdString();
    const double first = static_cast<double>(cliLevels[0]["madds"].get<int64_t>());
    const double ratio = static_cast<double>(cli["pyramid"]["madds"].get<int64_t>()) / first;
    EXPECT_TRUE(text.contains(QStringLiteral("(%1 bytes)").arg(cli["pyramid"]["peak_bytes"].get<int64_t>()))) << text.toStdString();
    EXPECT_TRUE(text.contains(QStringLiteral("+%1%").arg((ratio - 1.0) * 100.0, 0, 'f', 1))) << text.toStdString();
    EXPECT_NEAR(ratio, 1.29, 0.01); // README, "What it costs": 133.99 M MAdds against 103.51 M
    // Beside the arena: level 1 (160x120) and two 320-pixel rows in int8, as `profile --pyramid` prints it.
    EXPECT_EQ(cli["pyramid"]["level_buffer_bytes"].get<int64_t>(), 160 * 120 + 2 * 320);
    EXPECT_TRUE(text.contains(QStringLiteral("the coarser levels' picture takes ") + kibText(160 * 120 + 2 * 320)))
        << text.toStdString();
    view.showProblem(QStringLiteral("no model"));
    EXPECT_TRUE(view.pyramidText().isEmpty());
}

TEST(LiveTensorModel, PassesTheModelTesterAndListsLargestFirst)
{
    LiveTensorModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const ModelProfile profile = builtinProfile("RPool_Face_M4", "paper", ElementType::F32);
    const MemoryTimeline& t = profile.timeline;
    for (int s = 0; s < static_cast<int>(t.steps.size()); ++s) {
        model.setStep(t, s);
        EXPECT_EQ(model.totalBytes(), t.liveBytes[static_cast<size_t>(s)]) << "step " << s;
        for (int r = 1; r < model.rowCount(); ++r)
            EXPECT_GE(model.data(model.index(r - 1, LiveTensorModel::BytesColumn), LiveTensorModel::SortRole).toLongLong(),
                      model.data(model.index(r, LiveTensorModel::BytesColumn), LiveTensorModel::SortRole).toLongLong());
    }
    model.setStep(t, -1);
    EXPECT_EQ(model.rowCount(), 0);
    model.setStep(t, static_cast<int>(t.steps.size()));
    EXPECT_EQ(model.rowCount(), 0);
    model.setStep(t, t.peakStep);
    EXPECT_EQ(model.data(model.index(0, LiveTensorModel::SizeColumn)).toString(), kibText(model.rows().front().bytes));
    EXPECT_EQ(model.headerData(LiveTensorModel::TensorColumn, Qt::Horizontal).toString(), QStringLiteral("Tensor"));
}

} // namespace
} // namespace rnnpool::widgets
