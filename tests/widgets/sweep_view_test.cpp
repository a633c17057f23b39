#include <QPushButton>
#include <QSignalSpy>

#include <gtest/gtest.h>

#include <qcustomplot.h>

#include "analysis_test_support.h"
#include "qt_printers.h"

#include "widgets/sweep_view.h"

namespace rnnpool::widgets {
namespace {

using testing::cliJson;

std::vector<SweepPoint> corePoints(const std::string& param, const std::vector<std::string>& values, ElementType dtype)
{
    auto spec = findArchitecture("RPool_Face_M4");
    EXPECT_TRUE(spec) << spec.error();
    ScheduleOptions options;
    options.dtype = dtype;
    std::vector<SweepPoint> points;
    for (const std::string& v : values) {
        auto p = sweepPoint(*spec, param, v, options);
        EXPECT_TRUE(p) << p.error();
        if (p)
            points.push_back(*p);
    }
    return points;
}

std::vector<double> graphValues(QCustomPlot* plot, const QString& name)
{
    for (int i = 0; i < plot->graphCount(); ++i)
        if (plot->graph(i)->name() == name) {
            std::vector<double> out;
            for (auto it = plot->graph(i)->data()->constBegin(); it != plot->graph(i)->data()->constEnd(); ++it)
                out.push_back(it->value);
            return out;
        }
    ADD_FAILURE() << "no graph " << name.toStdString();
    return {};
}

class SweepAgreesWithCli : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(SweepAgreesWithCli, PlottedNumbersAreThoseOfRnnpoolSweep)
{
    const auto [param, valuesText] = GetParam();
    const nlohmann::json cli = cliJson("sweep --arch RPool_Face_M4 --param " + param + " --values " + valuesText + " --dtype i8 --json");
    ASSERT_FALSE(cli.is_null());
    const auto values = splitSweepValues(valuesText);

    SweepView view;
    view.startSweep(QStringLiteral("RPool_Face_M4"), QString::fromStdString(param), static_cast<int>(values.size()));
    EXPECT_TRUE(view.isRunning());
    for (const SweepPoint& p : corePoints(param, values, ElementType::I8))
        view.addPoint(p);
    view.finishSweep({});
    EXPECT_FALSE(view.isRunning());

