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

// Boxes around `faces` random faces, `perFace` each, as a trained detector
// gives: centres jittered by `jitter` of the face's side, sides scaled by
// 1 - spread/2 to 1 + spread/2; random scores.
std::vector<Detection> clusters(std::mt19937& rng, int faces, int perFace, float jitter, float spread)
{
    std::uniform_real_distribution<float> centre(0.0f, 1.0f), side(0.02f, 0.3f), score(0.05f, 1.0f);
    std::vector<Detection> c;
    for (int f = 0; f < faces; ++f) {
        const float cx = centre(rng), cy = centre(rng), s = side(rng);
        for (int k = 0; k < perFace; ++k) {
            const float jx = (centre(rng) - 0.5f) * s * jitter, jy = (centre(rng) - 0.5f) * s * jitter;
            const float w = s * (1.0f - spread / 2 + spread * centre(rng)), h = s * (1.0f - spread / 2 + spread * centre(rng));
            c.push_back({score(rng), cx + jx - w / 2, cy + jy - h / 2, cx + jx + w / 2, cy + jy + h / 2});
        }
    }
    return c;
}

TEST(PostProcess, NmsKeepsTheSameBoxesAsTheTextbookForm)
{
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> centre(0.0f, 1.0f), side(0.02f, 0.3f), score(0.05f, 1.0f);
    for (int trial = 0; trial < 40; ++trial) {
        // Clusters of boxes around a few faces, as a trained detector gives, plus scattered ones.
        std::vector<Detection> c = clusters(rng, 1 + trial % 5, 60, 0.5f, 0.6f);
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

TEST(PostProcess, BoxVotingAveragesTheSuppressedBoxesByScore)
{
    // A and B overlap by IoU 90/110; C overlaps A by 60/140 (suppressed, IoU
    // below 0.5 and above 0.4); D stands alone.
    const Detection a{0.9f, 0, 0, 10, 10}, b{0.6f, 1, 0, 11, 10}, c{0.3f, 0, 4, 10, 14}, d{0.5f, 20, 20, 30, 30};
    const std::vector<Detection> sorted{a, b, d, c};
    const auto greedy = nonMaximumSuppression(sorted, 0.3f, 750);
    const auto half = nonMaximumSuppression(sorted, 0.3f, 750, 0.5f);
    ASSERT_EQ(greedy.size(), 2u);
    ASSERT_EQ(half.size(), 2u);
    EXPECT_EQ(greedy[0].x1, 0.0f);
    // (0.9 A + 0.6 B) / 1.5; the scores stay.
    EXPECT_EQ(half[0].score, 0.9f);
    EXPECT_NEAR(half[0].x1, 0.4f, 1e-5);
    EXPECT_NEAR(half[0].x2, 10.4f, 1e-5);
    EXPECT_NEAR(half[0].y1, 0.0f, 1e-5);
    EXPECT_NEAR(half[0].y2, 10.0f, 1e-5);
    EXPECT_EQ(half[1].x1, 20.0f); // D had no one to vote with
    EXPECT_EQ(half[1].score, 0.5f);
    // At 0.4, C votes too: (0.9 A + 0.6 B + 0.3 C) / 1.8.
    const auto four = nonMaximumSuppression(sorted, 0.3f, 750, 0.4f);
    ASSERT_EQ(four.size(), 2u);
    EXPECT_NEAR(four[0].x1, 0.6f / 1.8f, 1e-5);
    EXPECT_NEAR(four[0].y1, 1.2f / 1.8f, 1e-5);
    EXPECT_NEAR(four[0].x2, 18.6f / 1.8f, 1e-5);
    EXPECT_NEAR(four[0].y2, 19.2f / 1.8f, 1e-5);
}

// Box voting in its textbook form, as the oracle: each kept box, in turn,
// averages the candidates not yet suppressed that overlap it by at least the
// vote IoU, then suppresses those overlapping it by more than the NMS IoU.
std::vector<Detection> voteForward(const std::vector<Detection>& c, float threshold, int64_t keepTopK, float vote)
{
    std::vector<Detection> kept;
    std::vector<bool> suppressed(c.size(), false);
    for (size_t i = 0; i < c.size() && static_cast<int64_t>(kept.size()) < keepTopK; ++i) {
        if (suppressed[i])
            continue;
        double w = 0, x1 = 0, y1 = 0, x2 = 0, y2 = 0;
        for (size_t j = i; j < c.size(); ++j) {
            if (suppressed[j])
                continue;
            const float iou = j == i ? 1.0f : intersectionOverUnion(c[i], c[j]);
            if (iou >= vote) {
                const double s = c[j].score;
                w += s, x1 += s * c[j].x1, y1 += s * c[j].y1, x2 += s * c[j].x2, y2 += s * c[j].y2;
            }
            if (j > i && iou > threshold)
                suppressed[j] = true;
        }
        kept.push_back({c[i].score, static_cast<float>(x1 / w), static_cast<float>(y1 / w), static_cast<float>(x2 / w),
                        static_cast<float>(y2 / w)});
    }
    return kept;
}

TEST(PostProcess, BoxVotingMatchesTheTextbookForm)
{
    std::mt19937 rng(11);
    for (int trial = 0; trial < 30; ++trial) {
        std::vector<Detection> c = clusters(rng, 1 + trial % 4, 50, 0.6f, 0.8f);
        std::stable_sort(c.begin(), c.end(), [](const Detection& a, const Detection& b) { return a.score > b.score; });
        const int64_t keep = trial % 3 == 0 ? 3 : 750;
        const float vote = trial % 2 == 0 ? 0.5f : 0.65f;
        const auto expected = voteForward(c, 0.3f, keep, vote);
        const auto got = nonMaximumSuppression(c, 0.3f, keep, vote);
        const auto greedy = nonMaximumSuppression(c, 0.3f, keep);
        ASSERT_EQ(got.size(), expected.size()) << "trial " << trial;
        ASSERT_EQ(got.size(), greedy.size()) << "trial " << trial;
        int moved = 0;
        for (size_t i = 0; i < got.size(); ++i) {
            EXPECT_EQ(got[i].score, greedy[i].score) << "trial " << trial << " box " << i;
            EXPECT_NEAR(got[i].x1, expected[i].x1, 1e-5f) << "trial " << trial << " box " << i;
            EXPECT_NEAR(got[i].y1, expected[i].y1, 1e-5f);
            EXPECT_NEAR(got[i].x2, expected[i].x2, 1e-5f);
            EXPECT_NEAR(got[i].y2, expected[i].y2, 1e-5f);
            moved += got[i].x1 != greedy[i].x1 ? 1 : 0;
        }
        EXPECT_GT(moved, 0) << "trial " << trial; // the clusters did vote
    }
}

} // namespace
} // namespace rnnpool
