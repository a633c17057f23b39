// profilePyramid: each level profiled at its own size, and a caller's profile
// of the input standing in for the first level gives the same levels.
#include <gtest/gtest.h>

#include "model/arch_spec.h"
#include "profile/pyramid_profile.h"

namespace rnnpool {
namespace {

TEST(PyramidProfile, ALevelIsTheNetworkProfiledAtThatLevelsSize)
{
    auto spec = findArchitecture("RPool_Face_M4");
    ASSERT_TRUE(spec) << spec.error();
    auto net = Network::build(*spec);
    ASSERT_TRUE(net) << net.error();
    const ScheduleOptions options;
    auto levels = profilePyramid(*net, {1, 240, 320}, 3, "paper", options);
    ASSERT_TRUE(levels) << levels.error();
    ASSERT_EQ(levels->size(), 3u);
    const Shape sizes[] = {{1, 240, 320}, {1, 120, 160}, {1, 60, 80}};
    for (size_t k = 0; k < 3; ++k) {
        auto alone = profileNetwork(*net, sizes[k], "paper", options);
        ASSERT_TRUE(alone) << alone.error();
        EXPECT_EQ((*levels)[k].input, sizes[k]);
        EXPECT_EQ((*levels)[k].madds, alone->madds) << k;
        EXPECT_EQ((*levels)[k].peakBytes, alone->timeline.peakBytes) << k;
        EXPECT_EQ((*levels)[k].peakLayer, alone->peakStepName()) << k;
    }
    // the pyramid's peak is the first level's; its multiply-adds the sum
    EXPECT_EQ(pyramidPeakBytes(*levels), (*levels)[0].peakBytes);
    EXPECT_EQ(pyramidMadds(*levels), (*levels)[0].madds + (*levels)[1].madds + (*levels)[2].madds);
}

TEST(PyramidProfile, TheCallersInputProfileGivesTheSameLevels)
{
    auto spec = findArchitecture("RPool_Face_M4");
    ASSERT_TRUE(spec) << spec.error();
    auto net = Network::build(*spec);
    ASSERT_TRUE(net) << net.error();
    for (const char* schedule : {"paper", "layerwise"}) {
        const ScheduleOptions options;
        auto input = profileNetwork(*net, {1, 240, 320}, schedule, options);
        ASSERT_TRUE(input) << input.error();
        auto reused = profilePyramid(*net, {1, 240, 320}, 3, schedule, options, &*input);
        auto fresh = profilePyramid(*net, {1, 240, 320}, 3, schedule, options);
        ASSERT_TRUE(reused && fresh);
        ASSERT_EQ(reused->size(), fresh->size());
        for (size_t k = 0; k < fresh->size(); ++k) {
            EXPECT_EQ((*reused)[k].input, (*fresh)[k].input) << schedule << " " << k;
            EXPECT_EQ((*reused)[k].madds, (*fresh)[k].madds) << schedule << " " << k;
            EXPECT_EQ((*reused)[k].peakBytes, (*fresh)[k].peakBytes) << schedule << " " << k;
            EXPECT_EQ((*reused)[k].peakLayer, (*fresh)[k].peakLayer) << schedule << " " << k;
        }
    }
}

} // namespace
} // namespace rnnpool
