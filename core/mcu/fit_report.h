// Does a model fit a board? SRAM needed is what an allocator must reserve:
// the planned arena of the chosen schedule and element type (not the live
// peak: the planner's placement leaves gaps), the convolution kernels'
// scratch, the 8-bit frame buffer when the schedule did not count the input,
// and a runtime allowance. Each item is placed in one of the board's memory
// regions that can hold it (the frame buffer only where DMA reaches, as a
// camera writes it); the model fits when every item has a region and the
// flash holds the weights at the element type plus a code allowance.
//
//   FitReport f = fitOnBoard(*findBoard("stm32f439zi"), profile);
//   for (const FitPlacement& p : f.placements) p.item, p.bytes, p.region;  // region empty: nowhere
#pragma once

#include <string>
#include <vector>

#include "mcu/board.h"
#include "profile/model_profile.h"

namespace rnnpool {

constexpr int64_t kRuntimeAllowanceBytes = 16 * 1024; // stack, tensor descriptors, RNN state bookkeeping
constexpr int64_t kCodeAllowanceBytes = 64 * 1024;    // kernels and runtime code in flash

// The largest working buffer of any convolution kernel, outside the arena,
// by the scratch queries of the project's integer kernels (core/integer,
// rp_*_scratch_size): one 32-bit accumulator (or folded bias) per output
// channel for standard and 1x1 convolutions, per channel for depthwise ones.
// The element type does not change it: the kernels accumulate in 32 bits.
int64_t kernelScratchBytes(const Network& net);

struct FitPlacement {
    std::string item;   // "arena", "frame buffer", "kernel scratch", "runtime"
    int64_t bytes = 0;
    bool needsDma = false;
    std::string region; // empty: no region could hold it
};

struct RegionUse {
    MemoryRegion region;
    int64_t usedBytes = 0;
};

struct FitReport {
    Board board;
    int64_t arenaBytes = 0;          // planned arena, what the allocator reserves
    int64_t activationPeakBytes = 0; // live peak of the schedule, for reference
    int64_t frameBufferBytes = 0;
    int64_t scratchBytes = 0;
    int64_t runtimeBytes = kRuntimeAllowanceBytes;
    int64_t sramNeeded = 0;
    int64_t weightBytes = 0;
    int64_t codeBytes = kCodeAllowanceBytes;
    int64_t flashNeeded = 0;
    std::vector<FitPlacement> placements;
    std::vector<RegionUse> regions;
    bool placed = false;            // every item found a region
    bool fits = false;
    int64_t sramHeadroom = 0;       // all regions together; negative: overflow
    int64_t flashHeadroom = 0;
    std::string problem;            // why it does not fit, in words; empty when it fits
};

FitReport fitOnBoard(const Board& board, const ModelProfile& profile);

} // namespace rnnpool
