// Does a model fit a board? SRAM needed is the peak activations of the chosen
// schedule and element type, plus the 8-bit frame buffer when the schedule did
// not count the input, plus a runtime allowance; flash needed is the weights
// at the element type plus a code allowance.
#pragma once

#include "mcu/board.h"
#include "profile/memory_timeline.h"

namespace rnnpool {

constexpr int64_t kRuntimeAllowanceBytes = 16 * 1024; // stack, tensor descriptors, RNN state bookkeeping
constexpr int64_t kCodeAllowanceBytes = 64 * 1024;    // kernels and runtime code in flash

struct FitReport {
    Board board;
    int64_t activationBytes = 0;
    int64_t frameBufferBytes = 0;
    int64_t runtimeBytes = kRuntimeAllowanceBytes;
    int64_t sramNeeded = 0;
    int64_t weightBytes = 0;
    int64_t codeBytes = kCodeAllowanceBytes;
    int64_t flashNeeded = 0;
    bool fits = false;
    int64_t sramHeadroom = 0;  // negative: overflow
    int64_t flashHeadroom = 0;
};

FitReport fitOnBoard(const Board& board, const MemoryTimeline& timeline, const Shape& inputShape, int64_t params);

} // namespace rnnpool
