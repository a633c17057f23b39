#include <QImage>

#include <gtest/gtest.h>

#include "qt_printers.h"

#include "widgets/detection_view.h"

namespace rnnpool::widgets {
namespace {

const QColor kGrey(128, 128, 128);

QImage greyPicture(int width, int height)
{
    QImage picture(width, height, QImage::Format_RGB32);
    picture.fill(kGrey);
    return picture;
}

QColor pixelAt(const QImage& shot, QPointF widgetPoint, qreal dpr)
{
    const QPoint p = (widgetPoint * dpr).toPoint();
    return shot.pixelColor(p);
}

class DetectionViewTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_view.resize(400, 300);
        m_view.show(); // offscreen platform: nothing appears, but layout and painting are real
    }

    QImage grab() { return m_view.grab().toImage(); }

    DetectionView m_view;
};

TEST_F(DetectionViewTest, DrawsABoxOverThePictureButNotInside)
{
    // 200×150 picture, box from (50,40) to (150,110): its centre is the picture's centre.
    m_view.setFrame(greyPicture(200, 150), {PixelBox{0.9f, 50.0f, 40.0f, 150.0f, 110.0f}}, 0.5f);
    EXPECT_EQ(m_view.visibleBoxCount(), 1);
    const QRectF target = m_view.pictureRect();
    ASSERT_FALSE(target.isEmpty());
    EXPECT_NEAR(target.width() / target.height(), 200.0 / 150.0, 0.02) << "keeps the aspect ratio";

    const QImage shot = grab();
    const qreal dpr = shot.devicePixelRatio();
    const QPointF leftEdge = m_view.mapFromPicture({50.0, 75.0});
    const QPointF bottomEdge = m_view.mapFromPicture({100.0, 110.0});
    const QPointF centre = m_view.mapFromPicture({100.0, 75.0});
    EXPECT_EQ(pixelAt(shot, leftEdge, dpr), DetectionView::boxColour());
    EXPECT_EQ(pixelAt(shot, bottomEdge, dpr), DetectionView::boxColour());
    EXPECT_NE(pixelAt(shot, centre, dpr), DetectionView::boxColour());
    EXPECT_EQ(pixelAt(shot, centre, dpr), kGrey) << "the picture shows through the box";
}

TEST_F(DetectionViewTest, HidesBoxesBelowTheThreshold)
{
    m_view.setFrame(greyPicture(200, 150), {PixelBox{0.3f, 50.0f, 40.0f, 150.0f, 110.0f}}, 0.5f);
    EXPECT_EQ(m_view.visibleBoxCount(), 0);
    const QPointF leftEdge = m_view.mapFromPicture({50.0, 75.0});
    QImage shot = grab();
    EXPECT_EQ(pixelAt(shot, leftEdge, shot.devicePixelRatio()), kGrey);

    m_view.setThreshold(0.25f);
    EXPECT_EQ(m_view.visibleBoxCount(), 1);
    shot = grab();
    EXPECT_EQ(pixelAt(shot, leftEdge, shot.devicePixelRatio()), DetectionView::boxColour());
}

TEST_F(DetectionViewTest, DrawsOnlyTheStrongestBoxesWhenThereAreMany)
{
    std::vector<PixelBox> faces;
    for (int i = 0; i < 80; ++i) {
        const float x = static_cast<float>(i % 10) * 20.0f, y = static_cast<float>(i / 10) * 18.0f;
        faces.push_back({0.5f + static_cast<float>(i) / 200.0f, x + 2.0f, y + 2.0f, x + 16.0f, y + 14.0f});
    }
    m_view.setFrame(greyPicture(200, 150), faces, 0.5f);
    EXPECT_EQ(m_view.visibleBoxCount(), 80);
    EXPECT_EQ(m_view.drawnBoxCount(), DetectionView::kDefaultMaxDrawnBoxes);
    const QImage shot = grab();
    const qreal dpr = shot.devicePixelRatio();
    // Box 0 is the weakest, left out; box 79 the strongest, drawn (its left edge, half-way down).
    EXPECT_NE(pixelAt(shot, m_view.mapFromPicture({2.0, 8.0}), dpr), DetectionView::boxColour());
    EXPECT_EQ(pixelAt(shot, m_view.mapFromPicture({182.0, 134.0}), dpr), DetectionView::boxColour());

    m_view.setMaxDrawnBoxes(1000);
    EXPECT_EQ(m_view.drawnBoxCount(), 80);
}

TEST_F(DetectionViewTest, BannerTakesRoomAboveThePicture)
{
    m_view.setFrame(greyPicture(200, 150), {}, 0.5f);
    const QRectF without = m_view.pictureRect();
    m_view.setBanner(QStringLiteral("random weights: boxes are meaningless"));
    EXPECT_EQ(m_view.banner(), QStringLiteral("random weights: boxes are meaningless"));
    const QRectF with = m_view.pictureRect();
    EXPECT_GT(with.top(), without.top());
    const QImage shot = grab();
    // The banner's red strip is at the very top, above the picture.
    const QColor top = shot.pixelColor(2, 2);
    EXPECT_GT(top.red(), 150);
    EXPECT_LT(top.green(), 80);
}

TEST_F(DetectionViewTest, EmptyViewPaintsWithoutAPicture)
{
    m_view.clear();
    EXPECT_TRUE(m_view.pictureRect().isEmpty());
    EXPECT_FALSE(grab().isNull());
}

} // namespace
} // namespace rnnpool::widgets
