#include "profile/arena.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>

#include "profile/line_buffer_arena.h"
#include "profile/streamed_kernels.h"

namespace rnnpool {

std::vector<BufferRequest> bufferRequests(const MemoryTimeline& timeline)
{
    std::vector<BufferRequest> requests;
    for (const TensorLife& t : timeline.tensors)
        requests.push_back({t.bytes, t.firstStep, t.lastStep});
    return requests;
}

MeteredArena::MeteredArena(const MemoryTimeline& timeline, const MemoryPlan& plan)
    // Poisoned with NaN so a kernel that relied on zeroed memory shows up in outputs.
    : m_buffer(static_cast<size_t>((plan.arenaBytes + 3) / 4), std::numeric_limits<float>::quiet_NaN())
{
    for (size_t i = 0; i < timeline.tensors.size(); ++i)
        m_slots.push_back({plan.offsets[i], timeline.tensors[i].bytes, false});
}

float* MeteredArena::claim(int index, int64_t bytes)
{
    uint8_t* at = claimBytes(index, bytes);
    return at ? m_buffer.data() + (at - reinterpret_cast<uint8_t*>(m_buffer.data())) / 4 : nullptr;
}

uint8_t* MeteredArena::claimBytes(int index, int64_t bytes)
{
    if (index < 0 || static_cast<size_t>(index) >= m_slots.size()) {
        m_violations.push_back("no planned buffer " + std::to_string(index));
        return nullptr;
    }
    Slot& slot = m_slots[static_cast<size_t>(index)];
    if (slot.bytes != bytes || slot.offset + bytes > capacityBytes()) {
        m_violations.push_back("buffer " + std::to_string(index) + " needs " + std::to_string(bytes) + " bytes, the plan has " +
                               std::to_string(slot.bytes));
        return nullptr;
    }
    for (const Slot& other : m_slots)
        if (&other != &slot && other.live && other.bytes > 0 && other.offset < slot.offset + bytes && slot.offset < other.offset + other.bytes)
            m_violations.push_back("buffer " + std::to_string(index) + " overlaps a live buffer");
    slot.live = true;
    m_inUse += bytes;
    m_highWater = std::max(m_highWater, m_inUse);
    m_highestByte = std::max(m_highestByte, slot.offset + bytes);
    return reinterpret_cast<uint8_t*>(m_buffer.data()) + slot.offset;
}

void MeteredArena::release(int index)
{
    if (index < 0 || static_cast<size_t>(index) >= m_slots.size() || !m_slots[static_cast<size_t>(index)].live)
        return;
    m_slots[static_cast<size_t>(index)].live = false;
    m_inUse -= m_slots[static_cast<size_t>(index)].bytes;
}

Expected<ArenaRun> runInArena(const Network& net, const Schedule& schedule, const MemoryTimeline& timeline,
                              const MemoryPlan& plan, const Tensor& input)
{
    if (timeline.options.dtype != ElementType::F32)
        return makeError("arena execution runs the float32 engine; profile with f32");
    if (isLineBuffered(schedule))
        return runLineBufferedInArena(net, timeline, plan, input);
    auto shapes = net.plan(input.shape());
    if (!shapes)
        return std::move(shapes).takeError();

    for (const ScheduleUnit& unit : schedule.units)
        if (!unitExecutes(unit))
            return makeError("schedule '" + schedule.name + "' of '" + net.spec().name + "': unit '" + unit.name + "' (" +
                             paperBlockName(unit.block) +
                             ") is planned by the paper's Appendix E.2 rule and has no streaming kernel; the arena runs "
                             "layers, inverted-residual and separable blocks, RNNPool with the convolutions feeding it, and a 1x1 "
                             "convolution with the global pool after it (use --schedule layerwise to execute this network)");
    MeteredArena arena(timeline, plan);
    // Timeline tensor of each unit's output and scratch (buildTimeline's order).
    const size_t units = schedule.units.size();
    std::vector<int> outputTensor(net.nodes().size(), -1), scratchTensor(units, -1);
    for (size_t u = 0; u < units; ++u)
        outputTensor[static_cast<size_t>(schedule.units[u].output())] = static_cast<int>(u) + 1;
    for (size_t i = units + 1; i < timeline.tensors.size(); ++i)
        scratchTensor[static_cast<size_t>(timeline.tensors[i].firstStep)] = static_cast<int>(i);

    ArenaRun run;
    run.result.outputs.resize(net.nodes().size());
    run.result.layerSeconds.resize(net.nodes().size(), 0.0);
    std::vector<Tensor> views(net.nodes().size());
    Tensor picture = input;
    // rowstream: the picture arrives row by row into a ring (in the arena when it is counted).
    RowRing ring;
    std::vector<float> uncountedRing;
    const bool rows = !schedule.units.empty() && schedule.units.front().inputRows;
    if (rows) {
        const int64_t C = input.dim(0), H = input.dim(1), W = input.dim(2);
        ring.rows = inputRingRows(net, schedule.units.front(), H);
        if (timeline.tensors[0].bytes > 0) {
            ring.data = arena.claim(0, ring.rows * C * W * 4);
        } else {
            uncountedRing.resize(static_cast<size_t>(ring.rows * C * W));
            ring.data = uncountedRing.data();
        }
        if (!ring.data)
            return makeError("arena: " + arena.violations().front());
        ring.deliver = [&, next = int64_t{0}, C, W](int64_t last) mutable {
            for (; next <= last; ++next)
                for (int64_t ch = 0; ch < C; ++ch)
                    std::memcpy(ring.data + (ch * ring.rows + next % ring.rows) * W, input.data() + (ch * input.dim(1) + next) * W,
                                static_cast<size_t>(W) * sizeof(float));
        };
    } else if (timeline.tensors[0].bytes > 0) {
        float* dst = arena.claim(0, input.numel() * 4);
        if (!dst)
            return makeError("arena: " + arena.violations().front());
        std::memcpy(dst, input.data(), static_cast<size_t>(input.numel()) * sizeof(float));
        picture = Tensor::view(dst, input.shape());
    }
    for (size_t u = 0; u < units; ++u) {
        const ScheduleUnit& unit = schedule.units[u];
        const int out = unit.output();
        const Shape& shape = (*shapes)[static_cast<size_t>(out)];
        float* data = arena.claim(outputTensor[static_cast<size_t>(out)], shapeNumel(shape) * 4);
        float* scratch = nullptr;
        if (scratchTensor[u] >= 0)
            scratch = arena.claim(scratchTensor[u], timeline.tensors[static_cast<size_t>(scratchTensor[u])].bytes);
        if (!data || (scratchTensor[u] >= 0 && !scratch))
            return makeError("arena: " + arena.violations().front());
        views[static_cast<size_t>(out)] = Tensor::view(data, shape);
        std::vector<const Tensor*> in;
        for (int src : net.nodes()[static_cast<size_t>(unit.nodes.front())].inputs)
            in.push_back(src == kNetworkInput ? &picture : &views[static_cast<size_t>(src)]);
        const auto started = std::chrono::steady_clock::now();
        switch (unit.kind) {
        case ScheduleUnit::Kind::Layer:
            net.nodes()[static_cast<size_t>(out)].op->eval(in, views[static_cast<size_t>(out)]);
            break;
        case ScheduleUnit::Kind::InvertedResidual:
            runInvertedResidualStreamed(net, unit, *in.front(), views[static_cast<size_t>(out)], scratch);
            break;
        case ScheduleUnit::Kind::RnnPoolPatches:
            runRnnPoolStreamed(net, unit, *in.front(), views[static_cast<size_t>(out)], scratch, unit.inputRows ? &ring : nullptr);
            break;
        case ScheduleUnit::Kind::PointwisePool:
            runPointwisePoolStreamed(net, unit, *in.front(), views[static_cast<size_t>(out)], scratch);
            break;
        case ScheduleUnit::Kind::PaperBlock:
        case ScheduleUnit::Kind::LineBuffered:
            break; // refused above
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        run.result.layerSeconds[static_cast<size_t>(out)] = seconds;
        run.result.totalSeconds += seconds;
        if (scratchTensor[u] >= 0)
            arena.release(scratchTensor[u]);
        // Free what this step read for the last time.
        for (int src : unit.inputs) {
            const int tensor = src == kNetworkInput ? 0 : outputTensor[static_cast<size_t>(src)];
            if (timeline.tensors[static_cast<size_t>(tensor)].lastStep == static_cast<int>(u))
                arena.release(tensor);
        }
    }
    for (size_t u = 0; u < units; ++u) {
        const int out = schedule.units[u].output();
        if (timeline.tensors[u + 1].lastStep == static_cast<int>(units) - 1)
            run.result.outputs[static_cast<size_t>(out)] = views[static_cast<size_t>(out)]; // network outputs, copied out
    }
    run.highWaterBytes = arena.highWaterBytes();
    run.highestByte = arena.highestByte();
    run.violations = arena.violations();
    return run;
}

} // namespace rnnpool
