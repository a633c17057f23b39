#include "quant/int8_line_buffer.h"

#include <cstring>
#include <optional>

#include "integer/line_rows_s8.h"
#include "profile/line_buffer_driver.h"
#include "quant/candidate_store.h"
#include "quant/int8_prepared.h"
#include "quant/int8_units.h"

namespace rnnpool {

namespace {

using Prepared = Int8Network::Prepared;

// A map's rows [lo, hi), oldest first: the chip's line buffer (integer/line_rows_s8.h), with the
// calls the event driver (profile/line_buffer_driver.h) makes.
struct RowStore : rp_line_rows_s8 {
    RowStore() : rp_line_rows_s8{} {}
    bool holds(int64_t first, int64_t last) const { return lo <= first && last < hi; }
    int8_t* row(int64_t y) const { return rp_line_rows_s8_row(this, static_cast<int32_t>(y)); }
    void pad(int64_t from, int64_t count) const
    {
        rp_line_rows_s8_pad(this, static_cast<int32_t>(from), static_cast<int32_t>(count));
    }
    void drop(int64_t keepFrom) { rp_line_rows_s8_drop(this, static_cast<int32_t>(keepFrom)); }
};

} // namespace

// The value a map's padding rows hold: the zero point its padded readers
// take it at (every one the same).
Expected<int8_t> lineBufferPaddingValue(const Int8Network& net8, const LineBufferPlan& lb, const LineBufferMap& m)
{
    if (m.padTop == 0 && m.padBottom == 0)
        return int8_t{0};
    std::optional<int32_t> offset;
    for (int reader : m.readers) {
        const ScheduleUnit& unit = lb.units.units[static_cast<size_t>(reader)];
        if (unit.kind != ScheduleUnit::Kind::Layer)
            continue; // blocks and RNNPool pad by themselves
        const Prepared& p = net8.prepared(static_cast<size_t>(unit.output()));
        if (p.kind != Prepared::Kind::Conv && p.kind != Prepared::Kind::Depthwise && p.kind != Prepared::Kind::Pointwise)
            continue;
        if (offset && *offset != p.conv.input_offset)
            return makeError("the readers of a padded map take it at different zero points");
        offset = p.conv.input_offset;
    }
    if (!offset || -*offset < -128 || -*offset > 127)
        return makeError("a padded map has no convolution reader with an int8 zero point");
    return static_cast<int8_t>(-*offset);
}

Expected<Int8ArenaRun> runInt8LineBuffered(const Int8Network& net8, const MemoryTimeline& timeline, const MemoryPlan& plan,
                                           const std::vector<int8_t>& inputHwc, const Shape& inputShape)
{
    const Network& net = *net8.model().network;
    if (inputHwc.size() != static_cast<size_t>(shapeNumel(inputShape)))
        return makeError("the int8 input has " + std::to_string(inputHwc.size()) + " values, its shape " +
                         std::to_string(shapeNumel(inputShape)));
    auto prepared = prepareLineBufferRun(net, timeline, inputShape, ElementType::I8);
    if (!prepared)
        return std::move(prepared).takeError();
    const LineBufferRunPlan& rp = *prepared;
    const LineBufferPlan* lb = &rp.lb;
    const std::vector<Shape>& shapes = rp.shapes;
    const size_t maps = lb->maps.size();
    const std::vector<ScheduleUnit>& units = lb->units.units;
    const LineBufferScratch& work = rp.work;
    const auto mapOf = [&](int node) { return rp.mapOf(node); };

    MeteredArena arena(timeline, plan);
    const auto violation = [&] { return makeError("arena: " + arena.violations().front()); };
    std::vector<RowStore> stores(maps);
    std::vector<int8_t> uncountedPicture;
    for (size_t b = 0; b < maps; ++b) {
        const LineBufferMap& m = lb->maps[b];
        RowStore& s = stores[b];
        s.row_bytes = static_cast<int32_t>(m.width * m.channels);
        s.capacity = static_cast<int32_t>(m.capacityRows);
        if (b == 0 && timeline.tensors[0].bytes == 0) {
            uncountedPicture.resize(static_cast<size_t>(s.capacity) * static_cast<size_t>(s.row_bytes));
            s.data = uncountedPicture.data();
        } else {
            s.data = reinterpret_cast<int8_t*>(arena.claimBytes(static_cast<int>(b), int64_t{s.capacity} * s.row_bytes));
            if (!s.data)
                return violation();
        }
        auto pad = lineBufferPaddingValue(net8, *lb, m);
        if (!pad)
            return makeError("'" + timeline.tensors[b].name + "': " + pad.error());
        s.pad_value = *pad;
        s.lo = static_cast<int32_t>(-m.padTop);
        s.hi = 0;
        s.pad(s.lo, m.padTop);
    }
    size_t next = maps;
    uint8_t* kernelScratch = nullptr;
    if (work.kernelBytes > 0) {
        kernelScratch = arena.claimBytes(static_cast<int>(next++), work.kernelBytes);
        if (!kernelScratch)
            return violation();
        kernelScratch += (4 - reinterpret_cast<uintptr_t>(kernelScratch) % 4) % 4;
    }
    std::optional<CandidateStore> candidates;
    if (lb->candidateBytes > 0) {
        uint8_t* storage = arena.claimBytes(static_cast<int>(next++), lb->candidateBytes);
        if (!storage)
            return violation();
        std::vector<std::pair<int64_t, int64_t>> featureMaps;
        for (const auto& [loc, conf] : net.heads())
            featureMaps.emplace_back(shapes[static_cast<size_t>(loc)][1], shapes[static_cast<size_t>(loc)][2]);
        candidates.emplace(storage, *net.spec().detector, inputShape[2], inputShape[1], std::move(featureMaps));
    }
    // Each unit's kernel parameters; each RNNPool's stream over its input's rows, and its state.
    struct UnitKernel {
        rp_ir_s8_block block{};
        rp_rnnpool_s8_channel_quant channelQuant{};
        rp_rnnpool_s8_stream stream{};
        uint8_t* state = nullptr;
    };
    std::vector<UnitKernel> kernels(units.size());
    for (size_t u = 0; u < units.size(); ++u) {
        if (units[u].kind == ScheduleUnit::Kind::Layer)
            continue;
        auto parts = int8UnitParts(net8, units[u]);
        if (!parts)
            return std::move(parts).takeError();
        if (units[u].kind == ScheduleUnit::Kind::InvertedResidual)
            kernels[u].block = int8Block(net8, *parts);
        else
            kernels[u].stream = int8Stream(net8, *parts, kernels[u].channelQuant);
    }
    for (const auto& [u, bytes] : work.rnnPoolStates) {
        UnitKernel& k = kernels[static_cast<size_t>(u)];
        const Shape& source = lb->maps[static_cast<size_t>(mapOf(units[static_cast<size_t>(u)].inputs[0]))].node == kNetworkInput
                                  ? inputShape : shapes[static_cast<size_t>(units[static_cast<size_t>(u)].inputs[0])];
        k.stream.rows = {nullptr, static_cast<int32_t>(source[1]), static_cast<int32_t>(source[2]), static_cast<int32_t>(source[0]),
                         static_cast<int32_t>(source[1]), 0};
        if (static_cast<int64_t>(rp_rnnpool_s8_stream_patch_scratch_size(&k.stream)) > bytes)
            return makeError("'" + units[static_cast<size_t>(u)].name + "': the plan's RNNPool state is smaller than the kernel's");
        k.state = arena.claimBytes(static_cast<int>(next++), bytes);
        if (!k.state)
            return violation();
    }

    // Row `row` of unit b - 1 into dst, every row it reads checked to be held.
    const auto runUnitRow = [&](size_t b, int64_t row, int8_t* dst) -> Status {
        const ScheduleUnit& unit = units[b - 1];
        const RowStore& self = stores[b];
        auto held = heldWindows(net, unit, row, stores, mapOf, shapes, inputShape);
        if (!held)
            return makeError(held.error());
        const std::vector<RowWindow>& windows = *held;
        const RowStore& src = stores[static_cast<size_t>(mapOf(unit.inputs[0]))];
        const Shape& s0 = unit.inputs[0] == kNetworkInput ? inputShape : shapes[static_cast<size_t>(unit.inputs[0])];
        const auto width = static_cast<int32_t>(s0[2]);
        UnitKernel& k = kernels[b - 1];
        if (unit.kind == ScheduleUnit::Kind::InvertedResidual) {
            if (rp_ir_s8_row_at(&k.block, src.row(windows[0].first), static_cast<int32_t>(windows[0].first),
                                static_cast<int32_t>(s0[1]), width, static_cast<int32_t>(row), kernelScratch, dst) != RP_Q15_OK)
                return makeError("the streamed inverted residual '" + unit.name + "' cannot run on its shapes");
            return {};
        }
        if (unit.kind == ScheduleUnit::Kind::RnnPoolPatches) {
            if (windows[0].empty()) { // a replicated bottom row
                if (!self.holds(row - 1, row - 1))
                    return makeError("'" + unit.name + "': its last row is no longer held");
                std::memcpy(dst, self.row(row - 1), static_cast<size_t>(self.row_bytes));
                return {};
            }
            k.stream.rows.data = src.data;
            k.stream.rows.ring_rows = static_cast<int32_t>(src.capacity);
            k.stream.rows.base_row = static_cast<int32_t>(src.lo);
            if (rp_rnnpool_s8_stream_row_patches(&k.stream, static_cast<int32_t>(row), k.state, dst) != RP_Q15_OK)
                return makeError("'" + unit.name + "': the int8 patch kernel refused patch row " + std::to_string(row));
            return {};
        }
        const auto n = static_cast<size_t>(unit.output());
        const Prepared& p = net8.prepared(n);
        const std::vector<int>& inputs = net.nodes()[n].inputs;
        switch (p.kind) {
        case Prepared::Kind::Conv:
        case Prepared::Kind::Depthwise:
        case Prepared::Kind::Pointwise: {
            // One output row: a window of kernel_h whole rows, padding rows included.
            rp_conv_shape_t shape = p.shape;
            shape.in_height = shape.kernel_h;
            shape.in_width = width;
            shape.pad_h = 0;
            const int8_t* window = src.row(windows[0].first);
            const int32_t* bias = p.bias.empty() ? nullptr : p.bias.data();
            if (p.kind == Prepared::Kind::Conv)
                rp_conv_s8(&shape, &p.conv, window, p.weights.data(), bias, kernelScratch, dst);
            else if (p.kind == Prepared::Kind::Depthwise)
                rp_depthwise_conv_s8(&shape, &p.conv, window, p.weights.data(), bias, kernelScratch, dst);
            else
                rp_pointwise_conv_s8(&shape, &p.conv, window, p.weights.data(), bias, kernelScratch, dst);
            return {};
        }
        case Prepared::Kind::Add:
            rp_add_s8(&p.add, stores[static_cast<size_t>(mapOf(inputs[0]))].row(row), stores[static_cast<size_t>(mapOf(inputs[1]))].row(row),
                      static_cast<int32_t>(self.row_bytes), dst);
            return {};
        case Prepared::Kind::L2Norm:
            rp_l2norm_s8(&p.l2, src.row(row), width, static_cast<int32_t>(s0[0]), dst);
            return {};
        case Prepared::Kind::MaxOut:
            rp_background_maxout_s8(src.row(row), width, static_cast<int32_t>(s0[0]), p.background, dst);
            return {};
        case Prepared::Kind::RnnPool:
            break;
        }
        return makeError("'" + unit.name + "' has no int8 row kernel");
    };
    const auto makeRow = [&](size_t b, int64_t row) -> Status {
        const RowStore& s = stores[b];
        if (b == 0) {
            std::memcpy(s.row(row), inputHwc.data() + row * s.row_bytes, static_cast<size_t>(s.row_bytes));
            return {};
        }
        return runUnitRow(b, row, s.row(row));
    };
    const auto decode = [&](const LineBufferEvent& e) -> Status { // a decoded head's row: its candidates to the store
        const DecodedHead& h = lb->decoded[static_cast<size_t>(e.decoded)];
        const RowStore& loc = stores[static_cast<size_t>(h.locMap)];
        const RowStore& conf = stores[static_cast<size_t>(h.confMap)];
        if (!loc.holds(e.row, e.row) || !conf.holds(e.row, e.row))
            return makeError("head " + std::to_string(h.head) + " row " + std::to_string(e.row) + " is no longer held");
        const auto& quant = net8.model().nodes;
        candidates->addRow(h.head, e.row, loc.row(e.row), conf.row(e.row),
                           quant[static_cast<size_t>(lb->maps[static_cast<size_t>(h.locMap)].node)].output,
                           quant[static_cast<size_t>(lb->maps[static_cast<size_t>(h.confMap)].node)].output);
        return {};
    };
    if (Status st = runLineBufferEvents(*lb, stores, timeline, makeRow, decode); !st)
        return makeError(st.error());

    Int8ArenaRun run;
    run.maps.resize(net.nodes().size());
    for (size_t b = 1; b < maps; ++b)
        if (lb->maps[b].whole) {
            const RowStore& s = stores[b];
            run.maps[static_cast<size_t>(lb->maps[b].node)].assign(s.row(0), s.row(0) + lb->maps[b].height * s.row_bytes);
        }
    if (candidates) {
        run.headsDecoded = true;
        run.detections = candidates->detections();
    }
    run.highWaterBytes = arena.highWaterBytes();
    run.highestByte = arena.highestByte();
    run.violations = arena.violations();
    return run;
}

} // namespace rnnpool
