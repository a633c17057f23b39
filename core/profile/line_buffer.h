// The linebuffer schedule: every unit of the paper schedule (a layer, an
// inverted-residual block, RNNPool with the convolutions that feed it alone)
// runs one output row at a time, as soon as the rows it reads exist, and each
// map between units keeps only the rows its readers still need (a line
// buffer, as StreamNet and MCUNetV2 stream the first stages of a network;
// here all of them). The picture arrives row by row, as a camera's DMA
// delivers it; after each picture row, passes in network order let every unit
// make its next row, until none can (a row goes down the network before the
// next one is made). The network's outputs (the heads, the last layer) are
// kept whole (in int8, decoded row by row instead when that is smaller).
// Inside a unit, its own kernels' working memory (a ring of expanded rows,
// one row at a time; RNNPool's patch state). Run by the int8 engine
// (quant/int8_line_buffer.h) and the float32 one (line_buffer_arena.h).
//
// A map's buffer holds consecutive rows, oldest first; a row no reader needs
// any more is dropped when a new row comes (the rest move down), so that the
// rows a convolution reads are contiguous. Rows above and below the map that a
// padded convolution layer reads are held as rows of the padding value (the
// int8 zero point), so that its window is always kernel_h whole rows. A
// buffer's capacity is the most rows it ever holds: found by running the sweep
// on row numbers alone, before any arithmetic, and then claimed once for the
// whole run.
//
// Units: layers that are row-local (convolutions without dilation, with
// symmetric padding; add; L2Norm; background max-out), inverted-residual
// blocks, RNNPool (one row of patches a row; its replicated bottom rows copy
// the last one) with its fused convolutions.
//
//   Expected<LineBufferPlan> p = planLineBuffer(net, {3, 480, 640});
//   for (const LineBufferEvent& e : p->events) ...   // the order a runner follows
#pragma once

#include <string>
#include <vector>

#include "model/network.h"
#include "profile/memory_timeline.h"
#include "profile/schedule.h"

namespace rnnpool {

// Rows [first, last] of one input that a row of a layer reads (first > last: none).
struct RowWindow {
    int64_t first = 0, last = -1;
    bool empty() const { return first > last; }
};

struct LineBufferMap {
    int node = kNetworkInput;             // the unit's output node; kNetworkInput for the picture
    int64_t channels = 0, height = 0, width = 0;
    int64_t padTop = 0, padBottom = 0;    // padding rows held above row 0 and below the last row
    int64_t capacityRows = 0;             // the most rows held at once, padding rows included
    bool whole = false;                   // a network output: every row kept (padding rows too)
    std::vector<int> readers;             // units that read it
    int unit = -1;                        // the unit that makes it
};

// One step of the sweep: picture row `row` arrives (map 0), or a unit makes
// row `row` of its map, or (row >= the map's height) a padding row below the
// map is stored. Before the row is stored, the map drops every row below
// `keepFrom` (none for a whole map).
struct LineBufferEvent {
    int map = 0; // index into LineBufferPlan::maps; -1: a decoded head's row
    int64_t row = 0;
    int64_t keepFrom = 0;
    int decoded = -1; // with map -1: index into LineBufferPlan::decoded
};

// A head decoded row by row: its loc and conf maps are line buffers, and each
// row, once both are made, goes to the candidate store (quant/candidate_store.h).
struct DecodedHead {
    size_t head = 0;           // index into Network::heads()
    int locMap = 0, confMap = 0;
    int64_t height = 0;
};

struct LineBufferPlan {
    Schedule units;                        // the paper schedule's units
    std::vector<LineBufferMap> maps;       // [0] the picture, [u + 1] unit u's output
    std::vector<LineBufferEvent> events;
    std::vector<DecodedHead> decoded;      // empty: every head's maps kept whole
    int64_t candidateBytes = 0;            // the candidate store, when heads are decoded
};

// The rows of the unit's input `slot` (of unit.inputs) that its row `row` reads.
RowWindow lineBufferRowsRead(const Network& net, const ScheduleUnit& unit, size_t slot, int64_t row,
                             const std::vector<Shape>& shapes, const Shape& inputShape);

// Refuses a network with a unit that does not run a row at a time, naming it.
// In int8, with a detector (the architecture's S3FD settings), the heads are
// decoded row by row into a store of its nmsTopK best candidates (10 bytes
// each) when their maps, kept whole, would take more bytes than the store;
// in float they are kept whole (the float run has no candidate store).
Expected<LineBufferPlan> planLineBuffer(const Network& net, const Shape& inputShape, ElementType dtype = ElementType::I8);

// Working memory beside the maps, alive for the whole run: the largest one-row
// workspace of a unit's kernel (shared: a convolution's window, an inverted
// residual's ring of expanded tile rows; in int8 as the integer kernels lay
// it out, 3 bytes to align it) and each RNNPool's state across its rows.
// (Float convolution layers' workspace lives outside the arena, as under the
// other schedules.)
struct LineBufferScratch {
    int64_t kernelBytes = 0;
    std::vector<std::pair<int, int64_t>> rnnPoolStates; // unit, bytes
};
LineBufferScratch lineBufferScratch(const Network& net, const Schedule& units, const std::vector<Shape>& shapes,
                                    const Shape& inputShape, const ScheduleOptions& options);

// The timeline of the linebuffer schedule (schedule.h's buildTimeline).
Expected<MemoryTimeline> lineBufferTimeline(const Network& net, const Shape& inputShape, const ScheduleOptions& options);

} // namespace rnnpool
