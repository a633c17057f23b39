// Frame sources: folders, video files and cameras read through OpenCV, with
// the files written by the test itself. A camera is exercised over a capture
// of a video file, whose end is what an unplugged camera looks like.
#include "video/frame_source.h"

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "core/io/io_test_support.h"
#include "video/latest_slot.h"

namespace rnnpool {
namespace {

using iotest::TempDir;
using ::testing::HasSubstr;

constexpr int kFrames = 5;
// Frame i is filled with grey level i*kGreyStep; MJPEG keeps a flat frame within a few levels.
constexpr int kGreyStep = 40;
constexpr double kJpegTolerance = 4.0;

cv::Mat flatFrame(int grey, cv::Size size = {64, 48})
{
    return cv::Mat(size, CV_8UC3, cv::Scalar(grey, grey, grey));
}

std::filesystem::path writeVideo(const TempDir& dir, int frames = kFrames)
{
    const auto path = dir / "clip.avi";
    cv::VideoWriter writer(path.string(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10.0, cv::Size(64, 48));
    EXPECT_TRUE(writer.isOpened()) << "OpenCV cannot write MJPEG .avi files here";
    for (int i = 0; i < frames; ++i)
        writer.write(flatFrame(i * kGreyStep));
    writer.release();
    return path;
}

double meanGrey(const cv::Mat& bgr)
{
    return cv::mean(bgr)[0];
}

Frame readFrame(FrameSource& source)
{
    auto frame = source.next();
    EXPECT_TRUE(frame) << frame.error();
    if (!frame || !*frame) {
        ADD_FAILURE() << "no frame";
        return {};
    }
    return std::move(**frame);
}

TEST(PictureFolder, ReadsPicturesByNameAndReportsABadOneWithoutStopping)
{
    TempDir dir;
    ASSERT_TRUE(cv::imwrite((dir / "b.png").string(), flatFrame(200)));
    ASSERT_TRUE(cv::imwrite((dir / "a.png").string(), flatFrame(100)));
    std::ofstream(dir / "c.jpg") << "not a jpeg";
    std::ofstream(dir / "notes.txt") << "not a picture at all";

    auto source = openPictureFolder(dir.path());
    ASSERT_TRUE(source) << source.error();
    FrameSource& s = **source;
    EXPECT_EQ(s.kind(), SourceKind::Folder);
    EXPECT_EQ(s.frameCount(), 3);
    EXPECT_THAT(s.description(), HasSubstr("(3 pictures)"));

    const Frame a = readFrame(s);
    EXPECT_EQ(a.label, "a.png");
    EXPECT_EQ(a.index, 0);
    EXPECT_DOUBLE_EQ(meanGrey(a.bgr), 100.0);
    EXPECT_EQ(readFrame(s).label, "b.png");
    auto bad = s.next();
    ASSERT_FALSE(bad);
    EXPECT_THAT(bad.error(), HasSubstr("c.jpg"));
    auto end = s.next();
    ASSERT_TRUE(end) << end.error();
    EXPECT_FALSE(end->has_value());

    ASSERT_TRUE(s.seek(1));
    EXPECT_EQ(readFrame(s).label, "b.png");
    EXPECT_FALSE(s.seek(3));
    EXPECT_FALSE(s.seek(-1));
}

TEST(PictureFolder, AnEmptyOrMissingFolderIsAnErrorThatNamesIt)
{
    TempDir dir;
    std::ofstream(dir / "readme.txt") << "no pictures here";
    auto empty = openPictureFolder(dir.path());
    ASSERT_FALSE(empty);
    EXPECT_THAT(empty.error(), HasSubstr("has no pictures"));
    EXPECT_THAT(empty.error(), HasSubstr(dir.path().string()));

    auto missing = openPictureFolder(dir / "nowhere");
    ASSERT_FALSE(missing);
    EXPECT_THAT(missing.error(), HasSubstr("no such folder"));
    auto file = openPictureFolder(dir / "readme.txt");
    ASSERT_FALSE(file);
    EXPECT_THAT(file.error(), HasSubstr("not a folder"));
}

TEST(PictureFile, IsASourceOfOneFrame)
{
    TempDir dir;
    ASSERT_TRUE(cv::imwrite((dir / "one.png").string(), flatFrame(77)));
    auto source = openPictureFile(dir / "one.png");
    ASSERT_TRUE(source) << source.error();
    EXPECT_EQ((*source)->frameCount(), 1);
    EXPECT_DOUBLE_EQ(meanGrey(readFrame(**source).bgr), 77.0);
    auto end = (*source)->next();
    ASSERT_TRUE(end);
    EXPECT_FALSE(end->has_value());
    EXPECT_FALSE(openPictureFile(dir / "two.png"));
}

TEST(VideoFile, ReadsEveryFrameInOrderThenEnds)
{
    TempDir dir;
    const auto path = writeVideo(dir);
    auto source = openVideoFile(path);
    ASSERT_TRUE(source) << source.error();
    FrameSource& s = **source;
    EXPECT_EQ(s.kind(), SourceKind::Video);
    EXPECT_NEAR(s.framesPerSecond(), 10.0, 1e-6);
    EXPECT_EQ(s.frameCount(), kFrames);
    EXPECT_THAT(s.description(), HasSubstr("64x48"));
    for (int i = 0; i < kFrames; ++i) {
        const Frame f = readFrame(s);
        EXPECT_EQ(f.index, i);
        EXPECT_NEAR(meanGrey(f.bgr), i * kGreyStep, kJpegTolerance) << "frame " << i;
    }
    auto end = s.next();
    ASSERT_TRUE(end) << end.error();
    EXPECT_FALSE(end->has_value());

    ASSERT_TRUE(s.seek(2));
    const Frame third = readFrame(s);
    EXPECT_EQ(third.index, 2);
    EXPECT_NEAR(meanGrey(third.bgr), 2 * kGreyStep, kJpegTolerance);
    EXPECT_FALSE(s.seek(kFrames));
}

TEST(VideoFile, ABadOrMissingFileIsAnErrorThatNamesIt)
{
    TempDir dir;
    std::ofstream(dir / "fake.avi") << "this is text, not a video";
    auto fake = openVideoFile(dir / "fake.avi");
    ASSERT_FALSE(fake);
    EXPECT_THAT(fake.error(), HasSubstr("fake.avi"));
    auto missing = openVideoFile(dir / "missing.mp4");
    ASSERT_FALSE(missing);
    EXPECT_THAT(missing.error(), HasSubstr("no such file"));
}

TEST(Camera, AStreamThatStopsIsAnErrorNotAnEnd)
{
    TempDir dir;
    const auto path = writeVideo(dir, 3);
    auto source = cameraFromCapture(std::make_unique<cv::VideoCapture>(path.string()), "camera 9", Size2{64, 48});
    ASSERT_TRUE(source) << source.error();
    FrameSource& s = **source;
    EXPECT_EQ(s.kind(), SourceKind::Camera);
    EXPECT_FALSE(s.frameCount().has_value());
    for (int i = 0; i < 3; ++i)
        EXPECT_NEAR(meanGrey(readFrame(s).bgr), i * kGreyStep, kJpegTolerance);
    auto unplugged = s.next();
    ASSERT_FALSE(unplugged);
    EXPECT_THAT(unplugged.error(), HasSubstr("camera 9 stopped delivering frames after 3"));
    auto seek = s.seek(0);
    ASSERT_FALSE(seek);
    EXPECT_THAT(seek.error(), HasSubstr("cannot go back"));
}

TEST(Camera, AMissingCameraIsAnError)
{
    // This machine has no /dev/video*; on one that does, camera 63 still does not exist.
    auto missing = openCamera(63);
    ASSERT_FALSE(missing);
    EXPECT_THAT(missing.error(), HasSubstr("camera 63 cannot be opened"));
    auto closed = cameraFromCapture(std::make_unique<cv::VideoCapture>(), "camera 2");
    ASSERT_FALSE(closed);
    EXPECT_THAT(closed.error(), HasSubstr("camera 2 cannot be opened"));
    auto negative = openCamera(-1);
    ASSERT_FALSE(negative);
    EXPECT_THAT(negative.error(), HasSubstr("from 0 to 63"));
}

TEST(LatestSlot, KeepsOnlyTheNewestWaitingItemAndCountsTheDropped)
{
    LatestSlot<int> waiting;
    EXPECT_EQ(waiting.take(), std::nullopt);
    waiting.put(1);
    EXPECT_EQ(waiting.take(), 1);
    EXPECT_EQ(waiting.dropped(), 0);
    waiting.put(2);
    waiting.put(3); // replaces 2
    waiting.put(4); // replaces 3
    EXPECT_EQ(waiting.dropped(), 2);
    EXPECT_TRUE(waiting.hasItem());
    EXPECT_EQ(waiting.take(), 4);
    EXPECT_FALSE(waiting.hasItem());
    waiting.put(5);
    waiting.clear();
    EXPECT_EQ(waiting.take(), std::nullopt);
    EXPECT_EQ(waiting.dropped(), 2);
    waiting.resetDropped();
    EXPECT_EQ(waiting.dropped(), 0);
}

} // namespace
} // namespace rnnpool
