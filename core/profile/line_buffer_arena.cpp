#include "profile/line_buffer_arena.h"

#include <chrono>
#include <cstring>

#include "ops/conv2d.h"
#include "profile/line_buffer_driver.h"
#include "profile/streamed_kernels.h"

namespace rnnpool {

namespace {

// A map's rows [lo, hi), oldest first, [channel][capacity][width].
struct FloatRows {
    float* data = nullptr;
    int64_t channels = 0, width = 0, capacity = 0, lo = 0, hi = 0;
    bool holds(int64_t first, int64_t last) const { return lo <= first && last < hi; }
    float* row(int64_t c, int64_t y) const { return data + (c * capacity + (y - lo)) * width; }
    RowRing ring() const { return {data, capacity, {}, lo}; }
    void pad(int64_t from, int64_t count) const // zeros
    {
        for (int64_t c = 0; c < channels; ++c)
            std::fill(row(c, from), row(c, from) + count * width, 0.0f);
    }
    void drop(int64_t keepFrom) // the rows from keepFrom on move down
    {
        const int64_t kept = std::max<int64_t>(hi - keepFrom, 0);
        for (int64_t c = 0; c < channels; ++c)
            std::memmove(data + c * capacity * width, row(c, keepFrom), static_cast<size_t>(kept * width) * sizeof(float));
        lo = keepFrom;
        hi = lo + kept;
    }
};

} // namespace

Expected<ArenaRun> runLineBufferedInArena(const Network& net, const MemoryTimeline& timeline, const MemoryPlan& plan,
                                          const Tensor& input)
{
    const Shape& inputShape = input.shape();
    auto prepared = prepareLineBufferRun(net, timeline, inputShape, ElementType::F32);
    if (!prepared)
        return std::move(prepared).takeError();
    const LineBufferRunPlan& rp = *prepared;
    const LineBufferPlan* lb = &rp.lb;
    const std::vector<Shape>& shapes = rp.shapes;
    const std::vector<ScheduleUnit>& units = lb->units.units;
    const size_t maps = lb->maps.size();
    const LineBufferScratch& work = rp.work;
    const auto mapOf = [&](int node) { return rp.mapOf(node); };

    MeteredArena arena(timeline, plan);
    const auto violation = [&] { return makeError("arena: " + arena.violations().front()); };
    std::vector<FloatRows> stores(maps);
    std::vector<float> uncountedPicture;
    for (size_t b = 0; b < maps; ++b) {
        const LineBufferMap& m = lb->maps[b];
        FloatRows& s = stores[b];
        s.channels = m.channels;
        s.width = m.width;
        s.capacity = m.capacityRows;
        const int64_t floats = s.capacity * m.channels * m.width;
        if (b == 0 && timeline.tensors[0].bytes == 0) {
            uncountedPicture.resize(static_cast<size_t>(floats));
            s.data = uncountedPicture.data();
        } else {
            s.data = arena.claim(static_cast<int>(b), floats * 4);
            if (!s.data)
                return violation();
        }
        s.lo = -m.padTop;
        s.hi = 0;
        s.pad(s.lo, m.padTop);
    }
    size_t next = maps;
    float* kernelScratch = nullptr;
    if (work.kernelBytes > 0 && !(kernelScratch = arena.claim(static_cast<int>(next++), work.kernelBytes)))
        return violation();
    std::vector<float*> states(units.size(), nullptr);
    for (const auto& [u, bytes] : work.rnnPoolStates)
        if (!(states[static_cast<size_t>(u)] = arena.claim(static_cast<int>(next++), bytes)))
            return violation();

    ArenaRun run;
    run.result.outputs.resize(net.nodes().size());
    run.result.layerSeconds.resize(net.nodes().size(), 0.0);
    // Row `row` of unit b - 1 into its store.
    const auto runUnitRow = [&](size_t b, int64_t row) -> Status {
        const ScheduleUnit& unit = units[b - 1];
        const FloatRows& self = stores[b];
        auto held = heldWindows(net, unit, row, stores, mapOf, shapes, inputShape);
        if (!held)
            return makeError(held.error());
        const std::vector<RowWindow>& windows = *held;
        const FloatRows& src = stores[static_cast<size_t>(mapOf(unit.inputs[0]))];
        const Shape& s0 = unit.inputs[0] == kNetworkInput ? inputShape : shapes[static_cast<size_t>(unit.inputs[0])];
        const int64_t stride = self.capacity * self.width; // output channel stride
        if (unit.kind == ScheduleUnit::Kind::InvertedResidual) {
            runInvertedResidualRow(net, unit, src.ring(), s0, row, self.row(0, row), stride, self.width, kernelScratch);
            return {};
        }
        if (unit.kind == ScheduleUnit::Kind::RnnPoolPatches) {
            if (windows[0].empty()) { // a replicated bottom row
                if (!self.holds(row - 1, row - 1))
                    return makeError("'" + unit.name + "': its last row is no longer held");
                for (int64_t c = 0; c < self.channels; ++c)
                    std::memcpy(self.row(c, row), self.row(c, row - 1), static_cast<size_t>(self.width) * sizeof(float));
                return {};
            }
            runRnnPoolRow(net, unit, src.ring(), s0, row, self.row(0, row), stride, self.width, states[b - 1]);
            return {};
        }
        const Node& node = net.nodes()[static_cast<size_t>(unit.output())];
        // The unit's inputs as one-row (or, for a convolution, kernel_h-row) tensors.
        std::vector<Tensor> rows;
        for (int from : node.inputs) {
            const FloatRows& in = stores[static_cast<size_t>(mapOf(from))];
            const RowWindow w = node.op->kind() == "conv2d" ? windows[0] : RowWindow{row, row};
            Tensor t({in.channels, w.last - w.first + 1, in.width});
            for (int64_t c = 0; c < in.channels; ++c)
                std::memcpy(t.data() + c * t.dim(1) * in.width, in.row(c, w.first),
                            static_cast<size_t>(t.dim(1) * in.width) * sizeof(float));
            rows.push_back(std::move(t));
        }
        Tensor out;
        if (node.op->kind() == "conv2d") {
            const auto& conv = static_cast<const Conv2d&>(*node.op);
            const Conv2dParams& p = conv.params();
            out = conv2dReference(rows[0], conv.foldedWeight(), conv.foldedBias(), p.strideH, p.strideW, 0, p.padW, p.groups,
                                  p.activation);
        } else {
            out = Tensor({self.channels, 1, self.width});
            std::vector<const Tensor*> in;
            for (const Tensor& t : rows)
                in.push_back(&t);
            node.op->eval(in, out);
        }
        if (out.dim(0) != self.channels || out.dim(1) != 1 || out.dim(2) != self.width)
            return makeError("'" + unit.name + "': its row came out " + std::to_string(out.dim(0)) + "x" +
                             std::to_string(out.dim(1)) + "x" + std::to_string(out.dim(2)));
        for (int64_t c = 0; c < self.channels; ++c)
            std::memcpy(self.row(c, row), out.data() + c * self.width, static_cast<size_t>(self.width) * sizeof(float));
        return {};
    };

    const auto makeRow = [&](size_t b, int64_t row) -> Status {
        const FloatRows& s = stores[b];
        if (b == 0) {
            for (int64_t c = 0; c < s.channels; ++c)
                std::memcpy(s.row(c, row), input.data() + (c * inputShape[1] + row) * s.width,
                            static_cast<size_t>(s.width) * sizeof(float));
            return {};
        }
        const auto started = std::chrono::steady_clock::now();
        if (Status st = runUnitRow(b, row); !st)
            return st;
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        run.result.layerSeconds[static_cast<size_t>(lb->maps[b].node)] += seconds;
        run.result.totalSeconds += seconds;
        return {};
    };
    if (Status st = runLineBufferEvents(*lb, stores, timeline, makeRow, [](const LineBufferEvent&) -> Status {
            return makeError("the float32 run decodes no heads");
        });
        !st)
        return makeError(st.error());
    for (size_t b = 1; b < maps; ++b)
        if (lb->maps[b].whole) {
            const FloatRows& s = stores[b];
            Tensor t({s.channels, lb->maps[b].height, s.width});
            for (int64_t c = 0; c < s.channels; ++c)
                std::memcpy(t.data() + c * t.dim(1) * s.width, s.row(c, 0), static_cast<size_t>(t.dim(1) * s.width) * sizeof(float));
            run.result.outputs[static_cast<size_t>(lb->maps[b].node)] = std::move(t);
        }
    run.highWaterBytes = arena.highWaterBytes();
    run.highestByte = arena.highestByte();
    run.violations = arena.violations();
    return run;
}

} // namespace rnnpool
