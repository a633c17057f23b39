// Prior boxes, decoding and NMS on hand-computed cases.
#include <cmath>
#include <random>

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

// The textbook form of greedy NMS, as the oracle: every kept box suppresses
// all later candidates it overlaps.
std::vector<Detection> suppressForward(const std::vector<Detection>& c, float threshold, int64_t keepTopK)
{
    std::vector<Detection> kept;
    std::vector<bool> suppressed(c.size(), false);
    for (size_t i = 0; i < c.size() && static_cast<int64_t>(kept.size()) < keepTopK; ++i) {
        if (suppressed[i])
            continue;
        kept.push_back(c[i]);
        for (size_t j = i + 1; j < c.size(); ++j)
            if (intersectionOverUnion(c[i], c[j]) > threshold)
                suppressed[j] = true;
    }
    return kept;
}

TEST(PostProcess, NmsKeepsTheSameBoxesAsTheTextbookForm)
{
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> centre(0.0f, 1.0f), side(0.02f, 0.3f), score(0.05f, 1.0f);
    for (int trial = 0; trial < 40; ++trial) {
        // Clusters of boxes around a few faces, as a trained detector gives, plus scattered ones.
        std::vector<Detection> c;
        const int faces = 1 + trial % 5;
        for (int f = 0; f < faces; ++f) {
            const float cx = centre(rng), cy = centre(rng), s = side(rng);
            for (int k = 0; k < 60; ++k) {
                const float jx = (centre(rng) - 0.5f) * s * 0.5f, jy = (centre(rng) - 0.5f) * s * 0.5f;
                const float w = s * (0.7f + 0.6f * centre(rng)), h = s * (0.7f + 0.6f * centre(rng));
                c.push_back({score(rng), cx + jx - w / 2, cy + jy - h / 2, cx + jx + w / 2, cy + jy + h / 2});
            }
        }
        for (int k = 0; k < 200; ++k) {
            const float x = centre(rng), y = centre(rng), w = side(rng), h = side(rng);
            c.push_back({score(rng), x, y, x + w, y + h});
        }
        std::stable_sort(c.begin(), c.end(), [](const Detection& a, const Detection& b) { return a.score > b.score; });
        const int64_t keep = trial % 4 == 0 ? 5 : 750;
        const auto expected = suppressForward(c, 0.3f, keep);
        const auto got = nonMaximumSuppression(c, 0.3f, keep);
        ASSERT_EQ(got.size(), expected.size()) << "trial " << trial;
        for (size_t i = 0; i < got.size(); ++i) {
            EXPECT_EQ(got[i].score, expected[i].score) << "trial " << trial << " box " << i;
            EXPECT_EQ(got[i].x1, expected[i].x1);
            EXPECT_EQ(got[i].y2, expected[i].y2);
        }
        EXPECT_LT(got.size(), c.size()); // the clusters were thinned
    }
}

} // namespace
} // namespace rnnpool
