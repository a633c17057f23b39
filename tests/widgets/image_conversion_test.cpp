#include <gtest/gtest.h>

#include "qt_printers.h"

#include "widgets/image_conversion.h"

namespace rnnpool::widgets {
namespace {

TEST(ImageConversion, BgrMatBecomesAnRgbImageAndBack)
{
    cv::Mat bgr(3, 5, CV_8UC3, cv::Scalar(10, 20, 30)); // B, G, R
    bgr.at<cv::Vec3b>(1, 2) = cv::Vec3b(200, 100, 50);
    const QImage image = imageFromMat(bgr);
    ASSERT_FALSE(image.isNull());
    EXPECT_EQ(image.size(), QSize(5, 3));
    EXPECT_EQ(image.pixelColor(0, 0), QColor(30, 20, 10));
    EXPECT_EQ(image.pixelColor(2, 1), QColor(50, 100, 200));

    const cv::Mat back = matFromImage(image);
    ASSERT_EQ(back.type(), CV_8UC3);
    EXPECT_EQ(cv::norm(back, bgr, cv::NORM_INF), 0.0);
}

TEST(ImageConversion, ImageOwnsItsPixels)
{
    cv::Mat bgr(4, 4, CV_8UC3, cv::Scalar(1, 2, 3));
    const QImage image = imageFromMat(bgr);
    bgr.setTo(cv::Scalar(255, 255, 255));
    EXPECT_EQ(image.pixelColor(0, 0), QColor(3, 2, 1));
}

TEST(ImageConversion, GreyAndBgraAndRoisConvert)
{
    const cv::Mat grey(2, 2, CV_8UC1, cv::Scalar(77));
    EXPECT_EQ(imageFromMat(grey).pixelColor(1, 1), QColor(77, 77, 77));

    const cv::Mat bgra(2, 2, CV_8UC4, cv::Scalar(1, 2, 3, 255));
    EXPECT_EQ(imageFromMat(bgra).pixelColor(0, 1), QColor(3, 2, 1));

    // A region of a larger matrix has a row stride wider than its width.
    cv::Mat big(10, 10, CV_8UC3, cv::Scalar(0, 0, 0));
    big(cv::Rect(3, 3, 4, 4)).setTo(cv::Scalar(9, 8, 7));
    const QImage roi = imageFromMat(big(cv::Rect(3, 3, 3, 2)));
    EXPECT_EQ(roi.size(), QSize(3, 2));
    EXPECT_EQ(roi.pixelColor(2, 1), QColor(7, 8, 9));
}

TEST(ImageConversion, UnsupportedInputGivesEmptyResults)
{
    EXPECT_TRUE(imageFromMat(cv::Mat()).isNull());
    EXPECT_TRUE(imageFromMat(cv::Mat(2, 2, CV_32FC3)).isNull());
    EXPECT_TRUE(matFromImage(QImage()).empty());
}

} // namespace
} // namespace rnnpool::widgets