    const auto& rows = cli["rows"];
    ASSERT_EQ(view.points().size(), rows.size());
    const auto layerwise = graphValues(view.plot(), QStringLiteral("layerwise"));
    const auto paper = graphValues(view.plot(), QStringLiteral("paper"));
    const auto madds = graphValues(view.plot(), QStringLiteral("MAdds"));
    const auto params = graphValues(view.plot(), QStringLiteral("params"));
    ASSERT_EQ(layerwise.size(), rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
        SCOPED_TRACE(values[i]);
        const ProfileSummary& s = view.points()[i].summary;
        EXPECT_EQ(s.params, rows[i]["params"].get<int64_t>());
        EXPECT_EQ(s.madds, rows[i]["madds"].get<int64_t>());
        EXPECT_EQ(s.layerwisePeak, rows[i]["peak_bytes"]["layerwise"].get<int64_t>());
        EXPECT_EQ(s.paperPeak, rows[i]["peak_bytes"]["paper"].get<int64_t>());
        EXPECT_DOUBLE_EQ(layerwise[i], rows[i]["peak_bytes"]["layerwise"].get<double>() / 1024.0);
        EXPECT_DOUBLE_EQ(paper[i], rows[i]["peak_bytes"]["paper"].get<double>() / 1024.0);
        EXPECT_DOUBLE_EQ(madds[i], rows[i]["madds"].get<double>() / 1e6);
        EXPECT_DOUBLE_EQ(params[i], rows[i]["params"].get<double>() / 1e3);
    }
}

INSTANTIATE_TEST_SUITE_P(M4, SweepAgreesWithCli,
                         ::testing::Values(std::make_pair(std::string("rnnpool.h1"), std::string("4,8,16,32")),
                                           std::make_pair(std::string("input"), std::string("160x120,320x240,640x480"))));

TEST(SweepView, NumericValuesArePlacedByValueOthersByIndex)
{
    SweepView view;
    for (const SweepPoint& p : corePoints("rnnpool.h2", {"8", "32"}, ElementType::F32))
        view.addPoint(p);
    EXPECT_DOUBLE_EQ(view.positionOf(0), 8.0);
    EXPECT_DOUBLE_EQ(view.positionOf(1), 32.0);
    SweepView sizes;
    for (const SweepPoint& p : corePoints("input", {"160x120", "320x240"}, ElementType::F32))
        sizes.addPoint(p);
    EXPECT_DOUBLE_EQ(sizes.positionOf(1), 1.0);
}

TEST(SweepView, DetectionStatisticsArePlottedWhereGiven)
{
    SweepView view;
    for (const SweepPoint& p : corePoints("input", {"160x120", "320x240", "640x480"}, ElementType::F32))
        view.addPoint(p);
    view.setDetection(0, {3, 0.75});
    view.setDetection(2, {5, 0.9});
    view.setDetection(7, {1, 0.1}); // no such point: ignored
    EXPECT_EQ(graphValues(view.plot(), QStringLiteral("faces")), (std::vector<double>{3, 5}));
    EXPECT_EQ(graphValues(view.plot(), QStringLiteral("mean score")), (std::vector<double>{0.75, 0.9}));
    EXPECT_FALSE(view.detections()[1].has_value());
    // No legend for the two lines: each axis title has its line's colour, also after a palette change.
    for (int round = 0; round < 2; ++round) {
        for (const auto& [name, side] : {std::pair{QStringLiteral("faces"), QCPAxis::atLeft},
                                         std::pair{QStringLiteral("mean score"), QCPAxis::atRight}})
            for (int i = 0; i < view.plot()->graphCount(); ++i)
                if (view.plot()->graph(i)->name() == name) {
                    QCPAxis* axis = view.plot()->graph(i)->valueAxis();
                    EXPECT_EQ(axis->axisType(), side);
                    EXPECT_EQ(axis->labelColor(), view.plot()->graph(i)->pen().color()) << name.toStdString();
                }
        QPalette dark = view.palette();
        dark.setColor(QPalette::WindowText, Qt::white);
        view.setPalette(dark);
    }
}

// The value labels of a sweep's x axes either fit side by side or are turned.
bool labelsFitOrAreTurned(SweepView& view, size_t count)
{
    view.plot()->replot();
    for (QCPAxisRect* rect : view.plot()->axisRects()) {
        QCPAxis* x = rect->axis(QCPAxis::atBottom);
        const QFontMetrics metrics(x->tickLabelFont());
        int widest = 0;
        for (size_t i = 0; i < count; ++i)
            widest = std::max(widest, metrics.horizontalAdvance(QString::fromStdString(view.points()[i].value)));
        const double spacing = x->coordToPixel(view.positionOf(1)) - x->coordToPixel(view.positionOf(0));
        if (std::abs(x->tickLabelRotation()) < 20.0 && spacing < widest + metrics.averageCharWidth())
            return false;
    }
    return true;
}

TEST(SweepView, ValueLabelsAreTurnedWhereTheyWouldTouch)
{
    // The studio's width for the tab at 1280x800, five input sizes: the labels ran into each other.
    SweepView sizes;
    sizes.resize(670, 600);
    sizes.show();
    const std::vector<std::string> inputs{"160x120", "240x180", "320x240", "480x360", "640x480"};
    for (const SweepPoint& p : corePoints("input", inputs, ElementType::I8))
        sizes.addPoint(p);
    EXPECT_TRUE(labelsFitOrAreTurned(sizes, inputs.size()));
    EXPECT_NE(sizes.plot()->axisRects().front()->axis(QCPAxis::atBottom)->tickLabelRotation(), 0.0);
    // Three short numbers in a wide window fit as they are.
    SweepView numbers;
    numbers.resize(1200, 600);
    numbers.show();
    for (const SweepPoint& p : corePoints("rnnpool.h1", {"4", "8", "16"}, ElementType::I8))
        numbers.addPoint(p);
    EXPECT_TRUE(labelsFitOrAreTurned(numbers, 3));
    EXPECT_EQ(numbers.plot()->axisRects().front()->axis(QCPAxis::atBottom)->tickLabelRotation(), 0.0);
}

TEST(SweepView, BadRequestsAreExplainedAndNotSent)
{
    SweepView view;
    QSignalSpy requested(&view, &SweepView::sweepRequested);
    view.setRequest(QStringLiteral("rnnpool.h1"), QStringLiteral(" , ,"), ElementType::I8);
    view.findChild<QPushButton*>()->click();
    EXPECT_EQ(requested.count(), 0);
    EXPECT_TRUE(view.message().contains(QStringLiteral("at least one value"))) << view.message().toStdString();
    view.setRequest(QStringLiteral("rnnpool.h1"), QStringLiteral("4, 8"), ElementType::I16);
    view.findChild<QPushButton*>()->click();
    ASSERT_EQ(requested.count(), 1);
    EXPECT_EQ(requested.at(0).at(1).toStringList(), (QStringList{QStringLiteral("4"), QStringLiteral("8")}));
    EXPECT_EQ(requested.at(0).at(2).value<ElementType>(), ElementType::I16);

    // A value the core rejects: the sweep ends with the core's message.
    auto spec = findArchitecture("RPool_Face_M4");
    ASSERT_TRUE(spec);
    auto bad = sweepPoint(*spec, "rnnpool.h1", "0", {});
    ASSERT_FALSE(bad);
    view.startSweep(QStringLiteral("RPool_Face_M4"), QStringLiteral("rnnpool.h1"), 1);
    view.finishSweep(QString::fromStdString(bad.error()));
    EXPECT_EQ(view.message(), QString::fromStdString(bad.error()));
    EXPECT_FALSE(sweepPoint(*spec, "input", "huge", {}));
}

} // namespace
} // namespace rnnpool::widgets
