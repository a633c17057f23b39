// The part of running a linebuffer plan that does not depend on the numbers:
// following its events over the maps' row stores (dropping the rows no reader
// needs, checking each new row fits the planned capacity, storing the padding
// rows below a map) and checking that the rows a unit's row reads are
// held. The int8 run (quant/int8_line_buffer.cpp) and the float32 run
// (line_buffer_arena.cpp) give their own stores and kernels.
//
// A Store has lo, hi (rows [lo, hi) held), capacity, holds(first, last),
// drop(keepFrom) (the rows from keepFrom on move down) and
// pad(from, count) (padding rows).
#pragma once

#include <string>
#include <vector>

#include "profile/line_buffer.h"

namespace rnnpool {

// What both runners derive from a network, its input and a linebuffer
// timeline before they run: the plan (with its units), the maps' shapes, the
// working memory, and which map holds each unit's output.
struct LineBufferRunPlan {
    LineBufferPlan lb;
    std::vector<Shape> shapes;
    LineBufferScratch work;
    std::vector<int> mapOfNode; // -1 for a node inside a unit
    int mapOf(int node) const { return node == kNetworkInput ? 0 : mapOfNode[static_cast<size_t>(node)]; }
};

// Refuses a timeline not made for this network's linebuffer schedule at `dtype`.
inline Expected<LineBufferRunPlan> prepareLineBufferRun(const Network& net, const MemoryTimeline& timeline,
                                                        const Shape& inputShape, ElementType dtype)
{
    if (timeline.options.dtype != dtype || timeline.schedule != "linebuffer")
        return makeError(std::string("the line-buffered run needs a linebuffer timeline planned for ") + elementTypeName(dtype));
    LineBufferRunPlan r;
    auto lb = planLineBuffer(net, inputShape, dtype);
    if (!lb)
        return std::move(lb).takeError();
    r.lb = std::move(*lb);
    auto planned = net.plan(inputShape);
    if (!planned)
        return std::move(planned).takeError();
    r.shapes = std::move(*planned);
    r.work = lineBufferScratch(net, r.lb.units, r.shapes, inputShape, timeline.options);
    r.mapOfNode.assign(net.nodes().size(), -1);
    for (size_t b = 1; b < r.lb.maps.size(); ++b)
        r.mapOfNode[static_cast<size_t>(r.lb.maps[b].node)] = static_cast<int>(b);
    const size_t tensors = r.lb.maps.size() + (r.work.kernelBytes > 0 ? 1 : 0) + (r.lb.candidateBytes > 0 ? 1 : 0) +
                           r.work.rnnPoolStates.size();
    if (timeline.tensors.size() != tensors)
        return makeError("the timeline does not belong to this network's linebuffer schedule");
    return r;
}

// Follows `lb`'s events: makeRow(map, row) fills row `row` of map `map` (the
// picture's delivery for map 0), decode(event) takes a decoded head's row.
template <class Store, class MakeRow, class Decode>
Status runLineBufferEvents(const LineBufferPlan& lb, std::vector<Store>& stores, const MemoryTimeline& timeline,
                           const MakeRow& makeRow, const Decode& decode)
{
    for (const LineBufferEvent& e : lb.events) {
        if (e.map < 0) {
            if (Status st = decode(e); !st)
                return st;
            continue;
        }
        const auto b = static_cast<size_t>(e.map);
        const LineBufferMap& m = lb.maps[b];
        Store& s = stores[b];
        if (e.keepFrom > s.lo)
            s.drop(e.keepFrom);
        if (e.row != s.hi || e.row + 1 - s.lo > s.capacity || e.row >= m.height + m.padBottom)
            return makeError("line buffer of '" + timeline.tensors[b].name + "': row " + std::to_string(e.row) +
                             " does not fit its planned " + std::to_string(s.capacity) + " rows");
        if (e.row >= m.height)
            s.pad(e.row, 1); // a padding row below the map
        else if (Status st = makeRow(b, e.row); !st)
            return st;
        s.hi = e.row + 1;
    }
    return {};
}

// The rows of each of the unit's inputs that its row `row` reads, each
// checked to be held by the input's store (mapOf: node -> map index).
template <class Store, class MapOf>
Expected<std::vector<RowWindow>> heldWindows(const Network& net, const ScheduleUnit& unit, int64_t row,
                                             const std::vector<Store>& stores, const MapOf& mapOf,
                                             const std::vector<Shape>& shapes, const Shape& inputShape)
{
    std::vector<RowWindow> windows;
    for (size_t slot = 0; slot < unit.inputs.size(); ++slot) {
        const RowWindow w = lineBufferRowsRead(net, unit, slot, row, shapes, inputShape);
        if (!w.empty() && !stores[static_cast<size_t>(mapOf(unit.inputs[slot]))].holds(w.first, w.last))
            return makeError("'" + unit.name + "' row " + std::to_string(row) + " reads rows " + std::to_string(w.first) +
                             ".." + std::to_string(w.last) + " that its input no longer holds");
        windows.push_back(w);
    }
    return windows;
}

} // namespace rnnpool
