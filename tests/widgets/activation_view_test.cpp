// The activation grid and its view: the channel filter, per-channel and shared
// scaling as drawn, the hover readout, the histogram, and the colormaps'
// published end points.
#include <QSignalSpy>
#include <QTest>

#include <gtest/gtest.h>

#include "qt_printers.h"

#include "widgets/activation_view.h"
#include "widgets/heatmap.h"

namespace rnnpool::widgets {
namespace {

// [3, 4, 5]: channel c holds c*100 + y*5 + x, so every value names its place.
Tensor placeTensor()
{
    Tensor t({3, 4, 5});
    for (int64_t c = 0; c < 3; ++c)
        for (int64_t y = 0; y < 4; ++y)
            for (int64_t x = 0; x < 5; ++x)
                t.at(c, y, x) = static_cast<float>(c * 100 + y * 5 + x);
    return t;
}

TEST(ChannelFilter, ParsesListsAndRangesAndRejectsWhatIsNotAChannel)
{
    EXPECT_EQ(parseChannelFilter(QString(), 3), (std::vector<int>{0, 1, 2}));
    EXPECT_EQ(parseChannelFilter(QStringLiteral(" 0-2, 5 ,3"), 8), (std::vector<int>{0, 1, 2, 3, 5}));
    EXPECT_EQ(parseChannelFilter(QStringLiteral("4,4,4"), 8), (std::vector<int>{4}));
    EXPECT_FALSE(parseChannelFilter(QStringLiteral("8"), 8));       // channels run 0..7
    EXPECT_FALSE(parseChannelFilter(QStringLiteral("3-1"), 8));     // backwards range
    EXPECT_FALSE(parseChannelFilter(QStringLiteral("a, 1"), 8));
    EXPECT_FALSE(parseChannelFilter(QStringLiteral("-1"), 8));
}

TEST(Heatmap, ColormapsHaveTheirPublishedEndsAndDivergingIsWhiteAtZero)
{
    // matplotlib's viridis runs from #440154 to #fde725.
    EXPECT_EQ(colormapColour(Colormap::Viridis, 0.0), QColor(0x44, 0x01, 0x54));
    EXPECT_EQ(colormapColour(Colormap::Viridis, 1.0), QColor(0xfd, 0xe7, 0x25));
    EXPECT_EQ(colormapColour(Colormap::Grey, 0.0), QColor(Qt::black));
    EXPECT_EQ(colormapColour(Colormap::Grey, 1.0), QColor(Qt::white));
    EXPECT_DOUBLE_EQ(colormapPosition(Colormap::Diverging, 0.0f, {-2.0f, 1.0f}), 0.5);
    EXPECT_DOUBLE_EQ(colormapPosition(Colormap::Diverging, -2.0f, {-2.0f, 1.0f}), 0.0);
    EXPECT_DOUBLE_EQ(colormapPosition(Colormap::Viridis, 1.0f, {0.0f, 4.0f}), 0.25);
    const ValueRange r = valueRange(placeTensor().data(), 60);
    EXPECT_EQ(r.low, 0.0f);
    EXPECT_EQ(r.high, 219.0f);
}

class ActivationGridTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_grid.resize(600, 400);
        m_grid.setColormap(Colormap::Grey);
        m_grid.setZoom(10);
        m_grid.setActivation(placeTensor());
        m_grid.show();
    }

    QColor valueColour(int tile, int x, int y)
    {
        const QImage shot = m_grid.grab().toImage();
        const QRect r = m_grid.tileRect(tile);
        const qreal dpr = shot.devicePixelRatio();
        return shot.pixelColor((QPointF(r.left() + x * 10 + 5, r.top() + y * 10 + 5) * dpr).toPoint());
    }

    ActivationGrid m_grid;
};

TEST_F(ActivationGridTest, PerChannelScalingStretchesEveryTileFromBlackToWhite)
{
    EXPECT_EQ(m_grid.shownChannels(), (std::vector<int>{0, 1, 2}));
    for (int tile = 0; tile < 3; ++tile) {
        EXPECT_EQ(valueColour(tile, 0, 0), QColor(Qt::black)) << "tile " << tile;
        EXPECT_EQ(valueColour(tile, 4, 3), QColor(Qt::white)) << "tile " << tile;
    }
}

