// Evaluation split into parts (shards) merges to exactly the single run, and
// the thinned curve keeps its ends and the recall levels.
#include <random>

#include <gtest/gtest.h>

#include "eval/average_precision.h"

namespace rnnpool {
namespace {

struct Picture {
    std::vector<FaceBox> faces;
    std::vector<ScoredBox> detections;
};

// Random pictures with faces of every bucket, hits, near misses, duplicates,
// false alarms, and scores from a coarse grid so that ties across pictures occur.
std::vector<Picture> randomPictures(int count, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> pos(0.0f, 300.0f), size(8.0f, 200.0f), jitter(-6.0f, 6.0f);
    std::uniform_int_distribution<int> faces(0, 5), extra(0, 8), grid(1, 40);
    std::vector<Picture> pictures(static_cast<size_t>(count));
    for (Picture& p : pictures) {
        for (int f = faces(rng); f > 0; --f) {
            const float x = pos(rng), y = pos(rng), h = size(rng);
            p.faces.push_back({x, y, x + 0.8f * h, y + h});
            for (int d = grid(rng) % 3; d > 0; --d) // 0-2 detections near it
                p.detections.push_back({static_cast<float>(grid(rng)) / 40.0f,
                                        {x + jitter(rng), y + jitter(rng), x + 0.8f * h + jitter(rng), y + h + jitter(rng)}});
        }
        for (int e = extra(rng); e > 0; --e) {
            const float x = pos(rng), y = pos(rng), h = size(rng);
            p.detections.push_back({static_cast<float>(grid(rng)) / 40.0f, {x, y, x + h, y + h}});
        }
    }
    return pictures;
}

TEST(EvaluationParts, ThreeShardsMergeToExactlyTheSingleRun)
{
    const std::vector<Picture> pictures = randomPictures(60, 17);
    DetectionEvaluator single(20.0f);
    std::vector<DetectionEvaluator> shards(3, DetectionEvaluator(20.0f));
    for (size_t i = 0; i < pictures.size(); ++i) {
        single.addPicture(pictures[i].faces, pictures[i].detections);
        shards[i % 3].addPicture(pictures[i].faces, pictures[i].detections, static_cast<int>(i));
    }
    // Merge in a shuffled order: the order of the parts must not matter.
    auto merged = mergeEvaluationParts({shards[2].part(), shards[0].part(), shards[1].part()});
    ASSERT_TRUE(merged) << merged.error();
    const EvaluationResult a = single.result(), b = summarize(*merged);
    EXPECT_GT(a.numDetections, 100);
    EXPECT_GT(a.ap, 0.05);
    EXPECT_EQ(a.ap, b.ap); // bit for bit
    EXPECT_EQ(a.precision, b.precision);
    EXPECT_EQ(a.recall, b.recall);
    EXPECT_EQ(a.scores, b.scores);
    EXPECT_EQ(a.numFaces, b.numFaces);
    EXPECT_EQ(a.numImages, b.numImages);
    ASSERT_EQ(a.buckets.size(), b.buckets.size());
    for (size_t i = 0; i < a.buckets.size(); ++i) {
        EXPECT_EQ(a.buckets[i].faces, b.buckets[i].faces);
        EXPECT_EQ(a.buckets[i].found, b.buckets[i].found);
    }
    // A shard's own AP is not the whole's: the test would notice a merge that kept one part.
    EXPECT_NE(shards[0].result().ap, a.ap);
}

TEST(EvaluationParts, MergeRefusesOverlapsAndOtherSettings)
{
    DetectionEvaluator a(20.0f), b(20.0f), c(10.0f);
    const FaceBox face{0, 0, 40, 40};
    a.addPicture({face}, {{0.9f, face}}, 0);
    b.addPicture({face}, {}, 0);
    c.addPicture({face}, {}, 1);
    auto overlap = mergeEvaluationParts({a.part(), b.part()});
    ASSERT_FALSE(overlap);
    EXPECT_NE(overlap.error().find("picture 0"), std::string::npos) << overlap.error();
    EXPECT_FALSE(mergeEvaluationParts({a.part(), c.part()}));
    EXPECT_FALSE(mergeEvaluationParts({}));
}

TEST(EvaluationParts, ThinnedCurveKeepsEndsRecallLevelsAndOrder)
{
    // 5000 points: recall climbs over the first 1000, then stays while precision falls.
    std::vector<double> recall;
    for (int i = 0; i < 5000; ++i)
        recall.push_back(std::min(i, 999) / 1000.0);
    const std::vector<size_t> kept = thinCurve(recall, 300);
    ASSERT_LE(kept.size(), 300u);
    EXPECT_GE(kept.size(), 250u);
    EXPECT_EQ(kept.front(), 0u);
    EXPECT_EQ(kept.back(), 4999u);
    EXPECT_TRUE(std::is_sorted(kept.begin(), kept.end()));
    EXPECT_EQ(std::adjacent_find(kept.begin(), kept.end()), kept.end()); // no repeats
    // Every 1/200 of the top recall is reached by some kept point no later than needed.
    for (int l = 1; l < 200; ++l) {
        const double level = 0.999 * l / 200.0;
        const bool reached = std::any_of(kept.begin(), kept.end(), [&](size_t i) {
            return recall[i] >= level && (i == 0 || recall[i - 1] < level);
        });
        EXPECT_TRUE(reached) << "recall level " << level;
    }
    // Short curves are kept whole.
    EXPECT_EQ(thinCurve({0.1, 0.2, 0.2}, 300), (std::vector<size_t>{0, 1, 2}));
}

} // namespace
} // namespace rnnpool
