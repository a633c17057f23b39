// The linebuffer schedule (profile/line_buffer.h) on the int8 engine, inside a
// metered arena: each map's rows in a buffer of its planned capacity, the
// layers' kernels called on one output row at a time (a convolution on a
// window of kernel_h whole rows, its padding rows holding the input's zero
// point, which is what the whole-map kernel pads with: the same bits), RNNPool
// a row of patches at a time from the rows of its input map
// (rp_rnnpool_s8_stream_row_at). Every row a layer reads is checked to be
// held before the kernel runs.
//
//   auto t = buildTimeline(net, lineBufferSchedule(net), shape, {ElementType::I8, true});
//   MemoryPlan plan = planGreedyBySize(bufferRequests(*t));
//   Expected<Int8ArenaRun> r = runInt8LineBuffered(net8, *t, plan, inputHwc, shape);
//   r->highWaterBytes == t->peakBytes;   r->maps[head] == net8.run(picture)->maps[head]
#pragma once

#include "profile/line_buffer.h"
#include "quant/int8_arena.h"

namespace rnnpool {

// The value map m's padding rows hold: the zero point at which its padded
// convolution readers take it (refused when they differ); 0 without padding.
Expected<int8_t> lineBufferPaddingValue(const Int8Network& net8, const LineBufferPlan& lb, const LineBufferMap& m);

Expected<Int8ArenaRun> runInt8LineBuffered(const Int8Network& net8, const MemoryTimeline& timeline, const MemoryPlan& plan,
                                           const std::vector<int8_t>& inputHwc, const Shape& inputShape);

} // namespace rnnpool
