#include "quant/int8_arena.h"

#include <cstring>

namespace rnnpool {

Expected<Int8ArenaRun> runInt8InArena(const Int8Network& net8, const Schedule& schedule, const MemoryTimeline& timeline,
                                      const MemoryPlan& plan, const std::vector<int8_t>& inputHwc, const Shape& inputShape)
{
    const Network& net = *net8.model().network;
    if (timeline.options.dtype != ElementType::I8)
        return makeError("the int8 engine runs in an arena planned for i8 (profile with --dtype i8)");
    for (const ScheduleUnit& unit : schedule.units)
        if (unit.kind != ScheduleUnit::Kind::Layer)
            return makeError("schedule '" + schedule.name + "': unit '" + unit.name +
                             "' streams its layers, and the streaming kernels run float32 only; the int8 engine executes "
                             "--schedule layerwise");
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
    const int8_t* picture = inputHwc.data();
    if (timeline.tensors[0].bytes > 0) {
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
        std::vector<const int8_t*> in;
        std::vector<Shape> inShapes;
        for (int src : net.nodes()[out].inputs) {
            in.push_back(src == kNetworkInput ? picture : where[static_cast<size_t>(src)]);
            inShapes.push_back(src == kNetworkInput ? inputShape : (*shapes)[static_cast<size_t>(src)]);
        }
        if (Status st = net8.runNode(out, in, inShapes, where[out], shape, scratch); !st)
            return makeError(st.error());
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
