// The greedy-by-size planner, the layerwise timeline, and execution inside a
// metered arena: the measured high-water mark must equal the planned peak
// byte for byte, and the outputs must equal an ordinary run.
#include <random>

#include <gtest/gtest.h>

#include "model/model.h"
#include "profile/arena.h"

namespace rnnpool {
namespace {

TEST(MemoryPlanner, ReusesMemoryOfBuffersThatAreNoLongerAlive)
{
    // a: steps 0-1, b: 1-2, c: 2-3. a and c never meet, so c can take a's place.
    const std::vector<BufferRequest> reqs{{1000, 0, 1}, {600, 1, 2}, {1000, 2, 3}};
    const MemoryPlan plan = planGreedyBySize(reqs);
    EXPECT_EQ(plan.offsets[0], 0);
    EXPECT_EQ(plan.offsets[2], 0);
    EXPECT_EQ(plan.offsets[1], 1008); // after a, aligned to 16
    EXPECT_EQ(plan.arenaBytes, 1608);
}

TEST(MemoryPlanner, RandomPlansNeverOverlapLiveBuffers)
{
    std::mt19937 rng(11);
    for (int trial = 0; trial < 200; ++trial) {
        std::vector<BufferRequest> reqs;
        const int n = 1 + static_cast<int>(rng() % 30);
        for (int i = 0; i < n; ++i) {
            const int a = static_cast<int>(rng() % 20), b = a + static_cast<int>(rng() % 8);
            reqs.push_back({static_cast<int64_t>(rng() % 5000), a, b});
        }
        const MemoryPlan plan = planGreedyBySize(reqs);
        int64_t peak = 0;
        for (int step = 0; step < 30; ++step) {
            int64_t live = 0;
            for (const auto& r : reqs)
                live += (r.firstStep <= step && step <= r.lastStep) ? r.bytes : 0;
            peak = std::max(peak, live);
        }
        EXPECT_GE(plan.arenaBytes, peak) << "an arena cannot be smaller than the live peak";
        for (int i = 0; i < n; ++i) {
            EXPECT_EQ(plan.offsets[i] % kArenaAlignment, 0);
            for (int j = i + 1; j < n; ++j) {
                if (!lifetimesOverlap(reqs[i], reqs[j]) || reqs[i].bytes == 0 || reqs[j].bytes == 0)
                    continue;
                const bool disjoint = plan.offsets[i] + reqs[i].bytes <= plan.offsets[j] ||
                                      plan.offsets[j] + reqs[j].bytes <= plan.offsets[i];
                ASSERT_TRUE(disjoint) << "trial " << trial << ": buffers " << i << " and " << j << " overlap";
            }
        }
    }
}

TEST(LayerwiseTimeline, PeakOfATinyChainIsComputedByHand)
{
    auto model = randomModel("RPool_Face_M4", 1);
    ASSERT_TRUE(model);
    ScheduleOptions options;
    options.countInput = true;
    auto t = layerwiseTimeline(*model->network, {1, 240, 320}, options);
    ASSERT_TRUE(t) << t.error();
    // Step 0 (the stem) holds the picture (320x240x1 floats) and its output (160x120x4).
    EXPECT_EQ(t->liveBytes[0], 320 * 240 * 4 + 160 * 120 * 4 * 4);
    // Step 1 (RNNPool) holds the stem output and its 40x30x64 output; the picture is gone.
    EXPECT_EQ(t->liveBytes[1], 160 * 120 * 4 * 4 + 40 * 30 * 64 * 4);
    options.dtype = ElementType::I8;
    auto i8 = layerwiseTimeline(*model->network, {1, 240, 320}, options);
    ASSERT_TRUE(i8);
    EXPECT_EQ(i8->peakBytes * 4, t->peakBytes) << "one byte per element instead of four";
}

class ArenaExecution : public ::testing::TestWithParam<std::tuple<const char*, bool>> {};

TEST_P(ArenaExecution, MeasuredPeakEqualsPlannedPeakAndOutputsMatch)
{
    const auto [arch, countInput] = GetParam();
    auto model = randomModel(arch, 4);
    ASSERT_TRUE(model) << model.error();
    const ArchSpec& spec = model->spec();
    const Shape shape{spec.inputChannels, spec.defaultHeight / 2, spec.defaultWidth / 2};
    ScheduleOptions options;
    options.countInput = countInput;
    auto timeline = layerwiseTimeline(*model->network, shape, options);
    ASSERT_TRUE(timeline) << timeline.error();
    const MemoryPlan plan = planGreedyBySize(bufferRequests(*timeline));

    Tensor picture(shape);
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> u(-120.0f, 120.0f);
    for (int64_t i = 0; i < picture.numel(); ++i)
        picture.data()[i] = u(rng);

    MeteredArena arena(*timeline, plan);
    RunOptions metered;
    metered.allocator = &arena;
    const Tensor placed = arena.placeInput(picture);
    auto inArena = model->network->run(placed, metered);
    ASSERT_TRUE(inArena) << inArena.error();
    EXPECT_TRUE(arena.violations().empty()) << arena.violations().front();
    EXPECT_EQ(arena.highWaterBytes(), timeline->peakBytes);
    EXPECT_EQ(arena.highestByte(), plan.arenaBytes);

    auto ordinary = model->network->run(picture);
    ASSERT_TRUE(ordinary);
    for (const auto& [loc, conf] : model->network->heads())
        for (int node : {loc, conf}) {
            const Tensor& a = inArena->outputs[static_cast<size_t>(node)];
            const Tensor& b = ordinary->outputs[static_cast<size_t>(node)];
            ASSERT_EQ(a.shape(), b.shape());
            for (int64_t i = 0; i < a.numel(); ++i)
                ASSERT_NEAR(a.data()[i], b.data()[i], 1e-5) << model->network->nodes()[static_cast<size_t>(node)].name;
        }
}

INSTANTIATE_TEST_SUITE_P(FaceModels, ArenaExecution,
                         ::testing::Combine(::testing::Values("RPool_Face_M4", "RPool_Face_QVGA_monochrome",
                                                              "RPool_Face_Quant", "RPool_Face_C"),
                                            ::testing::Bool()));

} // namespace
} // namespace rnnpool
