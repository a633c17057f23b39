// fitOnBoard: what an allocator must reserve (the planned arena, kernel
// scratch, the frame buffer, the runtime) placed in the board's memory
// regions, checked against sums worked out here by hand.
#include <gtest/gtest.h>

#include "mcu/fit_report.h"
#include "model/arch_spec.h"
#include "ops/conv2d.h"

namespace rnnpool {
namespace {

// A profile with only what the fit reads.
ModelProfile syntheticProfile(int64_t arena, int64_t peak, Shape input, bool countInput, int64_t scratch, int64_t params)
{
    ModelProfile p;
    p.input = input;
    p.params = params;
    p.plan.arenaBytes = arena;
    p.timeline.peakBytes = peak;
    p.timeline.options.dtype = ElementType::I8;
    p.timeline.options.countInput = countInput;
    p.kernelScratchBytes = scratch;
    return p;
}

Board board(const std::string& name)
{
    auto b = findBoard(name);
    EXPECT_TRUE(b) << b.error();
    return b ? *b : Board{};
}

const FitPlacement* placement(const FitReport& f, const std::string& item)
{
    for (const FitPlacement& p : f.placements)
        if (p.item == item)
            return &p;
    return nullptr;
}

TEST(FitReport, ReservesThePlannedArenaNotTheLivePeakAndCountsKernelScratch)
{
    const FitReport f = fitOnBoard(board("stm32l4r5zi"), syntheticProfile(122400, 115360, {1, 240, 320}, false, 512, 56330));
    EXPECT_EQ(f.arenaBytes, 122400);
    EXPECT_EQ(f.activationPeakBytes, 115360);
    EXPECT_EQ(f.frameBufferBytes, 76800);
    EXPECT_EQ(f.sramNeeded, 122400 + 76800 + 512 + 16384);
    EXPECT_EQ(f.flashNeeded, 56330 + 65536);
    EXPECT_EQ(f.sramHeadroom, 640 * 1024 - (122400 + 76800 + 512 + 16384));
    EXPECT_TRUE(f.fits);
    for (const FitPlacement& p : f.placements)
        EXPECT_EQ(p.region, "SRAM") << p.item;
}

TEST(FitReport, TheF439sCcmTakesNoFrameBufferAndOneRegionMustHoldTheArena)
{
    const Board f439 = board("stm32f439zi");
    ASSERT_EQ(f439.regions.size(), 2u);
    EXPECT_EQ(f439.regions[0].bytes + f439.regions[1].bytes, f439.sramBytes);
    EXPECT_FALSE(f439.regions[1].dmaReachable);
    // 76,800 + 122,400 = 199,200 B exceed the 196,608 B of DMA-reachable SRAM,
    // and the arena exceeds the 65,536 B CCM: it does not fit, although the
    // sum (216,096 B) is under 256 KiB.
    const FitReport f = fitOnBoard(f439, syntheticProfile(122400, 115360, {1, 240, 320}, false, 512, 56330));
    EXPECT_GT(f.sramHeadroom, 0);
    EXPECT_FALSE(f.placed);
    EXPECT_FALSE(f.fits);
    ASSERT_NE(placement(f, "frame buffer"), nullptr);
    EXPECT_EQ(placement(f, "frame buffer")->region, "SRAM");
    ASSERT_NE(placement(f, "arena"), nullptr);
    EXPECT_EQ(placement(f, "arena")->region, "");
    EXPECT_NE(f.problem.find("arena"), std::string::npos) << f.problem;
    // With the frame counted in the arena there is no separate frame buffer:
    // the arena goes to SRAM, the runtime and the scratch to the CCM.
    const FitReport counted = fitOnBoard(f439, syntheticProfile(153892, 153892, {1, 240, 320}, true, 512, 56330));
    EXPECT_TRUE(counted.fits) << counted.problem;
    EXPECT_EQ(counted.frameBufferBytes, 0);
    EXPECT_EQ(placement(counted, "arena")->region, "SRAM");
    EXPECT_EQ(placement(counted, "runtime")->region, "CCM");
    EXPECT_EQ(placement(counted, "kernel scratch")->region, "CCM");
    EXPECT_EQ(counted.regions[1].usedBytes, 16384 + 512);
}

TEST(FitReport, ACustomBoardMayHaveACcmRegion)
{
    const Board b = board("custom:sram=128K,ccm=64K,flash=1M,clock=80M");
    ASSERT_EQ(b.regions.size(), 2u);
    EXPECT_EQ(b.sramBytes, 192 * 1024);
    EXPECT_EQ(b.regions[0].bytes, 128 * 1024);
    EXPECT_TRUE(b.regions[0].dmaReachable);
    EXPECT_FALSE(b.regions[1].dmaReachable);
    // A frame buffer larger than the DMA region cannot go to the CCM.
    const FitReport f = fitOnBoard(b, syntheticProfile(1000, 1000, {1, 256, 600}, false, 0, 10));
    EXPECT_FALSE(f.fits);
    EXPECT_EQ(placement(f, "frame buffer")->region, "");
}

TEST(FitReport, KernelScratchIsOneInt32PerChannelOfTheWidestConvolution)
{
    // The RNNPool-Face-M4's widest convolution (resources/architectures/rpool_face_m4.json)
    // has 128 channels: block0 expands the RNNPool output's 64 channels by 2.
    auto spec = findArchitecture("rnnpool-face-m4");
    ASSERT_TRUE(spec) << spec.error();
    auto net = Network::build(*spec);
    ASSERT_TRUE(net) << net.error();
    EXPECT_EQ(kernelScratchBytes(*net), 128 * 4);
}

} // namespace
} // namespace rnnpool
