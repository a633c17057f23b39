// The int8 engine inside a metered arena: each layer's int8 output (HWC, one
// byte a value) at the offset a memory plan gave it, the input picture too
// when the plan counts it, so that the bytes in use while integers really run
// can be compared with the plan byte for byte. As for float32
// (profile/arena.h), kernel workspace (im2col columns, RNNPool's sweep
// state) lives outside the arena, except under the paper and rowstream
// schedules, whose streaming units (integer/stream_s8.h) keep their scratch
// in the arena as the plan counts it: an inverted residual one output row at
// a time, and RNNPool over a ring of picture rows under rowstream. Units with
// no int8 streaming kernel (the paper blocks of other models, pointwise-pool)
// are refused with a message.
//
//   Schedule s = layerwiseSchedule(net8.model().network);
//   auto t = buildTimeline(*net8.model().network, s, shape, {ElementType::I8, true});
//   MemoryPlan plan = planGreedyBySize(bufferRequests(*t));
//   Expected<Int8ArenaRun> r = runInt8InArena(net8, s, *t, plan, quantizeInputHwc(picture, q), shape);
//   r->highWaterBytes == t->peakBytes;   r->maps[head] == net8.run(picture)->maps[head]
#pragma once

#include "profile/arena.h"
#include "quant/int8_network.h"

namespace rnnpool {

struct Int8ArenaRun {
    std::vector<std::vector<int8_t>> maps; // per node: the network's outputs, copied out of the arena; others empty
    // linebuffer with its heads decoded row by row (profile/line_buffer.h):
    // their maps stay empty, and these are the detections (the architecture's
    // detector settings, the run's input size).
    bool headsDecoded = false;
    std::vector<Detection> detections;
    int64_t highWaterBytes = 0;            // measured peak of bytes in use
    int64_t highestByte = 0;               // measured extent
    std::vector<std::string> violations;
};

Expected<Int8ArenaRun> runInt8InArena(const Int8Network& net, const Schedule& schedule, const MemoryTimeline& timeline,
                                      const MemoryPlan& plan, const std::vector<int8_t>& inputHwc, const Shape& inputShape);

} // namespace rnnpool
