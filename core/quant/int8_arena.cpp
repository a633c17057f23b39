#include "quant/int8_arena.h"

#include <cstring>

#include "quant/int8_line_buffer.h"
#include "quant/int8_units.h"

namespace rnnpool {

Expected<Int8ArenaRun> runInt8InArena(const Int8Network& net8, const Schedule& schedule, const MemoryTimeline& timeline,
                                      const MemoryPlan& plan, const std::vector<int8_t>& inputHwc, const Shape& inputShape)
{
    const Network& net = *net8.model().network;
    if (timeline.options.dtype != ElementType::I8)
        return makeError("the int8 engine runs in an arena planned for i8 (profile with --dtype i8)");
    if (isLineBuffered(schedule))
        return runInt8LineBuffered(net8, timeline, plan, inputHwc, inputShape);
    for (const ScheduleUnit& unit : schedule.units)
        if (unit.kind == ScheduleUnit::Kind::PaperBlock || unit.kind == ScheduleUnit::Kind::PointwisePool)
            return makeError("schedule '" + schedule.name + "': unit '" + unit.name +
                             "' has no int8 streaming kernel (the int8 engine streams inverted-residual blocks and RNNPool "
                             "with the convolutions feeding it); use --schedule layerwise");
    if (inputHwc.size() != static_cast<size_t>(shapeNumel(inputShape)))
        return makeError("the int8 input has " + std::to_string(inputHwc.size()) + " values, its shape " +
                         std::to_string(shapeNumel(inputShape)));
    auto shapes = net.plan(inputShape);
    if (!shapes)
        return std::move(shapes).takeError();
    const size_t units = schedule.units.size();
    if (timeline.tensors.size() < units + 1)
        return makeError("the timeline does not belong to this schedule");

    MeteredArena arena(timeline, plan);
    std::vector<int> outputTensor(net.nodes().size(), -1);
    for (size_t u = 0; u < units; ++u)
        outputTensor[static_cast<size_t>(schedule.units[u].output())] = static_cast<int>(u) + 1;
    std::vector<int8_t*> where(net.nodes().size(), nullptr);
    std::vector<int> scratchTensor(units, -1);
    for (size_t i = units + 1; i < timeline.tensors.size(); ++i)
        scratchTensor[static_cast<size_t>(timeline.tensors[i].firstStep)] = static_cast<int>(i);
    const int8_t* picture = inputHwc.data();
    // rowstream: the picture arrives row by row into a ring (in the arena when it is counted).
    const int64_t W = inputShape[2], C = inputShape[0];
    const int64_t ringRows = !schedule.units.empty() && schedule.units.front().inputRows
                                 ? inputRingRows(net, schedule.units.front(), inputShape[1]) : 0;
    std::vector<int8_t> uncountedRing;
    int8_t* ring = nullptr;
    if (ringRows > 0) {
        if (timeline.tensors[0].bytes > 0) {
            ring = reinterpret_cast<int8_t*>(arena.claimBytes(0, ringRows * W * C));
            if (!ring)
                return makeError("arena: " + arena.violations().front());
        } else {
            uncountedRing.resize(static_cast<size_t>(ringRows * W * C));
            ring = uncountedRing.data();
        }
    } else if (timeline.tensors[0].bytes > 0) {
        uint8_t* dst = arena.claimBytes(0, static_cast<int64_t>(inputHwc.size()));
        if (!dst)
            return makeError("arena: " + arena.violations().front());
        std::memcpy(dst, inputHwc.data(), inputHwc.size());
        picture = reinterpret_cast<const int8_t*>(dst);
    }
    std::vector<uint8_t> scratch;
    for (size_t u = 0; u < units; ++u) {
        const ScheduleUnit& unit = schedule.units[u];
        const auto out = static_cast<size_t>(unit.output());
        const Shape& shape = (*shapes)[out];
        uint8_t* data = arena.claimBytes(outputTensor[out], shapeNumel(shape));
        if (!data)
            return makeError("arena: " + arena.violations().front());
        where[out] = reinterpret_cast<int8_t*>(data);
        uint8_t* unitScratch = nullptr;
        if (scratchTensor[u] >= 0) {
            unitScratch = arena.claimBytes(scratchTensor[u], timeline.tensors[static_cast<size_t>(scratchTensor[u])].bytes);
            if (!unitScratch)
                return makeError("arena: " + arena.violations().front());
        }
        std::vector<const int8_t*> in;
        std::vector<Shape> inShapes;
        for (int src : net.nodes()[static_cast<size_t>(unit.nodes.front())].inputs) {
            in.push_back(src == kNetworkInput ? picture : where[static_cast<size_t>(src)]);
            inShapes.push_back(src == kNetworkInput ? inputShape : (*shapes)[static_cast<size_t>(src)]);
        }
        if (unit.kind == ScheduleUnit::Kind::Layer) {
            if (Status st = net8.runNode(out, in, inShapes, where[out], shape, scratch); !st)
                return makeError(st.error());
        } else if (unit.kind == ScheduleUnit::Kind::InvertedResidual) {
            auto parts = int8UnitParts(net8, unit);
            if (!parts)
                return std::move(parts).takeError();
            const rp_ir_s8_block block = int8Block(net8, *parts);
            const auto ih = static_cast<int32_t>(inShapes[0][1]), iw = static_cast<int32_t>(inShapes[0][2]);
            if (rp_ir_s8_rows(&block, in[0], ih, iw, 0, static_cast<int32_t>(shape[1]), unitScratch, where[out]) != RP_Q15_OK)
                return makeError("the streamed inverted residual '" + unit.name +
                                 "' cannot run on its shapes");
        } else { // RnnPoolPatches
            rp_rnnpool_s8_channel_quant channelQuant{};
            auto parts = int8UnitParts(net8, unit);
            if (!parts)
                return std::move(parts).takeError();
            rp_rnnpool_s8_stream streamed = int8Stream(net8, *parts, channelQuant);
            rp_rnnpool_s8_stream* stream = &streamed;
            const Shape& source = inShapes[0];
            const bool rows = unit.inputRows && ring;
            stream->rows = {rows ? ring : in[0], static_cast<int32_t>(source[1]), static_cast<int32_t>(source[2]),
                            static_cast<int32_t>(source[0]), static_cast<int32_t>(rows ? ringRows : source[1]), 0};
            int32_t mapH = 0, mapW = 0;
            rp_rnnpool_s8_stream_map(stream, &mapH, &mapW);
            int64_t delivered = 0;
            for (int32_t gy = 0; gy < rp_rnnpool_s8q15_grid(stream->cfg, mapH); ++gy) {
                if (rows) // the camera's DMA: every row up to the last this patch row reads
                    for (const int64_t last = patchRowInputRows(net, unit, gy, source[1]).last; delivered <= last; ++delivered)
                        std::memcpy(ring + (delivered % ringRows) * W * C, inputHwc.data() + delivered * W * C,
                                    static_cast<size_t>(W * C));
                if (rp_rnnpool_s8_stream_row(stream, gy, unitScratch, where[out]) != RP_Q15_OK)
                    return makeError("unit '" + unit.name + "': the int8 patch kernel refused patch row " + std::to_string(gy));
            }
            rp_rnnpool_s8_stream_pad(stream, where[out]);
        }
        if (scratchTensor[u] >= 0)
            arena.release(scratchTensor[u]);
        for (int src : unit.inputs) {
            const int tensor = src == kNetworkInput ? 0 : outputTensor[static_cast<size_t>(src)];
            if (timeline.tensors[static_cast<size_t>(tensor)].lastStep == static_cast<int>(u))
                arena.release(tensor);
        }
    }
    Int8ArenaRun run;
    run.maps.resize(net.nodes().size());
    for (size_t u = 0; u < units; ++u) {
        const auto out = static_cast<size_t>(schedule.units[u].output());
        if (timeline.tensors[u + 1].lastStep == static_cast<int>(units) - 1)
            run.maps[out].assign(where[out], where[out] + shapeNumel((*shapes)[out]));
    }
    run.highWaterBytes = arena.highWaterBytes();
    run.highestByte = arena.highestByte();
    run.violations = arena.violations();
    return run;
}

} // namespace rnnpool
