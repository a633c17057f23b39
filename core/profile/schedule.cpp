#include "profile/schedule.h"

#include <algorithm>
#include <set>

#include "integer/stream_s8.h"
#include "profile/line_buffer.h"
#include "ops/conv2d.h"
#include "ops/rnnpool.h"
#include "ops/squeeze_excite.h"

namespace rnnpool {

namespace {

ScheduleUnit unitOf(const Network& net, std::vector<int> nodes, ScheduleUnit::Kind kind, std::string name)
{
    ScheduleUnit unit;
    unit.kind = kind;
    unit.name = std::move(name);
    const std::set<int> inside(nodes.begin(), nodes.end());
    for (int n : nodes)
        for (int src : net.nodes()[static_cast<size_t>(n)].inputs)
            if (!inside.count(src) && std::find(unit.inputs.begin(), unit.inputs.end(), src) == unit.inputs.end())
                unit.inputs.push_back(src);
    unit.nodes = std::move(nodes);
    return unit;
}

// The nodes of an inverted-residual group as the builder makes them:
// [expand,] dw, [se,] project[, add], all named "<group>.<part>", with a
// square depthwise kernel the streamed kernel's row ring can hold.
bool isInvertedResidual(const Network& net, const std::vector<int>& nodes)
{
    if (nodes.size() < 2 || nodes.size() > 5)
        return false;
    const std::string& group = net.nodes()[static_cast<size_t>(nodes.front())].group;
    std::vector<std::string> parts;
    for (int n : nodes)
        parts.push_back(net.nodes()[static_cast<size_t>(n)].name.substr(group.size()));
    std::vector<std::string> expected;
    if (parts.front() == ".expand")
        expected.push_back(".expand");
    expected.push_back(".dw");
    if (std::find(parts.begin(), parts.end(), ".se") != parts.end())
        expected.push_back(".se");
    expected.push_back(".project");
    if (parts.back() == ".add")
        expected.push_back(".add");
    if (parts != expected)
        return false;
    const auto& dw = static_cast<const Conv2d&>(*net.nodes()[static_cast<size_t>(nodes[parts.front() == ".expand" ? 1 : 0])].op).params();
    return dw.plainGeometry() && dw.kernelH == dw.kernelW && dw.kernelH <= kMaxStreamedKernel && dw.strideH == dw.strideW && dw.padH == dw.padW;
}

bool isPointwise(const Network& net, int node)
{
    const auto& p = static_cast<const Conv2d&>(*net.nodes()[static_cast<size_t>(node)].op).params();
    return p.plainGeometry() && p.kernelH == 1 && p.kernelW == 1 && p.strideH == 1 && p.strideW == 1 && p.padH == 0 && p.padW == 0 && p.groups == 1;
}

} // namespace

Schedule layerwiseSchedule(const Network& net)
{
    Schedule s{"layerwise", {}};
    for (size_t i = 0; i < net.nodes().size(); ++i)
        s.units.push_back(unitOf(net, {static_cast<int>(i)}, ScheduleUnit::Kind::Layer, net.nodes()[i].name));
    return s;
}

Schedule paperSchedule(const Network& net)
{
    Schedule s{"paper", {}};
    const auto& nodes = net.nodes();
    std::vector<int> readers(nodes.size(), 0);
    for (const Node& node : nodes)
        for (int src : node.inputs)
            if (src != kNetworkInput)
                ++readers[static_cast<size_t>(src)];
    for (const auto& [loc, conf] : net.heads())
        ++readers[static_cast<size_t>(loc)], ++readers[static_cast<size_t>(conf)];
    // The previous unit is a lone convolution whose only reader is `node`.
    auto feedsOnly = [&](int node) {
        if (s.units.empty() || s.units.back().kind != ScheduleUnit::Kind::Layer || s.units.back().nodes.size() != 1)
            return false;
        const int conv = s.units.back().output();
        const auto& inputs = nodes[static_cast<size_t>(node)].inputs;
        return nodes[static_cast<size_t>(conv)].op->kind() == "conv2d" && readers[static_cast<size_t>(conv)] == 1 &&
               std::find(inputs.begin(), inputs.end(), conv) != inputs.end();
    };
    for (size_t i = 0; i < nodes.size();) {
        std::vector<int> group{static_cast<int>(i)};
        size_t j = i + 1;
        while (j < nodes.size() && nodes[j].group == nodes[i].group && nodes[i].group != nodes[i].name)
            group.push_back(static_cast<int>(j++));
        // A group whose inner maps are read from outside (an SSD head on an expansion) runs layer by layer.
        const bool sealed = std::all_of(group.begin(), group.end() - 1, [&](int n) {
            for (size_t r = static_cast<size_t>(group.back()) + 1; r < nodes.size(); ++r)
                if (std::find(nodes[r].inputs.begin(), nodes[r].inputs.end(), n) != nodes[r].inputs.end())
                    return false;
            return true;
        });
        if (!sealed) {
            for (int n : group)
                s.units.push_back(unitOf(net, {n}, ScheduleUnit::Kind::Layer, nodes[static_cast<size_t>(n)].name));
        } else if (isInvertedResidual(net, group)) {
            s.units.push_back(unitOf(net, group, ScheduleUnit::Kind::InvertedResidual, nodes[i].group));
        } else if (const auto block = recogniseBlock(net, group)) {
            s.units.push_back(unitOf(net, group, ScheduleUnit::Kind::PaperBlock, nodes[i].group));
            s.units.back().block = *block;
        } else {
            for (int n : group) {
                if (nodes[static_cast<size_t>(n)].op->kind() == "global_avgpool" && feedsOnly(n) &&
                    isPointwise(net, s.units.back().output())) {
                    const int conv = s.units.back().output();
                    s.units.pop_back();
                    s.units.push_back(unitOf(net, {conv, n}, ScheduleUnit::Kind::PointwisePool, nodes[static_cast<size_t>(n)].name));
                    continue;
                }
                if (nodes[static_cast<size_t>(n)].op->kind() != "rnnpool") {
                    s.units.push_back(unitOf(net, {n}, ScheduleUnit::Kind::Layer, nodes[static_cast<size_t>(n)].name));
                    continue;
                }
                std::vector<int> chain{n};
                while (feedsOnly(chain.front())) {
                    chain.insert(chain.begin(), s.units.back().output());
                    s.units.pop_back();
                }
                s.units.push_back(unitOf(net, chain, ScheduleUnit::Kind::RnnPoolPatches, nodes[static_cast<size_t>(n)].name));
            }
        }
        i = j;
    }
    return s;
}

bool unitExecutes(const ScheduleUnit& unit)
{
    return unit.kind != ScheduleUnit::Kind::PaperBlock;
}

Schedule rowstreamSchedule(const Network& net)
{
    Schedule s = paperSchedule(net);
    s.name = "rowstream";
    // The ring serves a first unit that pools the picture (through convolutions of it
    // alone) and is the picture's only reader.
    int readers = 0;
    for (const ScheduleUnit& unit : s.units)
        readers += static_cast<int>(std::count(unit.inputs.begin(), unit.inputs.end(), kNetworkInput));
    if (!s.units.empty() && s.units.front().kind == ScheduleUnit::Kind::RnnPoolPatches && readers == 1 &&
        s.units.front().inputs == std::vector<int>{kNetworkInput})
        s.units.front().inputRows = true;
    return s;
}

Schedule lineBufferSchedule(const Network& net)
{
    Schedule s{"linebuffer", {}};
    for (size_t i = 0; i < net.nodes().size(); ++i)
        s.units.push_back(unitOf(net, {static_cast<int>(i)}, ScheduleUnit::Kind::LineBuffered, net.nodes()[i].name));
    return s;
}

bool isLineBuffered(const Schedule& schedule)
{
    return !schedule.units.empty() && schedule.units.front().kind == ScheduleUnit::Kind::LineBuffered;
}

const char* knownScheduleNames() { return "layerwise, paper, rowstream, linebuffer"; }

bool isScheduleName(const std::string& name)
{
    return name == "layerwise" || name == "paper" || name == "rowstream" || name == "linebuffer";
}

const char* firmwareScheduleNames() { return knownScheduleNames(); }

bool isFirmwareScheduleName(const std::string& name) { return isScheduleName(name); }

Expected<Schedule> scheduleByName(const Network& net, const std::string& name)
{
    if (name == "layerwise")
        return layerwiseSchedule(net);
    if (name == "paper")
        return paperSchedule(net);
    if (name == "rowstream")
        return rowstreamSchedule(net);
    if (name == "linebuffer")
        return lineBufferSchedule(net);
    return makeError("unknown schedule '" + name + "' (known: " + knownScheduleNames() + ")");
}

RowSpan patchRowInputRows(const Network& net, const ScheduleUnit& unit, int64_t gy, int64_t inputHeight)
{
    const RnnPoolParams& p = static_cast<const RnnPool&>(*net.nodes()[static_cast<size_t>(unit.output())].op).params();
    int64_t lo = gy * p.stride, hi = lo + p.patch - 1;
    for (size_t i = unit.nodes.size() - 1; i-- > 0;) {
        const Conv2dParams& c = static_cast<const Conv2d&>(*net.nodes()[static_cast<size_t>(unit.nodes[i])].op).params();
        lo = lo * c.strideH - c.padH;
        hi = hi * c.strideH - c.padH + c.kernelH - 1;
    }
    return {std::max<int64_t>(lo, 0), std::min(hi, inputHeight - 1)};
}

int64_t inputRingRows(const Network& net, const ScheduleUnit& unit, int64_t inputHeight)
{
    const RowSpan middle = patchRowInputRows(net, unit, 1 << 20, int64_t{1} << 40); // unclipped
    return std::min(middle.last - middle.first + 1, inputHeight);
}

int64_t unitScratchElements(const Network& net, const ScheduleUnit& unit, const std::vector<Shape>& shapes,
                            const Shape& inputShape)
{
    const auto shapeOf = [&](int node) -> const Shape& { return node == kNetworkInput ? inputShape : shapes[static_cast<size_t>(node)]; };
    switch (unit.kind) {
    case ScheduleUnit::Kind::Layer:
    case ScheduleUnit::Kind::PaperBlock:
    case ScheduleUnit::Kind::LineBuffered: // the schedule's scratch is planned whole (lineBufferTimeline)
        return 0;
    case ScheduleUnit::Kind::InvertedResidual: {
        const Node& first = net.nodes()[static_cast<size_t>(unit.nodes.front())];
        const bool expands = first.name.ends_with(".expand");
        const int64_t inWidth = shapeOf(first.inputs.front())[2];
        const int dwNode = unit.nodes[expands ? 1 : 0];
        const auto& dw = static_cast<const Conv2d&>(*net.nodes()[static_cast<size_t>(dwNode)].op).params();
        const int64_t outWidth = shapes[static_cast<size_t>(dwNode)][2];
        // A ring of k expanded rows (when there is an expansion), one depthwise row;
        // with squeeze-excite, each channel's mean and gate and the squeezed vector.
        int64_t se = 0;
        if (const Node& third = net.nodes()[static_cast<size_t>(unit.nodes[expands ? 2 : 1])]; third.op->kind() == "squeeze_excite")
            se = 2 * dw.outChannels + static_cast<const SqueezeExcite&>(*third.op).params().squeezed;
        return (expands ? dw.kernelH * inWidth : 0) + outWidth + se;
    }
    case ScheduleUnit::Kind::PointwisePool:
        return net.nodes()[static_cast<size_t>(unit.nodes.front())].outChannels; // one pixel of the conv
    case ScheduleUnit::Kind::RnnPoolPatches: {
        const auto& op = static_cast<const RnnPool&>(*net.nodes()[static_cast<size_t>(unit.output())].op);
        const RnnPoolParams& p = op.params();
        // Row and column summaries, one input pixel, one projection, RNN2's state;
        // with fused convolutions, one pixel of every map below the last one.
        int64_t fused = 0;
        for (size_t i = 0; i + 2 < unit.nodes.size(); ++i)
            fused += net.nodes()[static_cast<size_t>(unit.nodes[i])].outChannels;
        return 2 * p.patch * p.hidden1 + p.inChannels + std::max(p.hidden1, p.hidden2) + p.hidden2 + fused;
    }
    }
    return 0;
}

namespace {
rp_conv_shape_t convShape(const Conv2dParams& p)
{
    return {static_cast<int32_t>(p.inChannels), 0, 0, static_cast<int32_t>(p.outChannels), static_cast<int32_t>(p.kernelH),
            static_cast<int32_t>(p.kernelW), static_cast<int32_t>(p.strideH), static_cast<int32_t>(p.strideW),
            static_cast<int32_t>(p.padH), static_cast<int32_t>(p.padW)};
}
} // namespace

int64_t unitScratchBytes(const Network& net, const ScheduleUnit& unit, const std::vector<Shape>& shapes,
                         const Shape& inputShape, const ScheduleOptions& options)
{
    const int64_t elements = unitScratchElements(net, unit, shapes, inputShape);
    if (options.dtype != ElementType::I8 || options.paperAccounting || elements == 0)
        return elements * elementBytes(options.dtype);
    const auto convAt = [&](int node) -> const Conv2d& { return static_cast<const Conv2d&>(*net.nodes()[static_cast<size_t>(node)].op); };
    const auto shapeOf = [&](int node) -> const Shape& { return node == kNetworkInput ? inputShape : shapes[static_cast<size_t>(node)]; };
    if (unit.kind == ScheduleUnit::Kind::InvertedResidual) {
        // Only the shapes are read; a non-null weight pointer says there is an expansion.
        const bool expands = net.nodes()[static_cast<size_t>(unit.nodes.front())].name.ends_with(".expand");
        const rp_conv_shape_t dw = convShape(convAt(unit.nodes[expands ? 1 : 0]).params());
        const rp_conv_shape_t ex = expands ? convShape(convAt(unit.nodes[0]).params()) : rp_conv_shape_t{};
        static const int8_t present = 0;
        rp_ir_s8_block b{};
        b.expand.weights = expands ? &present : nullptr;
        b.expand.shape = expands ? &ex : nullptr;
        b.depthwise.shape = &dw;
        return rp_ir_s8_scratch_size(&b, static_cast<int32_t>(shapeOf(unit.inputs.front())[2]));
    }
    if (unit.kind == ScheduleUnit::Kind::RnnPoolPatches)
        return rnnPoolStreamScratchBytes(net, unit, shapes, inputShape, false);
    return elements; // no integer kernel (the int8 engine refuses the unit): one byte an element
}

int64_t rnnPoolStreamScratchBytes(const Network& net, const ScheduleUnit& unit, const std::vector<Shape>& shapes,
                                  const Shape& inputShape, bool patchByPatch)
{
    const auto convAt = [&](int node) -> const Conv2d& { return static_cast<const Conv2d&>(*net.nodes()[static_cast<size_t>(node)].op); };
    const auto shapeOf = [&](int node) -> const Shape& { return node == kNetworkInput ? inputShape : shapes[static_cast<size_t>(node)]; };
    {
        const RnnPoolParams& p = static_cast<const RnnPool&>(*net.nodes()[static_cast<size_t>(unit.output())].op).params();
        rp_rnnpool_s8q15_config cfg{};
        cfg.channels = static_cast<int32_t>(p.inChannels);
        cfg.patch = static_cast<int32_t>(p.patch);
        cfg.rnn1.hidden_dims = static_cast<int32_t>(p.hidden1);
        cfg.rnn2_forward.hidden_dims = cfg.rnn2_backward.hidden_dims = static_cast<int32_t>(p.hidden2);
        std::vector<rp_conv_shape_t> convs;
        for (size_t i = 0; i + 1 < unit.nodes.size(); ++i)
            convs.push_back(convShape(convAt(unit.nodes[i]).params()));
        rp_rnnpool_s8_stream s{};
        s.cfg = &cfg;
        const Shape& source = shapeOf(unit.inputs.front());
        s.rows = {nullptr, static_cast<int32_t>(source[1]), static_cast<int32_t>(source[2]), static_cast<int32_t>(source[0]),
                  static_cast<int32_t>(source[1]), 0};
        cfg.stride = static_cast<int32_t>(p.stride);
        s.conv_count = static_cast<int32_t>(std::min<size_t>(convs.size(), RP_STREAM_MAX_CONVS));
        for (int32_t i = 0; i < s.conv_count; ++i)
            s.convs[i].shape = &convs[static_cast<size_t>(i)];
        return static_cast<int64_t>(patchByPatch ? rp_rnnpool_s8_stream_patch_scratch_size(&s) : rp_rnnpool_s8_stream_scratch_size(&s));
    }
}

Expected<MemoryTimeline> buildTimeline(const Network& net, const Schedule& schedule, const Shape& inputShape,
                                       const ScheduleOptions& options)
{
    if (isLineBuffered(schedule))
        return lineBufferTimeline(net, inputShape, options);
    auto shapes = net.plan(inputShape);
    if (!shapes)
        return std::move(shapes).takeError();
    const int64_t element = elementBytes(options.dtype);
    const int lastStep = static_cast<int>(schedule.units.size()) - 1;
    MemoryTimeline t;
    t.schedule = schedule.name;
    t.options = options;

    std::vector<bool> isOutput(net.nodes().size(), false);
    for (const auto& [loc, conf] : net.heads())
        isOutput[static_cast<size_t>(loc)] = isOutput[static_cast<size_t>(conf)] = true;
    if (!net.nodes().empty())
        isOutput.back() = true;

    // Tensor index of each materialised node output.
    std::vector<int> tensorOf(net.nodes().size(), -1);
    // The picture, whole, or the ring of rows the first unit reads (rowstream).
    const bool ring = !schedule.units.empty() && schedule.units.front().inputRows;
    const int64_t pictureElements = ring ? inputRingRows(net, schedule.units.front(), inputShape[1]) * inputShape[0] * inputShape[2]
                                         : shapeNumel(inputShape);
    t.tensors.push_back({ring ? "input.rows" : "input", kNetworkInput, 0, 0, options.countInput ? pictureElements * element : 0});
    for (size_t u = 0; u < schedule.units.size(); ++u) {
        const ScheduleUnit& unit = schedule.units[u];
        t.steps.push_back(unit.name);
        const int out = unit.output();
        tensorOf[static_cast<size_t>(out)] = static_cast<int>(t.tensors.size());
        t.tensors.push_back({unit.name, out, static_cast<int>(u), isOutput[static_cast<size_t>(out)] ? lastStep : static_cast<int>(u),
                             shapeNumel((*shapes)[static_cast<size_t>(out)]) * element});
        // A paper block overwrites the inputs it reads last: they end a step early.
        const int reads = unit.kind == ScheduleUnit::Kind::PaperBlock ? static_cast<int>(u) - 1 : static_cast<int>(u);
        for (int src : unit.inputs) {
            const int tensor = src == kNetworkInput ? 0 : tensorOf[static_cast<size_t>(src)];
            if (tensor < 0)
                return makeError("schedule '" + schedule.name + "': unit '" + unit.name + "' reads a tensor no earlier step made");
            t.tensors[static_cast<size_t>(tensor)].lastStep = std::max(t.tensors[static_cast<size_t>(tensor)].lastStep, reads);
        }
    }
    for (size_t u = 0; u < schedule.units.size(); ++u) {
        const ScheduleUnit& unit = schedule.units[u];
        if (unit.kind != ScheduleUnit::Kind::PaperBlock)
            continue;
        int64_t inElements = 0, stillLive = 0;
        for (int src : unit.inputs) {
            const TensorLife& in = t.tensors[static_cast<size_t>(src == kNetworkInput ? 0 : tensorOf[static_cast<size_t>(src)])];
            inElements += in.bytes / element;
            stillLive += in.lastStep >= static_cast<int>(u) ? in.bytes : 0;
        }
        const int64_t outBytes = t.tensors[static_cast<size_t>(tensorOf[static_cast<size_t>(unit.output())])].bytes;
        const int64_t need = element * paperBlockElements(unit.block, net, unit.nodes, inElements, outBytes / element, *shapes);
        if (need > outBytes + stillLive)
            t.tensors.push_back({unit.name + ".in-place", unit.output(), static_cast<int>(u), static_cast<int>(u),
                                 need - outBytes - stillLive, true});
    }
    for (size_t u = 0; u < schedule.units.size(); ++u) {
        const int64_t scratch = unitScratchBytes(net, schedule.units[u], *shapes, inputShape, options);
        if (scratch > 0)
            t.tensors.push_back({schedule.units[u].name + ".scratch", schedule.units[u].output(), static_cast<int>(u),
                                 static_cast<int>(u), scratch, true});
    }
    computeLiveness(t);
    return t;
}

} // namespace rnnpool
