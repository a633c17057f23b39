// Prior boxes, decoding and NMS on hand-computed cases.
#include <cmath>

#include <gtest/gtest.h>

#include "detect/post_process.h"

namespace rnnpool {
namespace {

DetectorConfig oneHead()
{
    DetectorConfig c;
    c.steps = {8};
    c.anchorSizes = {16};
    c.confidenceThreshold = 0.05f;
    c.nmsThreshold = 0.3f;
    c.nmsTopK = 5000;
    c.keepTopK = 750;
    return c;
}

TEST(Priors, CentresAndSizesAreFractionsOfTheInput)
{
    const auto p = makePriors({{2, 3}}, 24, 16, oneHead());
    ASSERT_EQ(p.size(), 6u * 4u);
    // Row-major over (i, j): prior (i=1, j=2) is the last one.
    EXPECT_FLOAT_EQ(p[20], 2.5f * 8.0f / 24.0f);
    EXPECT_FLOAT_EQ(p[21], 1.5f * 8.0f / 16.0f);
    EXPECT_FLOAT_EQ(p[22], 16.0f / 24.0f);
    EXPECT_FLOAT_EQ(p[23], 16.0f / 16.0f);
}

TEST(PostProcess, DecodesWithVariancesAndAppliesSoftmax)
{
    HeadOutputs h;
    h.featureMaps = {{1, 1}};
    h.loc = {1.0f, -1.0f, 0.5f, 0.0f};
    h.conf = {0.0f, 2.0f};
    const auto d = postProcess(h, 8, 8, oneHead());
    ASSERT_EQ(d.size(), 1u);
    // prior: centre (0.5, 0.5), size 2x2 (anchor 16 on an 8-pixel input).
    const float cx = 0.5f + 1.0f * 0.1f * 2.0f, cy = 0.5f - 1.0f * 0.1f * 2.0f;
    const float w = 2.0f * std::exp(0.5f * 0.2f), hh = 2.0f;
    EXPECT_NEAR(d[0].score, 1.0f / (1.0f + std::exp(-2.0f)), 1e-6);
    EXPECT_NEAR(d[0].x1, cx - w / 2, 1e-6);
    EXPECT_NEAR(d[0].y1, cy - hh / 2, 1e-6);
    EXPECT_NEAR(d[0].x2, cx + w / 2, 1e-6);
    EXPECT_NEAR(d[0].y2, cy + hh / 2, 1e-6);
}

TEST(PostProcess, ThresholdAndNmsKeepTheBestOfOverlappingBoxes)
{
    HeadOutputs h;
    h.featureMaps = {{1, 3}};
    // Three priors on a 24x8 input, anchors 16 wide: priors 0 and 1 overlap
    // (IoU 1/3 > 0.3), prior 2 overlaps prior 1 only.
    h.loc.assign(12, 0.0f);
    h.conf = {0.0f, 1.0f, /**/ 0.0f, 3.0f, /**/ 0.0f, -5.0f};
    const auto d = postProcess(h, 24, 8, oneHead());
    // prior 2 is below the 0.05 threshold; prior 0 is suppressed by prior 1.
    ASSERT_EQ(d.size(), 1u);
    EXPECT_NEAR(d[0].score, 1.0f / (1.0f + std::exp(-3.0f)), 1e-6);
    EXPECT_NEAR((d[0].x1 + d[0].x2) / 2, 12.0f / 24.0f, 1e-6);
}

TEST(PostProcess, IouOfKnownBoxes)
{
    const Detection a{1, 0, 0, 2, 2}, b{1, 1, 0, 3, 2}, c{1, 5, 5, 6, 6};
    EXPECT_NEAR(intersectionOverUnion(a, b), 2.0f / 6.0f, 1e-6);
    EXPECT_EQ(intersectionOverUnion(a, c), 0.0f);
}

} // namespace
} // namespace rnnpool