TEST_F(ActivationGridTest, SharedScalingUsesOneRangeForTheLayer)
{
    m_grid.setScaling(Scaling::Shared);
    // Range 0..219: channel 1's first value, 100, is grey 100/219*255 = 116.4.
    EXPECT_EQ(valueColour(1, 0, 0), QColor(116, 116, 116));
    EXPECT_EQ(valueColour(0, 0, 0), QColor(Qt::black));
    EXPECT_EQ(valueColour(2, 4, 3), QColor(Qt::white));
    EXPECT_EQ(m_grid.tileRange(1).low, 0.0f);
    EXPECT_EQ(m_grid.tileRange(1).high, 219.0f);
}

TEST_F(ActivationGridTest, TheProbeReadsChannelXYAndValueUnderThePointer)
{
    m_grid.setChannels({2});
    ASSERT_EQ(m_grid.shownChannels(), (std::vector<int>{2}));
    const QRect r = m_grid.tileRect(0);
    const auto probe = m_grid.probe(r.topLeft() + QPoint(3 * 10 + 2, 1 * 10 + 7));
    ASSERT_TRUE(probe);
    EXPECT_EQ(probe->channel, 2);
    EXPECT_EQ(probe->x, 3);
    EXPECT_EQ(probe->y, 1);
    EXPECT_EQ(probe->value, 208.0f); // 2*100 + 1*5 + 3
    EXPECT_FALSE(m_grid.probe(QPoint(1, 1)));

    QSignalSpy hovered(&m_grid, &ActivationGrid::hovered);
    QTest::mouseMove(&m_grid, r.topLeft() + QPoint(5, 5));
    ASSERT_EQ(hovered.count(), 1);
    EXPECT_EQ(hovered.at(0).at(3).toFloat(), 200.0f);
}

// An int8 map dequantised: the readout gives the integer too, from the
// channel's own scale and zero point; a float map's readout has none.
TEST(ActivationView, TheReadoutOfAnInt8MapGivesItsInteger)
{
    ActivationView view;
    const ActivationQuant a{0.5f, -3}, b{0.25f, 10};
    Tensor map({2, 1, 2});
    map.at(0, 0, 1) = a.dequantize(7);   // 5.0
    map.at(1, 0, 0) = b.dequantize(-20); // -7.5
    view.setActivation(QStringLiteral("rnnpool"), map, {a, b});
    view.showProbe(0, 1, 0, map.at(0, 0, 1));
    EXPECT_TRUE(view.readout().contains(QStringLiteral("int8 7 (scale 0.5, zero point -3)"))) << view.readout().toStdString();
    view.showProbe(1, 0, 0, map.at(1, 0, 0));
    EXPECT_TRUE(view.readout().contains(QStringLiteral("int8 -20 (scale 0.25, zero point 10)"))) << view.readout().toStdString();
    view.setActivation(QStringLiteral("rnnpool"), map);
    view.showProbe(0, 1, 0, map.at(0, 0, 1));
    EXPECT_FALSE(view.readout().contains(QStringLiteral("int8"))) << view.readout().toStdString();
}

TEST(ActivationView, HistogramCountsEveryValueOnceAndTheTitleStatesTheRange)
{
    ActivationView view;
    view.resize(800, 600);
    view.setActivation(QStringLiteral("conv1"), placeTensor());
    const auto& counts = view.histogramCounts();
    ASSERT_EQ(counts.size(), static_cast<size_t>(ActivationView::kHistogramBins));
    double total = 0.0;
    for (double c : counts)
        total += c;
    EXPECT_EQ(total, 60.0);
    // Bins of width 219/64 = 3.42 from 0: values 0..3 fall in the first bin, 219 in the last.
    EXPECT_EQ(counts.front(), 4.0);
    EXPECT_GE(counts.back(), 1.0);
    EXPECT_DOUBLE_EQ(view.histogramBinWidth(), 219.0 / 64.0);

    EXPECT_FALSE(view.setChannelFilter(QStringLiteral("7")));  // only 3 channels
    EXPECT_EQ(view.grid()->shownChannels().size(), 3u);        // the bad filter changes nothing
    EXPECT_TRUE(view.setChannelFilter(QStringLiteral("1-2")));
    EXPECT_EQ(view.grid()->shownChannels(), (std::vector<int>{1, 2}));
    const QImage exported = view.gridImage();
    EXPECT_FALSE(exported.isNull());

    view.setActivation(QStringLiteral("flat"), Tensor({6}));
    EXPECT_TRUE(view.activation().empty()) << "a rank-1 output is stated, not drawn";
}

} // namespace
} // namespace rnnpool::widgets
