// The image pyramid's pieces on hand-computed cases: level sizes, the 2x2
// mean against its formula, and the merge (NMS across levels, containment,
// coarse levels' small boxes, coverage of a dropped odd row).
#include <random>

#include <gtest/gtest.h>

#include "engine/image_pyramid.h"

namespace rnnpool {
namespace {

TEST(ImagePyramid, LevelsHalveUntilTheSmallestSide)
{
    const auto sizes = pyramidSizes({320, 240}, 3);
    ASSERT_EQ(sizes.size(), 3u);
    EXPECT_EQ(sizes[1].width, 160);
    EXPECT_EQ(sizes[2].height, 60);
    // 277x277 -> 138 -> 69 -> 34 -> (17 is below kMinPyramidSide)
    EXPECT_EQ(pyramidSizes({277, 277}, 4).size(), 4u);
    EXPECT_EQ(pyramidSizes({277, 277}, 4).back().width, 34);
    EXPECT_EQ(pyramidSizes({100, 60}, 4).size(), 1u); // 50x30 is too small
    EXPECT_EQ(pyramidSizes({320, 240}, 1).size(), 1u);
}

TEST(ImagePyramid, HalvingIsTheMeanOfEachTwoByTwoBlock)
{
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> value(-120.0f, 130.0f);
    Tensor t({2, 7, 9}); // odd sides: the last row and column are dropped
    for (int64_t i = 0; i < t.numel(); ++i)
        t.data()[i] = value(rng);
    const Tensor h = halveTensor(t);
    ASSERT_EQ(h.shape(), (Shape{2, 3, 4}));
    for (int64_t c = 0; c < 2; ++c)
        for (int64_t y = 0; y < 3; ++y)
            for (int64_t x = 0; x < 4; ++x) {
                const double mean = (static_cast<double>(t.at(c, 2 * y, 2 * x)) + t.at(c, 2 * y, 2 * x + 1) +
                                     t.at(c, 2 * y + 1, 2 * x) + t.at(c, 2 * y + 1, 2 * x + 1)) / 4.0;
                EXPECT_NEAR(h.at(c, y, x), mean, 1e-4);
            }
}

TEST(ImagePyramid, MergeKeepsTheBestOfOverlapsAcrossLevels)
{
    PyramidMerge merge;
    // Level 0 (320x240): a small face, and the right half of a large face.
    // Level 1 (160x120): the large face whole, and a 10 px box (too small for that level).
    PyramidLevelDetections fine{{{0.8f, 0.10f, 0.10f, 0.15f, 0.18f}, {0.7f, 0.62f, 0.35f, 0.78f, 0.75f}}, {320, 240}};
    PyramidLevelDetections coarse{{{0.9f, 0.40f, 0.25f, 0.78f, 0.85f}, {0.95f, 0.9f, 0.9f, 0.95f, 0.98f}}, {160, 120}};
    const auto merged = mergePyramidLevels({fine, coarse}, merge);
    ASSERT_EQ(merged.size(), 2u);
    EXPECT_EQ(merged[0].score, 0.9f); // the whole large face first
    EXPECT_EQ(merged[1].score, 0.8f); // the small face; the half face lay inside the whole one
    // The part's IoU with the whole is 0.064 / 0.228 = 0.28, below NMS's 0.3:
    // only the containment rule removes it.
    EXPECT_NEAR(intersectionOverUnion(fine.detections[1], coarse.detections[0]), 0.064 / 0.228, 1e-5);
    merge.containThreshold = 2.0f; // never
    EXPECT_EQ(mergePyramidLevels({fine, coarse}, merge).size(), 3u);
}

TEST(ImagePyramid, ContainmentSparesSmallFacesInsideALargeBox)
{
    // A coarse level's box around a group, 5x5 the area of the faces in it.
    PyramidLevelDetections fine{{{0.6f, 0.20f, 0.20f, 0.30f, 0.30f}, {0.6f, 0.40f, 0.40f, 0.50f, 0.50f}}, {320, 240}};
    PyramidLevelDetections coarse{{{0.9f, 0.15f, 0.15f, 0.65f, 0.65f}}, {160, 120}};
    EXPECT_EQ(mergePyramidLevels({fine, coarse}, PyramidMerge{}).size(), 3u);
}

TEST(ImagePyramid, OneLevelsBoxesStayAsItsOwnNmsLeftThem)
{
    // Two boxes of the finest level, one inside the other (IoU 0.28): both stay, as with the input alone.
    PyramidLevelDetections fine{{{0.9f, 0.40f, 0.25f, 0.78f, 0.85f}, {0.7f, 0.62f, 0.35f, 0.78f, 0.75f}}, {320, 240}};
    EXPECT_EQ(mergePyramidLevels({fine}, PyramidMerge{}).size(), 2u);
    EXPECT_EQ(mergePyramidLevels({fine, {{}, {160, 120}}}, PyramidMerge{}).size(), 2u);
}

TEST(ImagePyramid, CoverageMapsALevelThatLostARow)
{
    // 320x241 halves to 160x120, which covers 240 of the 241 rows.
    PyramidLevelDetections fine{{}, {320, 241}};
    PyramidLevelDetections coarse{{{0.9f, 0.0f, 0.0f, 1.0f, 1.0f}}, {160, 120}, 1.0f, 240.0f / 241.0f};
    const auto merged = mergePyramidLevels({fine, coarse}, PyramidMerge{});
    ASSERT_EQ(merged.size(), 1u);
    EXPECT_FLOAT_EQ(merged[0].y2, 240.0f / 241.0f);
    EXPECT_FLOAT_EQ(merged[0].x2, 1.0f);
}

} // namespace
} // namespace rnnpool
