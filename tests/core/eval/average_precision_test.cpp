// AP@0.5 with all-points interpolation on hand-computed cases, the ignored
// small faces, size buckets, and the labels format.
#include <fstream>

#include <gtest/gtest.h>

#include "eval/average_precision.h"

namespace rnnpool {
namespace {

TEST(AveragePrecision, HandComputedVocExample)
{
    // Two faces; three detections by falling score: hit, false alarm, hit.
    // precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1. Interpolated: 1 over the
    // first half of recall, 2/3 over the second: AP = 0.5 + 0.5 * 2/3.
    DetectionEvaluator ev(0.0f);
    const FaceBox a{0, 0, 10, 10}, b{20, 20, 40, 40};
    ev.addPicture({a, b}, {{0.9f, a}, {0.8f, {100, 100, 110, 110}}, {0.7f, {21, 21, 40, 40}}});
    const EvaluationResult r = ev.result();
    EXPECT_NEAR(r.ap, 0.5 + 0.5 * 2.0 / 3.0, 1e-9);
    ASSERT_EQ(r.precision.size(), 3u);
    EXPECT_NEAR(r.precision[1], 0.5, 1e-12);
    EXPECT_NEAR(r.recall[2], 1.0, 1e-12);
    EXPECT_EQ(r.numFaces, 2);
}

TEST(AveragePrecision, DuplicateDetectionsAreFalseAlarms)
{
    DetectionEvaluator ev(0.0f);
    const FaceBox a{0, 0, 10, 10};
    ev.addPicture({a}, {{0.9f, a}, {0.8f, a}});
    const EvaluationResult r = ev.result();
    EXPECT_NEAR(r.ap, 1.0, 1e-12); // the duplicate comes after full recall
    EXPECT_NEAR(r.precision[1], 0.5, 1e-12);
}

TEST(AveragePrecision, FacesBelowTheMinimumCountNeitherWay)
{
    DetectionEvaluator ev(20.0f);
    const FaceBox small{0, 0, 10, 10}, big{50, 50, 90, 90};
    // The detection on the small face is ignored; the big face is found.
    ev.addPicture({small, big}, {{0.95f, small}, {0.9f, big}});
    const EvaluationResult r = ev.result();
    EXPECT_EQ(r.numFaces, 1);
    EXPECT_EQ(r.numDetections, 1);
    EXPECT_NEAR(r.ap, 1.0, 1e-12);
    // The 40 px face falls in the 32-64 bucket.
    int bucketed = 0;
    for (const SizeBucket& bucket : r.buckets)
        if (bucket.faces) {
            EXPECT_EQ(bucket.minHeight, 32.0f);
            EXPECT_EQ(bucket.found, 1);
            ++bucketed;
        }
    EXPECT_EQ(bucketed, 1);
}

TEST(FaceLabels, ReadsTheFormatAndNamesBadLines)
{
    const auto dir = std::filesystem::temp_directory_path();
    const auto good = dir / ("labels_good_" + std::to_string(::getpid()) + ".txt");
    std::ofstream(good) << "# a/1.jpg\n10 20 30 40\n# b/2.jpg\n# c/3.jpg\n1 2 3 4\n5 6 7 8\n";
    auto labels = readFaceLabels(good);
    ASSERT_TRUE(labels) << labels.error();
    ASSERT_EQ(labels->size(), 3u);
    EXPECT_EQ((*labels)[0].path, "a/1.jpg");
    EXPECT_EQ((*labels)[0].faces[0].x2, 40.0f);
    EXPECT_EQ((*labels)[0].faces[0].y2, 60.0f);
    EXPECT_TRUE((*labels)[1].faces.empty());
    EXPECT_EQ((*labels)[2].faces.size(), 2u);

    const auto bad = dir / ("labels_bad_" + std::to_string(::getpid()) + ".txt");
    std::ofstream(bad) << "# a/1.jpg\n10 20 thirty 40\n";
    auto broken = readFaceLabels(bad);
    ASSERT_FALSE(broken);
    EXPECT_NE(broken.error().find("line 2"), std::string::npos) << broken.error();
    std::filesystem::remove(good);
    std::filesystem::remove(bad);
}

} // namespace
} // namespace rnnpool
