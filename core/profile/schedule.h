// Schedules: the order in which a network's layers run and which tensors each
// step materialises.
//   layerwise  TensorFlow Lite's convention: every layer is a step and its
//              output is materialised.
//   paper      the convention of the paper's Appendix E.2 (after Chowdhery et
//              al.): an inverted-residual block (MBConv, with or without
//              squeeze-excite) runs channel by channel, so only its input
//              and output are materialised (plus k expanded rows and one
//              depthwise row of scratch; squeeze-excite makes it two passes,
//              the first for the channel means); RNNPool runs
//              patch by patch (input, output and one patch's RNN state),
//              and the convolutions that feed it only are computed pixel by
//              pixel inside it, so their maps are never materialised; a
//              1x1 conv read only by the global pool runs on the fly too;
//              residual, dense and inception blocks and pooling follow the
//              block rules of E.2 (paper_blocks.h), which
//              are estimates the arena does not execute.
//   rowstream  the paper schedule, with the picture arriving row by row as a
//              camera's DMA delivers it: when the first unit is RNNPool on
//              the picture (or on convolutions of it alone), only the rows
//              that one row of patches reads are held, in a ring; the rest
//              as the paper schedule (a network whose first unit is not such
//              an RNNPool holds the whole picture, as under paper).
//   linebuffer every layer a row at a time, each map holding only the rows
//              its readers still need, the picture arriving row by row; the
//              network's outputs kept whole, or in int8 the heads decoded
//              row by row (profile/line_buffer.h). Executed by both engines.
//
//   Schedule s = paperSchedule(net);
//   Expected<MemoryTimeline> t = buildTimeline(net, s, {1, 240, 320}, options);
#pragma once

#include <string>
#include <vector>

#include "model/network.h"
#include "profile/memory_timeline.h"
#include "profile/paper_blocks.h"

namespace rnnpool {

// The largest depthwise kernel the streamed inverted-residual kernel runs.
constexpr int64_t kMaxStreamedKernel = 7;

struct ScheduleUnit {
    // RnnPoolPatches: [conv, ...,] rnnpool, the convs computed on demand.
    // PointwisePool: a 1x1 conv and the global average pool that alone reads
    // it, computed on the fly pixel by pixel ("1x1 convolutions ... can be
    // computed on the fly", Section 4).
    // PaperBlock: planned by an E.2 rule only (see `block`).
    // LineBuffered: one layer of the linebuffer schedule (every unit is one).
    enum class Kind { Layer, InvertedResidual, RnnPoolPatches, PointwisePool, PaperBlock, LineBuffered };
    Kind kind = Kind::Layer;
    PaperBlock block = PaperBlock::Residual; // when kind == PaperBlock
    std::string name;
    std::vector<int> nodes;  // consecutive node indices; the last one produces the output
    std::vector<int> inputs; // producers outside the unit (kNetworkInput for the picture)
    bool inputRows = false;  // rowstream: reads the picture from a ring of rows (inputRingRows)
    int output() const { return nodes.back(); }
};

struct Schedule {
    std::string name;
    std::vector<ScheduleUnit> units;
};

Schedule layerwiseSchedule(const Network& net);
Schedule paperSchedule(const Network& net);
Schedule rowstreamSchedule(const Network& net);
Schedule lineBufferSchedule(const Network& net);
bool isLineBuffered(const Schedule& schedule);
Expected<Schedule> scheduleByName(const Network& net, const std::string& name);
// The names scheduleByName knows, for messages: "layerwise, paper, rowstream".
const char* knownScheduleNames();
// Whether scheduleByName knows `name`.
bool isScheduleName(const std::string& name);
// The schedules the firmware generator (core/mcu) writes: all of them.
const char* firmwareScheduleNames();
bool isFirmwareScheduleName(const std::string& name);

// The picture rows [first, last] that patch row `gy` of an RnnPoolPatches unit
// reads through its convolutions, clipped to the picture's height.
struct RowSpan {
    int64_t first = 0, last = -1;
};
RowSpan patchRowInputRows(const Network& net, const ScheduleUnit& unit, int64_t gy, int64_t inputHeight);
// Rows of the ring an inputRows unit holds: the most any patch row reads.
int64_t inputRingRows(const Network& net, const ScheduleUnit& unit, int64_t inputHeight);

// Whether the arena can run the unit (PaperBlock units are estimates only).
bool unitExecutes(const ScheduleUnit& unit);

// Scratch elements a unit needs while it runs (0 for plain layers).
int64_t unitScratchElements(const Network& net, const ScheduleUnit& unit, const std::vector<Shape>& shapes,
                            const Shape& inputShape);
// Scratch bytes: elements times the element size, except in int8 (without
// paperAccounting), where the integer streaming kernels' own layouts count
// (integer/stream_s8.h: one depthwise row of every channel, a patch and the
// Q15 patch state).
int64_t unitScratchBytes(const Network& net, const ScheduleUnit& unit, const std::vector<Shape>& shapes,
                         const Shape& inputShape, const ScheduleOptions& options);

// The int8 streaming RNNPool's scratch (integer/stream_s8.h) for an
// RnnPoolPatches unit: the band form's, or patch by patch's.
int64_t rnnPoolStreamScratchBytes(const Network& net, const ScheduleUnit& unit, const std::vector<Shape>& shapes,
                                  const Shape& inputShape, bool patchByPatch);

// The timeline of a schedule: under linebuffer, tensor 0 is the picture's
// rows, tensor i + 1 node i's rows (whole for an output), then the kernels'
// shared scratch and each RNNPool's state, all alive from first to last step.
// Otherwise tensor 0 is the picture (its ring of rows when
// the first unit reads rows), then each unit's
// output, then each unit's scratch (alive during its own step only). A
// PaperBlock unit frees the inputs it reads last one step early and adds
// what its rule needs beyond its output as an "<unit>.in-place" scratch.
Expected<MemoryTimeline> buildTimeline(const Network& net, const Schedule& schedule, const Shape& inputShape,
                                       const ScheduleOptions& options);

} // namespace rnnpool
