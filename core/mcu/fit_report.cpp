#include "mcu/fit_report.h"

namespace rnnpool {

FitReport fitOnBoard(const Board& board, const MemoryTimeline& timeline, const Shape& inputShape, int64_t params)
{
    FitReport r;
    r.board = board;
    r.activationBytes = timeline.peakBytes;
    // A camera frame of 8-bit pixels, unless the schedule already holds the input.
    r.frameBufferBytes = timeline.options.countInput ? 0 : shapeNumel(inputShape);
    r.sramNeeded = r.activationBytes + r.frameBufferBytes + r.runtimeBytes;
    r.weightBytes = params * elementBytes(timeline.options.dtype);
    r.flashNeeded = r.weightBytes + r.codeBytes;
    r.sramHeadroom = board.sramBytes - r.sramNeeded;
    r.flashHeadroom = board.flashBytes - r.flashNeeded;
    r.fits = r.sramHeadroom >= 0 && r.flashHeadroom >= 0;
    return r;
}

} // namespace rnnpool
