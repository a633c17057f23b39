// Pictures that are bombs or damaged (issue 18, classes 5 and 6): declared
// sizes read from headers against OpenCV's encoders, pictures beyond the
// stated limit refused before decoding, cut-short JPEGs and PNGs refused
// instead of decoded with grey rows; and the other inputs of class 6: an
// all-NaN tensor and a labels line with a NUL byte.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "engine/face_detector.h"
#include "engine/preprocess.h"
#include "eval/face_labels.h"
#include "io/picture_header.h"
#include "io_test_support.h"
#include "model/model.h"

namespace rnnpool {
namespace {

using iotest::asBytes;
using iotest::TempDir;
using iotest::writeBytes;
using ::testing::HasSubstr;

const std::filesystem::path kSamples = std::filesystem::path(RNNPOOL_RESOURCE_DIR) / "samples";

std::string encoded(const std::string& extension, int width, int height)
{
    cv::Mat picture(height, width, CV_8UC3, cv::Scalar(40, 120, 200));
    std::vector<uint8_t> bytes;
    EXPECT_TRUE(cv::imencode(extension, picture, bytes)) << extension;
    return std::string(bytes.begin(), bytes.end());
}

// A JPEG's markers with no real picture data: SOI, a baseline frame header
// declaring width x height, a scan header, two data bytes, EOI.
std::string jpegDeclaring(int width, int height)
{
    std::string j("\xFF\xD8", 2);
    j += std::string("\xFF\xC0\x00\x0B\x08", 5);
    j += static_cast<char>(height >> 8);
    j += static_cast<char>(height & 0xFF);
    j += static_cast<char>(width >> 8);
    j += static_cast<char>(width & 0xFF);
    j += std::string("\x01\x01\x11\x00", 4);
    j += std::string("\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00", 10);
    j += std::string("\x12\x34\xFF\xD9", 4);
    return j;
}

TEST(PictureHeader, DeclaredSizesMatchOpenCvsEncoders)
{
    for (const char* extension : {".png", ".jpg", ".bmp", ".tiff", ".ppm", ".webp"}) {
        for (const auto& [w, h] : {std::pair{1, 1}, std::pair{37, 5}, std::pair{640, 480}}) {
            const std::string bytes = encoded(extension, w, h);
            auto header = readPictureHeader(asBytes(bytes));
            ASSERT_TRUE(header) << extension << ": " << header.error();
            ASSERT_TRUE(header->has_value()) << extension;
            EXPECT_EQ((*header)->width, w) << extension;
            EXPECT_EQ((*header)->height, h) << extension;
            EXPECT_TRUE(checkPictureHeader(asBytes(bytes))) << extension;
        }
    }
}

TEST(PictureHeader, BombsAreRefusedBeforeDecoding)
{
    TempDir dir;
    // Issue 18: a 691-byte JPEG declaring 30000 x 30000 took 37 s and 2.7 GB.
    writeBytes(dir / "bomb.jpg", jpegDeclaring(30000, 30000));
    auto jpeg = loadPicture(dir / "bomb.jpg");
    ASSERT_FALSE(jpeg);
    EXPECT_THAT(jpeg.error(), HasSubstr("bomb.jpg"));
    EXPECT_THAT(jpeg.error(), HasSubstr("declares 30000x30000 pixels (900.0 MP), beyond the limit of 67.1 MP"));

    // A PNG's IHDR declaring 32000 x 32000 (the rest need not even be valid).
    std::string png = encoded(".png", 4, 4);
    const char size[] = {0, 0, 0x7D, 0x00, 0, 0, 0x7D, 0x00}; // 32000, 32000 big-endian
    png.replace(16, 8, size, 8);
    writeBytes(dir / "bomb.png", png);
    auto big = loadPicture(dir / "bomb.png");
    ASSERT_FALSE(big);
    EXPECT_THAT(big.error(), HasSubstr("declares 32000x32000 pixels"));

    // CI's fuzzing (issue 18): a PNG may declare 2^32-1 a side, whose pixel
    // count overflows int64; the message says so instead of overflowing.
    const char huge[] = {'\xFF', '\xFF', '\xFF', '\xFF', '\xFF', '\xFF', '\xFF', '\xFF'};
    png.replace(16, 8, huge, 8);
    auto overflow = checkPictureHeader(asBytes(png));
    ASSERT_FALSE(overflow);
    EXPECT_THAT(overflow.error(), HasSubstr("declares 4294967295x4294967295 pixels (beyond int64)"));

    // Long and thin: within the pixel count, beyond the side limit.
    EXPECT_THAT(checkPictureHeader(asBytes(jpegDeclaring(40000, 10))).error(), HasSubstr("32768 a side"));
    EXPECT_THAT(checkPictureHeader(asBytes(jpegDeclaring(0, 10))).error(), HasSubstr("declares an empty picture"));
    // At the limit the header passes (8192 x 8192 = 67.1 MP).
    EXPECT_TRUE(checkPictureHeader(asBytes(jpegDeclaring(8192, 8192))));
}

TEST(PictureHeader, CutShortPicturesAreRefused)
{
    TempDir dir;
    const std::string jpeg = iotest::readBytes(kSamples / "grace_hopper.jpg");
    const std::string png = iotest::readBytes(kSamples / "astronaut.png");
    ASSERT_GT(jpeg.size(), 1000u);
    ASSERT_GT(png.size(), 1000u);
    writeBytes(dir / "whole.jpg", jpeg);
    ASSERT_TRUE(loadPicture(dir / "whole.jpg"));
    // Issue 18: a JPEG cut to a third decoded with a face and exit status 0.
    for (size_t keep : {jpeg.size() / 3, jpeg.size() - 2, size_t{300}}) {
        writeBytes(dir / "cut.jpg", jpeg.substr(0, keep));
        auto cut = loadPicture(dir / "cut.jpg");
        ASSERT_FALSE(cut) << keep;
        EXPECT_THAT(cut.error(), HasSubstr("cut.jpg")) << keep;
        EXPECT_THAT(cut.error(), ::testing::AnyOf(HasSubstr("cut short"), HasSubstr("without its end marker"))) << keep;
    }
    // Trailing bytes after the end marker are harmless (some cameras add them).
    writeBytes(dir / "trailing.jpg", jpeg + std::string(100, 'x'));
    EXPECT_TRUE(loadPicture(dir / "trailing.jpg"));

    writeBytes(dir / "cut.png", png.substr(0, png.size() / 2));
    auto cutPng = loadPicture(dir / "cut.png");
    ASSERT_FALSE(cutPng);
    EXPECT_THAT(cutPng.error(), HasSubstr("cut.png"));

    writeBytes(dir / "text.jpg", "hello, not a picture");
    EXPECT_THAT(loadPicture(dir / "text.jpg").error(), HasSubstr("not a PNG, JPEG, BMP, WebP, TIFF or PNM picture"));
    writeBytes(dir / "empty.png", "");
    EXPECT_THAT(loadPicture(dir / "empty.png").error(), HasSubstr("empty"));
}

TEST(DamagedInputs, NonFiniteTensorsAreRefused)
{
    auto model = randomModel("RPool_Face_M4", 3);
    ASSERT_TRUE(model) << model.error();
    const FaceDetector detector(*model);
    Tensor nan({1, 240, 320}, std::numeric_limits<float>::quiet_NaN());
    auto result = detector.detectTensor(nan, {});
    ASSERT_FALSE(result);
    EXPECT_THAT(result.error(), HasSubstr("76800 of the input's 76800 values are NaN or infinite"));
    Tensor one({1, 240, 320}, 1.0f);
    one.at(0, 100, 100) = std::numeric_limits<float>::infinity();
    EXPECT_THAT(detector.detectTensor(one, {}).error(), HasSubstr("1 of the input's 76800 values"));
    one.at(0, 100, 100) = 1.0f;
    EXPECT_TRUE(detector.detectTensor(one, {}));
}

TEST(DamagedInputs, LabelsWithANulByteAreRefused)
{
    TempDir dir;
    static constexpr char kLabels[] = "# a.jpg\n1 2 3 4\n# b.jpg\0.png\n5 6 7 8\n";
    writeBytes(dir / "labels.txt", std::string(kLabels, sizeof kLabels - 1));
    auto labels = readFaceLabels(dir / "labels.txt");
    ASSERT_FALSE(labels);
    EXPECT_THAT(labels.error(), HasSubstr("labels.txt', line 3: holds a NUL byte"));
    writeBytes(dir / "nan.txt", "# a.jpg\nnan 2 3 4\n");
    EXPECT_FALSE(readFaceLabels(dir / "nan.txt"));
    writeBytes(dir / "good.txt", "# a.jpg\n1 2 3 4\n# b.jpg\n5 6 7 8\n");
    auto good = readFaceLabels(dir / "good.txt");
    ASSERT_TRUE(good) << good.error();
    ASSERT_EQ(good->size(), 2u);
    EXPECT_EQ((*good)[1].path, "b.jpg");
}

} // namespace
} // namespace rnnpool
