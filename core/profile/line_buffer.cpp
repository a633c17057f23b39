#include "profile/line_buffer.h"

#include <algorithm>
#include <limits>

#include "integer/conv_s8.h"
#include "ops/conv2d.h"
#include "ops/rnnpool.h"
#include "profile/schedule.h"

namespace rnnpool {

namespace {

const Shape& shapeOf(int node, const std::vector<Shape>& shapes, const Shape& inputShape)
{
    return node == kNetworkInput ? inputShape : shapes[static_cast<size_t>(node)];
}

bool isOutput(const Network& net, int node)
{
    if (node == static_cast<int>(net.nodes().size()) - 1)
        return true;
    for (const auto& [loc, conf] : net.heads())
        if (node == loc || node == conf)
            return true;
    return false;
}

bool rowLocalLayer(const Node& n)
{
    const std::string_view kind = n.op->kind();
    return kind == "add" || kind == "l2norm" || kind == "background_maxout" ||
           (kind == "conv2d" && static_cast<const Conv2d&>(*n.op).params().plainGeometry());
}

} // namespace

RowWindow lineBufferRowsRead(const Network& net, const ScheduleUnit& unit, size_t slot, int64_t row,
                             const std::vector<Shape>& shapes, const Shape& inputShape)
{
    const int64_t inHeight = shapeOf(unit.inputs[slot], shapes, inputShape)[1];
    const Node& last = net.nodes()[static_cast<size_t>(unit.output())];
    switch (unit.kind) {
    case ScheduleUnit::Kind::RnnPoolPatches: {
        const RnnPoolParams& p = static_cast<const RnnPool&>(*last.op).params();
        const int64_t mapHeight = unit.nodes.size() > 1 ? shapes[static_cast<size_t>(unit.nodes[unit.nodes.size() - 2])][1] : inHeight;
        if (row >= (mapHeight < p.patch ? 0 : (mapHeight - p.patch) / p.stride + 1))
            return {}; // a replicated bottom row
        const RowSpan span = patchRowInputRows(net, unit, row, inHeight);
        return {span.first, span.last};
    }
    case ScheduleUnit::Kind::InvertedResidual: {
        // The block pads by itself: only the rows inside the map.
        const bool expands = net.nodes()[static_cast<size_t>(unit.nodes.front())].name.ends_with(".expand");
        const Conv2dParams& d = static_cast<const Conv2d&>(*net.nodes()[static_cast<size_t>(unit.nodes[expands ? 1 : 0])].op).params();
        const int64_t first = row * d.strideH - d.padH;
        return {std::max<int64_t>(first, 0), std::min(first + d.kernelH - 1, inHeight - 1)};
    }
    default:
        if (last.op->kind() == "conv2d") {
            const Conv2dParams& c = static_cast<const Conv2d&>(*last.op).params();
            const int64_t first = row * c.strideH - c.padH;
            return {first, first + c.kernelH - 1};
        }
        return {row, row};
    }
}

Expected<LineBufferPlan> planLineBuffer(const Network& net, const Shape& inputShape, ElementType dtype)
{
    auto planned = net.plan(inputShape);
    if (!planned)
        return std::move(planned).takeError();
    const std::vector<Shape>& shapes = *planned;
    LineBufferPlan plan;
    plan.units = paperSchedule(net);
    const std::vector<ScheduleUnit>& units = plan.units.units;
    for (const ScheduleUnit& unit : units) {
        const bool squeezeExcite = std::any_of(unit.nodes.begin(), unit.nodes.end(), [&](int n) {
            return net.nodes()[static_cast<size_t>(n)].op->kind() == "squeeze_excite"; // needs every row's mean first
        });
        const bool runs = (unit.kind == ScheduleUnit::Kind::InvertedResidual && !squeezeExcite) ||
                          unit.kind == ScheduleUnit::Kind::RnnPoolPatches ||
                          (unit.kind == ScheduleUnit::Kind::Layer && rowLocalLayer(net.nodes()[static_cast<size_t>(unit.output())]));
        if (!runs)
            return makeError("the linebuffer schedule runs convolutions (no dilation, symmetric padding), add, L2Norm, "
                             "background max-out, inverted-residual blocks without squeeze-excite and RNNPool a row at a "
                             "time; '" + unit.name +
                             "' (" + std::string(net.nodes()[static_cast<size_t>(unit.output())].op->kind()) + ") is not one of them");
    }

    // Map of each node that a unit makes (-1 inside a unit).
    std::vector<int> mapOfNode(net.nodes().size(), -1);
    plan.maps.push_back({kNetworkInput, inputShape[0], inputShape[1], inputShape[2], 0, 0, 0, false, {}, -1});
    for (size_t u = 0; u < units.size(); ++u) {
        const Shape& s = shapes[static_cast<size_t>(units[u].output())];
        plan.maps.push_back({units[u].output(), s[0], s[1], s[2], 0, 0, 0, isOutput(net, units[u].output()), {}, static_cast<int>(u)});
        mapOfNode[static_cast<size_t>(units[u].output())] = static_cast<int>(u) + 1;
    }
    const auto mapOf = [&](int node) { return node == kNetworkInput ? 0 : mapOfNode[static_cast<size_t>(node)]; };
    // Heads decoded row by row, when that takes fewer bytes than their maps.
    if (const auto& detector = net.spec().detector; detector && detector->nmsTopK > 0 && dtype == ElementType::I8) {
        std::vector<DecodedHead> decoded;
        int64_t wholeBytes = 0;
        for (size_t k = 0; k < net.heads().size() && k < detector->steps.size(); ++k) {
            const auto [loc, conf] = net.heads()[k];
            const int locMap = mapOf(loc), confMap = mapOf(conf);
            if (locMap <= 0 || confMap <= 0 || plan.maps[static_cast<size_t>(locMap)].channels != 4 ||
                plan.maps[static_cast<size_t>(confMap)].channels != 2)
                continue;
            decoded.push_back({k, locMap, confMap, plan.maps[static_cast<size_t>(locMap)].height});
            for (const int b : {locMap, confMap}) {
                const LineBufferMap& m = plan.maps[static_cast<size_t>(b)];
                wholeBytes += m.height * m.width * m.channels * elementBytes(dtype);
            }
        }
        const int64_t entry = 10; // quant/candidate_store.h: kCandidateBytes
        if (!decoded.empty() && wholeBytes > detector->nmsTopK * entry) {
            plan.decoded = std::move(decoded);
            plan.candidateBytes = detector->nmsTopK * entry;
            for (const DecodedHead& d : plan.decoded)
                plan.maps[static_cast<size_t>(d.locMap)].whole = plan.maps[static_cast<size_t>(d.confMap)].whole = false;
        }
    }
    // Readers, and the padding rows their windows reach.
    for (size_t u = 0; u < units.size(); ++u) {
        const int64_t rows = shapes[static_cast<size_t>(units[u].output())][1];
        for (size_t slot = 0; slot < units[u].inputs.size(); ++slot) {
            const int b = mapOf(units[u].inputs[slot]);
            if (b < 0)
                return makeError("'" + units[u].name + "' reads a map made inside another unit");
            LineBufferMap& m = plan.maps[static_cast<size_t>(b)];
            if (std::find(m.readers.begin(), m.readers.end(), static_cast<int>(u)) == m.readers.end())
                m.readers.push_back(static_cast<int>(u));
            for (int64_t r = 0; r < rows; ++r) {
                const RowWindow w = lineBufferRowsRead(net, units[u], slot, r, shapes, inputShape);
                if (w.empty())
                    continue;
                m.padTop = std::max(m.padTop, -w.first);
                m.padBottom = std::max(m.padBottom, w.last - (m.height - 1));
            }
        }
    }

    // The sweep on row numbers: rows made so far, and the rows each map holds, [lo, hi).
    const size_t maps = plan.maps.size();
    std::vector<int64_t> made(maps, 0), lo(maps), hi(maps), decodedRows(plan.decoded.size(), 0);
    for (size_t b = 0; b < maps; ++b) {
        lo[b] = -plan.maps[b].padTop;
        hi[b] = 0; // the padding rows above are there from the start
        plan.maps[b].capacityRows = hi[b] - lo[b];
    }
    // The lowest row of map b that a reader still needs (its next row's window).
    const auto lowestNeeded = [&](size_t b) {
        int64_t need = std::numeric_limits<int64_t>::max();
        for (int reader : plan.maps[b].readers) {
            const ScheduleUnit& unit = units[static_cast<size_t>(reader)];
            const LineBufferMap& out = plan.maps[static_cast<size_t>(reader) + 1];
            if (made[static_cast<size_t>(reader) + 1] >= out.height)
                continue;
            for (size_t slot = 0; slot < unit.inputs.size(); ++slot)
                if (mapOf(unit.inputs[slot]) == static_cast<int>(b))
                    if (const RowWindow w = lineBufferRowsRead(net, unit, slot, made[static_cast<size_t>(reader) + 1], shapes, inputShape);
                        !w.empty())
                        need = std::min(need, w.first);
        }
        for (size_t d = 0; d < plan.decoded.size(); ++d)
            if ((plan.decoded[d].locMap == static_cast<int>(b) || plan.decoded[d].confMap == static_cast<int>(b)) &&
                decodedRows[d] < plan.decoded[d].height)
                need = std::min(need, decodedRows[d]);
        return need;
    };
    const auto store = [&](size_t b, int64_t row) {
        LineBufferMap& m = plan.maps[b];
        int64_t keep = lo[b];
        if (!m.whole) {
            keep = std::min(std::max(lowestNeeded(b), lo[b]), row);
            if (b > 0 && row > 0 && row < m.height && lineBufferRowsRead(net, units[b - 1], 0, row, shapes, inputShape).empty())
                keep = std::min(keep, row - 1); // RNNPool's replicated bottom row copies the row above
        }
        plan.events.push_back({static_cast<int>(b), row, keep});
        lo[b] = keep;
        hi[b] = row + 1;
        m.capacityRows = std::max(m.capacityRows, hi[b] - lo[b]);
        made[b] = row + 1;
    };
    // Whether a reader's next row reads row `row` of map b (a padding row below the map).
    const auto needed = [&](size_t b, int64_t row) {
        for (int reader : plan.maps[b].readers) {
            const ScheduleUnit& unit = units[static_cast<size_t>(reader)];
            if (made[static_cast<size_t>(reader) + 1] >= plan.maps[static_cast<size_t>(reader) + 1].height)
                continue;
            for (size_t slot = 0; slot < unit.inputs.size(); ++slot)
                if (mapOf(unit.inputs[slot]) == static_cast<int>(b) &&
                    lineBufferRowsRead(net, unit, slot, made[static_cast<size_t>(reader) + 1], shapes, inputShape).last >= row)
                    return true;
        }
        return false;
    };
    const auto ready = [&](size_t u, int64_t row) {
        for (size_t slot = 0; slot < units[u].inputs.size(); ++slot) {
            const RowWindow w = lineBufferRowsRead(net, units[u], slot, row, shapes, inputShape);
            if (w.empty())
                continue;
            const auto b = static_cast<size_t>(mapOf(units[u].inputs[slot]));
            if (made[b] < w.last + 1) // padding rows below the map included
                return false;
        }
        return true;
    };
    // After each picture row, passes in network order, each unit making at
    // most one row a pass, until none can: a row goes down the network before
    // the next is made, so that no map piles up rows its readers have not
    // taken yet. A padding row below a map is stored only once a reader's
    // next row reads it (by then the rows above it that no reader needs are
    // gone).
    for (int64_t y = 0; y < inputShape[1]; ++y) {
        store(0, y);
        for (bool progress = true; progress;) {
            progress = false;
            for (size_t b = 0; b < maps; ++b)
                if (made[b] >= plan.maps[b].height && made[b] < plan.maps[b].height + plan.maps[b].padBottom &&
                    needed(b, made[b])) {
                    store(b, made[b]);
                    progress = true;
                }
            for (size_t u = 0; u < units.size(); ++u)
                if (made[u + 1] < plan.maps[u + 1].height && ready(u, made[u + 1])) {
                    store(u + 1, made[u + 1]);
                    progress = true;
                }
            for (size_t d = 0; d < plan.decoded.size(); ++d) {
                const DecodedHead& h = plan.decoded[d];
                const int64_t row = decodedRows[d];
                if (row < h.height && made[static_cast<size_t>(h.locMap)] > row && made[static_cast<size_t>(h.confMap)] > row) {
                    plan.events.push_back({-1, row, 0, static_cast<int>(d)});
                    ++decodedRows[d];
                    progress = true;
                }
            }
        }
    }
    for (size_t d = 0; d < plan.decoded.size(); ++d)
        if (decodedRows[d] != plan.decoded[d].height)
            return makeError("the linebuffer schedule cannot decode every row of head " + std::to_string(plan.decoded[d].head));
    for (size_t u = 0; u < units.size(); ++u)
        if (made[u + 1] < plan.maps[u + 1].height)
            return makeError("the linebuffer schedule cannot finish '" + units[u].name + "' (" + std::to_string(made[u + 1]) +
                             " of " + std::to_string(plan.maps[u + 1].height) + " rows)");
    for (LineBufferMap& m : plan.maps)
        if (m.whole)
            m.capacityRows = m.padTop + m.height + m.padBottom;
    return plan;
}

LineBufferScratch lineBufferScratch(const Network& net, const Schedule& units, const std::vector<Shape>& shapes,
                                    const Shape& inputShape, const ScheduleOptions& options)
{
    LineBufferScratch out;
    const bool integer = options.dtype == ElementType::I8 && !options.paperAccounting;
    for (size_t u = 0; u < units.units.size(); ++u) {
        const ScheduleUnit& unit = units.units[u];
        const Node& n = net.nodes()[static_cast<size_t>(unit.output())];
        if (unit.kind == ScheduleUnit::Kind::RnnPoolPatches) {
            // In int8 patch by patch (the smallest state); in float the paper's per-patch state.
            out.rnnPoolStates.emplace_back(static_cast<int>(u), integer ? rnnPoolStreamScratchBytes(net, unit, shapes, inputShape, true)
                                                                        : unitScratchBytes(net, unit, shapes, inputShape, options));
        } else if (unit.kind == ScheduleUnit::Kind::InvertedResidual) {
            out.kernelBytes = std::max(out.kernelBytes, unitScratchBytes(net, unit, shapes, inputShape, options));
        } else if (integer && n.op->kind() == "conv2d") {
            const Conv2dParams& c = static_cast<const Conv2d&>(*n.op).params();
            rp_conv_shape_t s{};
            s.in_channels = static_cast<int32_t>(c.inChannels);
            s.out_channels = static_cast<int32_t>(c.outChannels);
            s.kernel_h = static_cast<int32_t>(c.kernelH);
            s.kernel_w = static_cast<int32_t>(c.kernelW);
            // The int8 engine's choice of kernel (quant/int8_network.cpp).
            const bool depthwise = c.groups != 1;
            const bool pointwise = !depthwise && c.kernelH == 1 && c.kernelW == 1 && c.strideH == 1 && c.strideW == 1 &&
                                   c.padH == 0 && c.padW == 0;
            const int32_t bytes = depthwise ? rp_depthwise_conv_s8_scratch_size(&s)
                                            : (pointwise ? rp_pointwise_conv_s8_scratch_size(&s) : rp_conv_s8_scratch_size(&s));
            out.kernelBytes = std::max<int64_t>(out.kernelBytes, bytes + 3);
        }
    }
    return out;
}

Expected<MemoryTimeline> lineBufferTimeline(const Network& net, const Shape& inputShape, const ScheduleOptions& options)
{
    auto plan = planLineBuffer(net, inputShape, options.dtype);
    if (!plan)
        return std::move(plan).takeError();
    auto shapes = net.plan(inputShape);
    if (!shapes)
        return std::move(shapes).takeError();
    const int64_t element = elementBytes(options.dtype);
    const int last = static_cast<int>(net.nodes().size()) - 1;
    MemoryTimeline t;
    t.schedule = "linebuffer";
    t.options = options;
    for (const Node& n : net.nodes())
        t.steps.push_back(n.name);
    for (const LineBufferMap& m : plan->maps) {
        const int64_t bytes = m.capacityRows * m.width * m.channels * element;
        if (m.node == kNetworkInput)
            t.tensors.push_back({"input.rows", kNetworkInput, 0, last, options.countInput ? bytes : 0});
        else
            t.tensors.push_back({plan->units.units[static_cast<size_t>(m.unit)].name + (m.whole ? "" : ".rows"), m.node, 0, last, bytes});
    }
    const LineBufferScratch scratch = lineBufferScratch(net, plan->units, *shapes, inputShape, options);
    if (scratch.kernelBytes > 0)
        t.tensors.push_back({"linebuffer.kernel", last, 0, last, scratch.kernelBytes, true});
    if (plan->candidateBytes > 0)
        t.tensors.push_back({"heads.candidates", last, 0, last, plan->candidateBytes});
    for (const auto& [unit, bytes] : scratch.rnnPoolStates)
        t.tensors.push_back({plan->units.units[static_cast<size_t>(unit)].name + ".state",
                             plan->units.units[static_cast<size_t>(unit)].output(), 0, last, bytes, true});
    computeLiveness(t);
    return t;
}

} // namespace rnnpool
