// The data behind the studio's analysis tabs: profileNetwork (memory view,
// `rnnpool profile`), sweepPoint (sweep view, `rnnpool sweep`) and
// makeFrameRecord (live charts).
#include <gtest/gtest.h>

#include "model/model.h"
#include "profile/frame_record.h"
#include "profile/model_profile.h"
#include "profile/sweep.h"

namespace rnnpool {
namespace {

Network m4Network()
{
    auto spec = findArchitecture("RPool_Face_M4");
    EXPECT_TRUE(spec) << spec.error();
    auto net = Network::build(*spec);
    EXPECT_TRUE(net) << net.error();
    return std::move(*net);
}

TEST(ModelProfile, LiveBytesPerLayerAreThoseOfTheStepThatRunsIt)
{
    Network net = m4Network();
    ScheduleOptions options;
    options.dtype = ElementType::I16;
    auto p = profileNetwork(net, {1, 120, 160}, "paper", options);
    ASSERT_TRUE(p) << p.error();
    ASSERT_EQ(p->liveAtLayer.size(), net.nodes().size());
    int64_t largest = 0;
    for (size_t u = 0; u < p->schedule.units.size(); ++u)
        for (int n : p->schedule.units[u].nodes)
            EXPECT_EQ(p->liveAtLayer[static_cast<size_t>(n)], p->timeline.liveBytes[u]) << net.nodes()[static_cast<size_t>(n)].name;
    for (int64_t b : p->liveAtLayer)
        largest = std::max(largest, b);
    EXPECT_EQ(largest, p->timeline.peakBytes);
    for (size_t i = 0; i < p->layers.size(); ++i)
        EXPECT_EQ(p->outputBytes[i], shapeNumel(p->layers[i].outputShape) * 2);
    EXPECT_GE(p->plan.arenaBytes, p->timeline.peakBytes) << "an arena holds at least the peak";
    EXPECT_FALSE(profileNetwork(net, {1, 120, 160}, "zigzag", options)) << "unknown schedule";
}

TEST(SweepPoint, AppliesTheSettingOrTheInputSize)
{
    auto base = findArchitecture("RPool_Face_M4");
    ASSERT_TRUE(base);
    auto size = sweepPoint(*base, "input", "160x120", {});
    ASSERT_TRUE(size) << size.error();
    EXPECT_EQ(size->summary.input, (Shape{1, 120, 160}));
    auto small = sweepPoint(*base, "rnnpool.h1", "4", {});
    auto large = sweepPoint(*base, "rnnpool.h1", "32", {});
    ASSERT_TRUE(small && large);
    EXPECT_LT(small->summary.params, large->summary.params) << "a wider RNN has more weights";
    EXPECT_EQ(small->summary.input, (Shape{1, base->defaultHeight, base->defaultWidth}));

    auto badSize = sweepPoint(*base, "input", "wide", {});
    ASSERT_FALSE(badSize);
    EXPECT_NE(badSize.error().find("'wide'"), std::string::npos) << badSize.error();
    auto badKey = sweepPoint(*base, "nosuchlayer.h1", "8", {});
    ASSERT_FALSE(badKey);
    EXPECT_NE(badKey.error().find("nosuchlayer"), std::string::npos) << badKey.error();
    EXPECT_EQ(splitSweepValues("4,,8,"), (std::vector<std::string>{"4", "8"}));
    EXPECT_TRUE(splitSweepValues("").empty());
}

TEST(FrameRecord, GroupsLayerTimesByTheirSpecEntry)
{
    Network net = m4Network();
    std::vector<double> seconds(net.nodes().size(), 0.0);
    const int rnnpool = net.findLayer("rnnpool");
    const int stem = net.findLayer("stem");
    ASSERT_GE(rnnpool, 0);
    ASSERT_GE(stem, 0);
    seconds[static_cast<size_t>(rnnpool)] = 0.25;
    for (int n = 0; n <= stem; ++n)
        seconds[static_cast<size_t>(n)] = 0.125; // the stem's conv, norm and activation
    const FrameRecord r = makeFrameRecord(net, seconds, 1.0, 4096);
    ASSERT_GE(r.groups.size(), 2u);
    EXPECT_EQ(r.groups[0].group, "conv_bn_act");
    EXPECT_DOUBLE_EQ(r.groups[0].seconds, 0.125 * (stem + 1));
    EXPECT_EQ(r.groups[1].group, "rnnpool");
    EXPECT_DOUBLE_EQ(r.groups[1].seconds, 0.25);
    EXPECT_EQ(r.measuredPeakBytes, 4096);
    // Fewer times than nodes: the rest count as nothing, not as garbage.
    const FrameRecord shorter = makeFrameRecord(net, {0.5}, 0.5, -1);
    ASSERT_EQ(shorter.groups.size(), 1u);
    EXPECT_DOUBLE_EQ(shorter.groups[0].seconds, 0.5);
}

} // namespace
} // namespace rnnpool
