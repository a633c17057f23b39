#include "profile/schedule.h"

#include <algorithm>
#include <set>

#include "ops/conv2d.h"
#include "ops/rnnpool.h"

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
// [expand,] dw, project[, add], all named "<group>.<part>".
bool isInvertedResidual(const Network& net, const std::vector<int>& nodes)
{
    if (nodes.size() < 2 || nodes.size() > 4)
        return false;
    const std::string& group = net.nodes()[static_cast<size_t>(nodes.front())].group;
    std::vector<std::string> parts;
    for (int n : nodes)
        parts.push_back(net.nodes()[static_cast<size_t>(n)].name.substr(group.size()));
    std::vector<std::string> expected;
    if (parts.front() == ".expand")
        expected.push_back(".expand");
    expected.insert(expected.end(), {".dw", ".project"});
    if (parts.back() == ".add")
        expected.push_back(".add");
    return parts == expected;
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
    for (size_t i = 0; i < nodes.size();) {
        std::vector<int> group{static_cast<int>(i)};
        size_t j = i + 1;
        while (j < nodes.size() && nodes[j].group == nodes[i].group && nodes[i].group != nodes[i].name)
            group.push_back(static_cast<int>(j++));
        if (isInvertedResidual(net, group)) {
            s.units.push_back(unitOf(net, group, ScheduleUnit::Kind::InvertedResidual, nodes[i].group));
        } else {
            for (int n : group) {
                const auto kind = nodes[static_cast<size_t>(n)].op->kind() == "rnnpool" ? ScheduleUnit::Kind::RnnPoolPatches
                                                                                       : ScheduleUnit::Kind::Layer;
                s.units.push_back(unitOf(net, {n}, kind, nodes[static_cast<size_t>(n)].name));
            }
        }
        i = j;
    }
    return s;
}

Expected<Schedule> scheduleByName(const Network& net, const std::string& name)
{
    if (name == "layerwise")
        return layerwiseSchedule(net);
    if (name == "paper")
        return paperSchedule(net);
    return makeError("unknown schedule '" + name + "' (known: layerwise, paper)");
}

int64_t unitScratchElements(const Network& net, const ScheduleUnit& unit, const std::vector<Shape>& shapes,
                            const Shape& inputShape)
{
    const auto shapeOf = [&](int node) -> const Shape& { return node == kNetworkInput ? inputShape : shapes[static_cast<size_t>(node)]; };
    switch (unit.kind) {
    case ScheduleUnit::Kind::Layer:
        return 0;
    case ScheduleUnit::Kind::InvertedResidual: {
        const Node& first = net.nodes()[static_cast<size_t>(unit.nodes.front())];
        const int64_t inWidth = shapeOf(first.inputs.front())[2];
        const int dwNode = unit.nodes[first.name.ends_with(".expand") ? 1 : 0];
        const int64_t outWidth = shapes[static_cast<size_t>(dwNode)][2];
        // A ring of three expanded rows (when there is an expansion), one depthwise row.
        return (first.name.ends_with(".expand") ? 3 * inWidth : 0) + outWidth;
    }
    case ScheduleUnit::Kind::RnnPoolPatches: {
        const auto& op = static_cast<const RnnPool&>(*net.nodes()[static_cast<size_t>(unit.output())].op);
        const RnnPoolParams& p = op.params();
        // Row and column summaries, one input pixel, one projection, RNN2's state.
        return 2 * p.patch * p.hidden1 + p.inChannels + std::max(p.hidden1, p.hidden2) + p.hidden2;
    }
    }
    return 0;
}

Expected<MemoryTimeline> buildTimeline(const Network& net, const Schedule& schedule, const Shape& inputShape,
                                       const ScheduleOptions& options)
{
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
    t.tensors.push_back({"input", kNetworkInput, 0, 0, options.countInput ? shapeNumel(inputShape) * element : 0});
    for (size_t u = 0; u < schedule.units.size(); ++u) {
        const ScheduleUnit& unit = schedule.units[u];
        t.steps.push_back(unit.name);
        const int out = unit.output();
        tensorOf[static_cast<size_t>(out)] = static_cast<int>(t.tensors.size());
        t.tensors.push_back({unit.name, out, static_cast<int>(u), isOutput[static_cast<size_t>(out)] ? lastStep : static_cast<int>(u),
                             shapeNumel((*shapes)[static_cast<size_t>(out)]) * element});
        for (int src : unit.inputs) {
            const int tensor = src == kNetworkInput ? 0 : tensorOf[static_cast<size_t>(src)];
            if (tensor < 0)
                return makeError("schedule '" + schedule.name + "': unit '" + unit.name + "' reads a tensor no earlier step made");
            t.tensors[static_cast<size_t>(tensor)].lastStep = std::max(t.tensors[static_cast<size_t>(tensor)].lastStep, static_cast<int>(u));
        }
    }
    for (size_t u = 0; u < schedule.units.size(); ++u) {
        const int64_t scratch = unitScratchElements(net, schedule.units[u], *shapes, inputShape);
        if (scratch > 0)
            t.tensors.push_back({schedule.units[u].name + ".scratch", schedule.units[u].output(), static_cast<int>(u),
                                 static_cast<int>(u), scratch * element, true});
    }
    computeLiveness(t);
    return t;
}

} // namespace rnnpool
