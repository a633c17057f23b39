// generateLineBufferModelFirmware (mcu/model_firmware.h): the linebuffer
// schedule as firmware. The desktop plans the sweep (profile/line_buffer.h)
// and the arena (the offsets `rnnpool profile --dtype i8 --schedule linebuffer
// --count-input --execute` meters); the chip follows the sweep's events from a
// const table, each map's rows in an rp_line_rows_s8 at its planned offset,
// and makes each row with the kernels the desktop's int8 line-buffered run
// calls (quant/int8_line_buffer.cpp), on the same windows.
#include <algorithm>
#include <limits>

#include "integer/line_rows_s8.h"
#include "integer/stream_s8.h"
#include "mcu/model_emit.h"
#include "mcu/model_firmware.h"
#include "profile/line_buffer_driver.h"
#include "profile/memory_planner.h"
#include "quant/int8_line_buffer.h"
#include "quant/int8_units.h"

namespace rnnpool {

namespace {

using Kind = Int8Network::Prepared::Kind;

// A store of row numbers alone: the driver's bookkeeping without the bytes,
// to find each event's window at generation time.
struct RowNumbers {
    int64_t lo = 0, hi = 0, capacity = 0;
    bool holds(int64_t first, int64_t last) const { return lo <= first && last < hi; }
    void drop(int64_t keepFrom)
    {
        const int64_t kept = std::max<int64_t>(hi - keepFrom, 0);
        lo = keepFrom;
        hi = lo + kept;
    }
    void pad(int64_t, int64_t) const {}
};

// One event of the sweep as the firmware's table holds it.
struct TableRow {
    int64_t map = 0, row = 0, keepFrom = 0, first = 0;
};

// "arena + N", N aligned up to 4 when `align`.
std::string arenaAt(int64_t offset, bool align = false)
{
    return "arena + " + cNumber(align ? (offset + 3) / 4 * 4 : offset);
}

} // namespace

Expected<GeneratedNetwork> generateLineBufferModelFirmware(const Int8Network& net, const Shape& inputChw, ModelMemoryPlan& plan)
{
    const Network& graph = *net.model().network;
    ScheduleOptions options;
    options.dtype = ElementType::I8;
    options.countInput = true;
    auto timeline = lineBufferTimeline(graph, inputChw, options);
    if (!timeline)
        return std::move(timeline).takeError();
    auto prepared = prepareLineBufferRun(graph, *timeline, inputChw, ElementType::I8);
    if (!prepared)
        return std::move(prepared).takeError();
    const LineBufferRunPlan& rp = *prepared;
    const LineBufferPlan& lb = rp.lb;
    if (!lb.decoded.empty())
        return makeError("schedule 'linebuffer' at input " + shapeToString(inputChw) +
                         ": its heads, kept whole, would take more bytes than a store of the best candidates, so the "
                         "desktop decodes them row by row into one; the firmware has no such store yet and keeps heads "
                         "whole (a smaller input keeps them whole)");
    const MemoryPlan memory = planGreedyBySize(bufferRequests(*timeline));
    const std::vector<ScheduleUnit>& units = lb.units.units;
    const size_t maps = lb.maps.size();
    const auto offsetOf = [&](size_t tensor) { return memory.offsets[tensor]; };
    const auto mapOf = [&](int node) { return rp.mapOf(node); };
    const auto shapeOf = [&](int node) -> const Shape& {
        return node == kNetworkInput ? inputChw : rp.shapes[static_cast<size_t>(node)];
    };

    // The arena's tensors after the maps: the kernels' shared scratch, then each RNNPool's state.
    size_t next = maps;
    int64_t kernelOffset = -1;
    if (rp.work.kernelBytes > 0)
        kernelOffset = offsetOf(next++);
    std::vector<int64_t> stateOffset(units.size(), -1);
    for (const auto& [u, bytes] : rp.work.rnnPoolStates)
        stateOffset[static_cast<size_t>(u)] = offsetOf(next++);

    // The sweep on row numbers, as the desktop's run follows it: each event's first row read.
    std::vector<RowNumbers> numbers(maps);
    for (size_t b = 0; b < maps; ++b) {
        numbers[b].capacity = lb.maps[b].capacityRows;
        numbers[b].lo = -lb.maps[b].padTop;
    }
    std::vector<int64_t> firsts; // of the rows the units make, in the sweep's order
    const auto makeRow = [&](size_t b, int64_t row) -> Status {
        int64_t first = row;
        if (b > 0) {
            auto held = heldWindows(graph, units[b - 1], row, numbers, mapOf, rp.shapes, inputChw);
            if (!held)
                return makeError(held.error());
            first = held->front().empty() ? std::numeric_limits<int16_t>::min() : held->front().first;
        }
        firsts.push_back(first);
        return {};
    };
    const auto noDecode = [](const LineBufferEvent&) -> Status { return makeError("a decoded head in the firmware's sweep"); };
    if (Status st = runLineBufferEvents(lb, numbers, *timeline, makeRow, noDecode); !st)
        return makeError("schedule 'linebuffer': " + st.error());
    // Every event (none is a decoded head's: refused above), a padding row's first row unused.
    std::vector<TableRow> table;
    size_t made = 0;
    for (const LineBufferEvent& e : lb.events) {
        const bool padding = e.row >= lb.maps[static_cast<size_t>(e.map)].height;
        table.push_back({e.map, e.row, e.keepFrom, padding ? 0 : firsts[made++]});
    }
    for (const TableRow& t : table)
        for (int64_t v : {t.map, t.row, t.keepFrom, t.first})
            if (v < std::numeric_limits<int16_t>::min() || v > std::numeric_limits<int16_t>::max())
                return makeError("schedule 'linebuffer' at input " + shapeToString(inputChw) +
                                 ": a row number does not fit the firmware's 16-bit table");

    plan = {};
    plan.schedule = "linebuffer";
    plan.inputBytes = static_cast<uint64_t>(timeline->tensors[0].bytes);
    plan.inputRingRows = lb.maps[0].capacityRows;
    plan.arenaBytes = static_cast<uint64_t>(memory.arenaBytes);

    std::string data = "/* Generated by rnnpool m4 (schedule linebuffer): the int8 engine's prepared parameters as const "
                       "arrays (flash). */\n#include \"rnnpool_model.h\"\n\n#include <string.h>\n\n#include \"integer/conv_s8.h\"\n"
                       "#include \"integer/elementwise_s8.h\"\n#include \"integer/line_rows_s8.h\"\n"
                       "#include \"integer/rnnpool_q15.h\"\n#include \"integer/stream_s8.h\"\n\n";
    std::string code = "{\n    /* The sweep: map, row, the first row kept before it is stored, the first input row it reads\n"
                       "     * (-32768: none, a replicated bottom row). A row at or below the map's height is padding. */\n";
    code += "    static const int16_t events[" + cNumber(static_cast<int64_t>(table.size())) + "][4] = {\n";
    for (size_t i = 0; i < table.size(); ++i) {
        const TableRow& t = table[i];
        code += std::string(i % 6 == 0 ? "        " : " ") + "{" + cNumber(t.map) + ", " + cNumber(t.row) + ", " +
                cNumber(t.keepFrom) + ", " + cNumber(t.first) + "}," + (i % 6 == 5 || i + 1 == table.size() ? "\n" : "");
    }
    code += "    };\n";
    plan.weightBytes += 8 * table.size();
    std::string heights = "    static const int16_t heights[" + cNumber(static_cast<int64_t>(maps)) + "] = {";
    code += "    rp_line_rows_s8 maps[" + cNumber(static_cast<int64_t>(maps)) + "] = {\n";
    for (size_t b = 0; b < maps; ++b) {
        const LineBufferMap& m = lb.maps[b];
        auto pad = lineBufferPaddingValue(net, lb, m);
        if (!pad)
            return makeError("'" + timeline->tensors[b].name + "': " + pad.error());
        code += "        {" + arenaAt(offsetOf(b)) + ", " + cNumber(m.width * m.channels) + ", " + cNumber(m.capacityRows) +
                ", " + cNumber(-m.padTop) + ", 0, " + cNumber(*pad) + "}, /* " + timeline->tensors[b].name + " */\n";
        heights += (b ? ", " : "") + cNumber(m.height);
    }
    code += "    };\n" + heights + "};\n";
    if (kernelOffset >= 0)
        code += "    scratch = " + arenaAt(kernelOffset, true) + "; /* the kernels' shared one-row scratch, in the arena */\n";
    code += "    for (int32_t m = 0; m < " + cNumber(static_cast<int64_t>(maps)) +
            "; ++m)\n        rp_line_rows_s8_pad(&maps[m], maps[m].lo, -maps[m].lo);\n";
    code += "    for (int32_t i = 0; i < " + cNumber(static_cast<int64_t>(table.size())) +
            "; ++i) {\n        const int32_t m = events[i][0], row = events[i][1], keep = events[i][2], first = events[i][3];\n"
            "        rp_line_rows_s8* s = &maps[m];\n        if (keep > s->lo)\n            rp_line_rows_s8_drop(s, keep);\n"
            "        int8_t* dst = rp_line_rows_s8_row(s, row);\n        s->hi = row + 1;\n"
            "        if (row >= heights[m]) {\n            rp_line_rows_s8_pad(s, row, 1);\n            continue;\n        }\n"
            "        (void)first;\n        switch (m) {\n"
            "        case 0:\n            rows(row, dst);\n            hook(-1, 0, 0);\n            break;\n";

    uint64_t layerScratch = 0;
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "x" + string.
    const auto mapName = [&](int node) {
        std::string name = "maps[";
        name += cNumber(mapOf(node));
        name += ']';
        return name;
    };
    const auto rowsOf = [&](int node) {
        std::string pointer(1, '&');
        pointer += mapName(node);
        return pointer;
    };
    for (size_t u = 0; u < units.size(); ++u) {
        const ScheduleUnit& unit = units[u];
        const int out = unit.output();
        const Shape& s0 = shapeOf(unit.inputs[0]);
        const std::string src = rowsOf(unit.inputs[0]);
        code += "        case " + cNumber(static_cast<int64_t>(u) + 1) + ": { /* " + unit.name + " */\n";
        if (unit.kind == ScheduleUnit::Kind::Layer) {
            const Int8Network::Prepared& p = net.prepared(static_cast<size_t>(out));
            const std::vector<int>& inputs = graph.nodes()[static_cast<size_t>(out)].inputs;
            Shape in0{s0[0], 1, s0[2]}; // one row in; a convolution's window of kernel_h whole rows
            bool window = false;
            std::vector<std::string> in;
            switch (p.kind) {
            case Kind::Conv:
            case Kind::Depthwise:
            case Kind::Pointwise:
                window = true;
                in0[1] = p.shape.kernel_h;
                in = {"rp_line_rows_s8_row(" + src + ", first)"};
                break;
            case Kind::Add:
                in = {"rp_line_rows_s8_row(" + rowsOf(inputs[0]) + ", row)", "rp_line_rows_s8_row(" + rowsOf(inputs[1]) + ", row)"};
                break;
            case Kind::L2Norm:
            case Kind::MaxOut:
                in = {"rp_line_rows_s8_row(" + src + ", row)"};
                break;
            case Kind::RnnPool:
                return makeError("schedule 'linebuffer': '" + unit.name + "' is a whole-map RNNPool, which has no row form");
            }
            const Shape& outShape = shapeOf(out);
            code += layerCall(p, nodePrefix(out), in, in0, "dst", outShape[0] * outShape[2], data, plan.weightBytes,
                              layerScratch, window);
        } else {
            auto parts = int8UnitParts(net, unit);
            if (!parts)
                return makeError("schedule 'linebuffer': " + parts.error());
            if (unit.kind == ScheduleUnit::Kind::InvertedResidual) {
                irBlockStatic(net, *parts, data, code, plan.weightBytes);
                code += "        if (rp_ir_s8_row_at(&block, rp_line_rows_s8_row(" + src + ", first), first, " + cNumber(s0[1]) +
                        ", " + cNumber(s0[2]) + ", row, scratch, dst) != RP_Q15_OK)\n            return " + cNumber(out + 1) +
                        ";\n";
            } else {
                if (stateOffset[u] < 0)
                    return makeError("schedule 'linebuffer': '" + unit.name + "' has no state in the plan");
                const RnnPoolStreamLiterals literals = rnnPoolStreamStatics(net, *parts, data, code, plan.weightBytes);
                code += "        if (first == -32768) { /* a replicated bottom row */\n"
                        "            memcpy(dst, rp_line_rows_s8_row(s, row - 1), (size_t)s->row_bytes);\n"
                        "            hook(" + cNumber(out) + ", 0, 0);\n            break;\n        }\n";
                code += "        const rp_rnnpool_s8_stream stream = {&config, " + literals.channels + ", {" + literals.convs +
                        "}, " +
                        cNumber(static_cast<int64_t>(parts->convs.size())) + ", {" + mapName(unit.inputs[0]) + ".data, " +
                        cNumber(s0[1]) + ", " + cNumber(s0[2]) + ", " + cNumber(s0[0]) + ", " + mapName(unit.inputs[0]) +
                        ".capacity, " + mapName(unit.inputs[0]) + ".lo}};\n";
                code += "        if (rp_rnnpool_s8_stream_row_patches(&stream, row, " + arenaAt(stateOffset[u]) +
                        ", dst) != RP_Q15_OK)\n            return " + cNumber(parts->pool + 1) + ";\n";
            }
        }
        code += "        hook(" + cNumber(out) + ", 0, 0);\n        break;\n        }\n";
        plan.steps.emplace_back(out, unit.name);
    }
    if (layerScratch > 0 && (kernelOffset < 0 || static_cast<int64_t>(layerScratch) + 3 > rp.work.kernelBytes))
        return makeError("schedule 'linebuffer': a layer's row needs " + cNumber(static_cast<int64_t>(layerScratch)) +
                         " bytes of scratch, the plan has " + cNumber(rp.work.kernelBytes));
    code += "        }\n    }\n";
    // The output maps, kept whole, once.
    for (size_t b = 1; b < maps; ++b)
        if (lb.maps[b].whole)
            code += "    hook(" + cNumber(lb.maps[b].node) + ", rp_line_rows_s8_row(&maps[" + cNumber(static_cast<int64_t>(b)) +
                    "], 0), " + cNumber(lb.maps[b].height * lb.maps[b].width * lb.maps[b].channels) + ");\n";
    code += "    (void)scratch;\n    return 0;\n}\n";
    plan.scratchBytes = 4;
    return GeneratedNetwork{data, code,
                            {graph.spec().name, "linebuffer", inputChw, static_cast<int64_t>(graph.nodes().size()),
                             offsetOf(0), plan.inputRingRows, static_cast<int64_t>(plan.arenaBytes),
                             static_cast<int64_t>(plan.scratchBytes), {}}};
}

} // namespace rnnpool
