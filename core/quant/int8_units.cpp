#include "quant/int8_units.h"

#include "quant/int8_prepared.h"

namespace rnnpool {

namespace {
using Prepared = Int8Network::Prepared;
}

Expected<Int8UnitParts> int8UnitParts(const Int8Network& net8, const ScheduleUnit& unit)
{
    const Network& net = *net8.model().network;
    const auto kindOf = [&](int node) { return net8.prepared(static_cast<size_t>(node)).kind; };
    Int8UnitParts parts;
    if (unit.kind == ScheduleUnit::Kind::InvertedResidual) {
        size_t i = 0;
        if (net.nodes()[static_cast<size_t>(unit.nodes[0])].name.ends_with(".expand")) {
            if (kindOf(unit.nodes[0]) != Prepared::Kind::Pointwise)
                return makeError("unit '" + unit.name + "': its expansion is not a 1x1 convolution in the int8 engine");
            parts.expand = unit.nodes[i++];
        }
        if (i + 1 >= unit.nodes.size() || kindOf(unit.nodes[i]) != Prepared::Kind::Depthwise ||
            kindOf(unit.nodes[i + 1]) != Prepared::Kind::Pointwise)
            return makeError("unit '" + unit.name +
                             "' is not [1x1,] depthwise, 1x1[, add] in the int8 engine (squeeze-excite has no int8 kernel)");
        parts.depthwise = unit.nodes[i++];
        parts.project = unit.nodes[i++];
        if (i < unit.nodes.size()) {
            if (i + 1 != unit.nodes.size() || kindOf(unit.nodes[i]) != Prepared::Kind::Add)
                return makeError("unit '" + unit.name + "' ends in a layer the int8 row kernel does not know");
            parts.add = unit.nodes[i];
        }
        return parts;
    }
    if (unit.kind == ScheduleUnit::Kind::RnnPoolPatches) {
        parts.pool = unit.output();
        if (kindOf(parts.pool) != Prepared::Kind::RnnPool || !RnnPoolInt8::isInteger())
            return makeError("unit '" + unit.name + "': RNNPool does not run in integers here");
        if (unit.nodes.size() - 1 > RP_STREAM_MAX_CONVS)
            return makeError("unit '" + unit.name + "' fuses " + std::to_string(unit.nodes.size() - 1) +
                             " convolutions; the int8 patch kernel takes at most " + std::to_string(RP_STREAM_MAX_CONVS));
        for (size_t i = 0; i + 1 < unit.nodes.size(); ++i) {
            const auto kind = kindOf(unit.nodes[i]);
            if (kind != Prepared::Kind::Conv && kind != Prepared::Kind::Pointwise)
                return makeError("unit '" + unit.name +
                                 "': a grouped convolution feeds RNNPool; the int8 patch kernel takes dense ones");
            parts.convs.push_back(unit.nodes[i]);
        }
        return parts;
    }
    return makeError("unit '" + unit.name + "' has no int8 streaming kernel (the int8 engine streams inverted-residual "
                     "blocks and RNNPool with the convolutions feeding it)");
}

rp_conv_s8_layer int8ConvLayer(const Int8Network& net8, int node)
{
    const Prepared& p = net8.prepared(static_cast<size_t>(node));
    return {&p.shape, &p.conv, p.weights.data(), p.bias.empty() ? nullptr : p.bias.data()};
}

rp_ir_s8_block int8Block(const Int8Network& net8, const Int8UnitParts& parts)
{
    rp_ir_s8_block b{};
    if (parts.expand >= 0)
        b.expand = int8ConvLayer(net8, parts.expand);
    b.depthwise = int8ConvLayer(net8, parts.depthwise);
    b.project = int8ConvLayer(net8, parts.project);
    if (parts.add >= 0)
        b.add = &net8.prepared(static_cast<size_t>(parts.add)).add;
    return b;
}

rp_rnnpool_s8_stream int8Stream(const Int8Network& net8, const Int8UnitParts& parts, rp_rnnpool_s8_channel_quant& channelQuant)
{
    rp_rnnpool_s8_stream s{};
    for (int node : parts.convs)
        s.convs[s.conv_count++] = int8ConvLayer(net8, node);
    const Prepared& pool = net8.prepared(static_cast<size_t>(parts.pool));
    s.cfg = &pool.rnnpool.config();
    if (!pool.rnnpool.channelMultiplier().empty()) {
        channelQuant = {pool.rnnpool.channelMultiplier().data(), pool.rnnpool.channelShift().data(),
                        pool.rnnpool.channelZeroPoint().data()};
        s.channel_quant = &channelQuant;
    }
    return s;
}

} // namespace rnnpool
