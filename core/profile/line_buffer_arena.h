// The linebuffer schedule (line_buffer.h) on the float32 engine, inside a
// metered arena: each map's rows in a buffer of its planned capacity, laid out
// as RowRing ([channel][rows][width], the oldest row first), the padding rows
// of padded convolution layers held as zeros. A convolution layer's row is the
// scalar reference convolution (conv2dReference) on a window of kernel_h rows
// (the window, like the other schedules' convolution workspace, is outside
// the arena); add, L2Norm and background max-out run their own op on one row;
// inverted residuals and RNNPool run the streaming kernels' row forms
// (streamed_kernels.h) with their scratch in the arena. Every row a unit
// reads is checked to be held. The heads' maps are kept whole (in float the
// schedule has no candidate store).
//
//   auto t = buildTimeline(net, lineBufferSchedule(net), shape, {ElementType::F32, true});
//   Expected<ArenaRun> r = runInArena(net, lineBufferSchedule(net), *t, planGreedyBySize(bufferRequests(*t)), picture);
#pragma once

#include "profile/arena.h"

namespace rnnpool {

Expected<ArenaRun> runLineBufferedInArena(const Network& net, const MemoryTimeline& timeline, const MemoryPlan& plan,
                                          const Tensor& input);

} // namespace rnnpool
