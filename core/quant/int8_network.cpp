#include "quant/int8_network.h"
#include "quant/int8_prepared.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>

#include "integer/conv_s8.h"
#include "integer/elementwise_s8.h"
#include "ops/conv2d.h"
#include "ops/rnnpool.h"
#include "quant/rnnpool_int8.h"

namespace rnnpool {


Int8Network::Int8Network(Int8Network&&) noexcept = default;
Int8Network& Int8Network::operator=(Int8Network&&) noexcept = default;
Int8Network::~Int8Network() = default;

namespace {

const ActivationQuant& quantOf(const QuantizedModel& m, int src)
{
    return src == kNetworkInput ? m.input : m.nodes[static_cast<size_t>(src)].output;
}

std::pair<int32_t, int32_t> clampFor(Activation a, const ActivationQuant& out)
{
    const auto level = [&](float real) {
        return static_cast<int32_t>(std::clamp(std::nearbyint(real / out.scale) + static_cast<float>(out.zeroPoint), -128.0f, 127.0f));
    };
    switch (a) {
    case Activation::Relu: return {level(0.0f), 127};
    case Activation::Relu6: return {level(0.0f), level(6.0f)};
    default: return {-128, 127};
    }
}

Status prepareConv(const std::string& name, const Conv2d& op, const NodeQuant& nq, const ActivationQuant& in,
                   Int8Network::Prepared& p)
{
    const Conv2dParams& c = op.params();
    const int64_t perOut = c.inChannels / c.groups * c.kernelH * c.kernelW;
    if (nq.weight.size() != static_cast<size_t>(c.outChannels * perOut) || nq.weightScale.size() != static_cast<size_t>(c.outChannels) ||
        nq.bias.size() != static_cast<size_t>(c.outChannels))
        return makeError("layer '" + name + "': quantised weights do not match the architecture");
    if (!c.plainGeometry())
        return makeError("layer '" + name + "': the int8 convolution kernels take symmetric padding without dilation; "
                         "this layer has dilation " + std::to_string(c.dilationH) + "x" + std::to_string(c.dilationW) +
                         " or asymmetric padding");
    p.shape.in_channels = static_cast<int32_t>(c.inChannels);
    p.shape.out_channels = static_cast<int32_t>(c.outChannels);
    p.shape.kernel_h = static_cast<int32_t>(c.kernelH);
    p.shape.kernel_w = static_cast<int32_t>(c.kernelW);
    p.shape.stride_h = static_cast<int32_t>(c.strideH);
    p.shape.stride_w = static_cast<int32_t>(c.strideW);
    p.shape.pad_h = static_cast<int32_t>(c.padH);
    p.shape.pad_w = static_cast<int32_t>(c.padW);
    const bool depthwise = c.groups != 1;
    const bool pointwise = !depthwise && c.kernelH == 1 && c.kernelW == 1 && c.strideH == 1 && c.strideW == 1 && c.padH == 0 && c.padW == 0;
    p.kind = depthwise ? Int8Network::Prepared::Kind::Depthwise
                       : (pointwise ? Int8Network::Prepared::Kind::Pointwise : Int8Network::Prepared::Kind::Conv);
    const int64_t k = c.kernelH * c.kernelW;
    p.weights.resize(nq.weight.size());
    const int64_t cin = c.inChannels / c.groups;
    for (int64_t o = 0; o < c.outChannels; ++o)
        for (int64_t i = 0; i < cin; ++i)
            for (int64_t t = 0; t < k; ++t) {
                const int8_t v = nq.weight[static_cast<size_t>((o * cin + i) * k + t)];
                // OIHW -> OHWI (general, pointwise) or HWC (depthwise: one input per output).
                const int64_t at = depthwise ? t * c.outChannels + o : (o * k + t) * cin + i;
                p.weights[static_cast<size_t>(at)] = v;
            }
    p.bias = nq.bias;
    for (int64_t o = 0; o < c.outChannels; ++o) {
        const double real = static_cast<double>(in.scale) * static_cast<double>(nq.weightScale[static_cast<size_t>(o)]) /
                            static_cast<double>(nq.output.scale);
        const QuantMultiplier m = quantizeMultiplier(real);
        if (!m.valid)
            return makeError("layer '" + name + "': output channel " + std::to_string(o) + " needs a scale factor of " +
                             std::to_string(real) + ", which no int32 multiplier holds");
        p.multiplier.push_back(m.multiplier);
        p.shift.push_back(m.shift);
    }
    const auto [lo, hi] = clampFor(c.activation, nq.output);
    p.conv = {-in.zeroPoint, nq.output.zeroPoint, lo, hi, p.multiplier.data(), p.shift.data()};
    return Status::ok();
}

} // namespace

Expected<Int8Network> Int8Network::create(std::shared_ptr<const QuantizedModel> model)
{
    const Network& net = *model->network;
    if (Status st = checkInt8Support(net); !st)
        return makeError(st.error());
    if (model->nodes.size() != net.nodes().size())
        return makeError("quantised model: " + std::to_string(model->nodes.size()) + " quantised layers for a network of " +
                         std::to_string(net.nodes().size()));
    Int8Network result;
    result.m_model = model;
    for (size_t i = 0; i < net.nodes().size(); ++i) {
        const Node& node = net.nodes()[i];
        const NodeQuant& nq = model->nodes[i];
        auto p = std::make_unique<Prepared>();
        const std::string_view kind = node.op->kind();
        const ActivationQuant in = readerInputQuant(*model, node.inputs[0]);
        if (kind == "conv2d") {
            if (Status st = prepareConv(node.name, static_cast<const Conv2d&>(*node.op), nq, in, *p); !st)
                return makeError(st.error());
        } else if (kind == "add") {
            p->kind = Prepared::Kind::Add;
            p->add = addQuant(in, quantOf(*model, node.inputs[1]), nq.output);
        } else if (kind == "l2norm") {
            p->kind = Prepared::Kind::L2Norm;
            if (nq.gamma.size() != static_cast<size_t>(node.outChannels))
                return makeError("layer '" + node.name + "': " + std::to_string(nq.gamma.size()) + " L2Norm scales for " +
                                 std::to_string(node.outChannels) + " channels");
            for (float g : nq.gamma) {
                const QuantMultiplier m = quantizeMultiplier(static_cast<double>(g) / (static_cast<double>(nq.output.scale) * 1073741824.0));
                if (!m.valid)
                    return makeError("layer '" + node.name + "': the L2Norm scale " + std::to_string(g) + " cannot be requantised");
                p->multiplier.push_back(m.multiplier);
                p->shift.push_back(m.shift);
            }
            p->l2 = {-in.zeroPoint, nq.output.zeroPoint, p->multiplier.data(), p->shift.data()};
        } else if (kind == "background_maxout") {
            p->kind = Prepared::Kind::MaxOut;
            if (in.scale != nq.output.scale || in.zeroPoint != nq.output.zeroPoint)
                return makeError("layer '" + node.name + "': the background max-out must keep its input's scale and zero point");
            // BackgroundMaxOut keeps (channels - background + 1) channels.
            const int64_t inChannels = node.inputs[0] == kNetworkInput ? net.inputChannels()
                                                                       : net.nodes()[static_cast<size_t>(node.inputs[0])].outChannels;
            p->background = static_cast<int32_t>(inChannels - node.outChannels + 1);
        } else if (kind == "rnnpool") {
            p->kind = Prepared::Kind::RnnPool;
            auto r = RnnPoolInt8::create(node.name, static_cast<const RnnPool&>(*node.op), in, nq);
            if (!r)
                return makeError(r.error());
            p->rnnpool = std::move(*r);
        }
        result.m_nodes.push_back(std::move(p));
    }
    return result;
}

bool Int8Network::rnnPoolIsInteger() const
{
    return RnnPoolInt8::isInteger();
}

std::vector<int8_t> quantizeInputHwc(const Tensor& chw, const ActivationQuant& q)
{
    const int64_t c = chw.dim(0), h = chw.dim(1), w = chw.dim(2);
    std::vector<int8_t> out(static_cast<size_t>(chw.numel()));
    for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t y = 0; y < h; ++y)
            for (int64_t x = 0; x < w; ++x)
                out[static_cast<size_t>((y * w + x) * c + ch)] = q.quantize(chw.at(ch, y, x));
    return out;
}

Expected<Int8Run> Int8Network::run(const Tensor& input) const
{
    if (input.rank() != 3)
        return makeError("int8 network: the input must be CHW, got " + shapeToString(input.shape()));
    return runQuantized(quantizeInputHwc(input, m_model->input), input.shape());
}

Expected<Int8Run> Int8Network::runQuantized(const std::vector<int8_t>& inputHwc, const Shape& inputShape) const
{
    Int8Run run;
    if (Status st = runQuantizedInto(inputHwc, inputShape, run); !st)
        return makeError(st.error());
    return run;
}

Status Int8Network::runQuantizedInto(const std::vector<int8_t>& inputHwc, const Shape& inputShape, Int8Run& run) const
{
    using Clock = std::chrono::steady_clock;
    const Network& net = *m_model->network;
    if (Status st = net.checkMemory(inputShape); !st)
        return makeError(st.error());
    run.maps.resize(net.nodes().size());
    run.shapes.resize(net.nodes().size());
    run.layerSeconds.resize(net.nodes().size(), 0.0);
    run.layerCpuSeconds.resize(net.nodes().size(), 0.0);
    const auto threadCpu = [] {
        timespec t{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
    };
    std::vector<uint8_t> scratch;
    const auto start = Clock::now();
    for (size_t i = 0; i < net.nodes().size(); ++i) {
        const Node& node = net.nodes()[i];
        std::vector<Shape> inShapes;
        std::vector<const int8_t*> in;
        for (int src : node.inputs) {
            inShapes.push_back(src == kNetworkInput ? inputShape : run.shapes[static_cast<size_t>(src)]);
            in.push_back(src == kNetworkInput ? inputHwc.data() : run.maps[static_cast<size_t>(src)].data());
        }
        Shape outShape;
        if (Status st = node.op->prepare(inShapes, outShape); !st)
            return makeError("layer '" + node.name + "': " + st.error());
        const auto t0 = Clock::now();
        const double cpu0 = threadCpu();
        std::vector<int8_t>& out = run.maps[i];
        out.resize(static_cast<size_t>(shapeNumel(outShape)));
        if (Status st = runNode(i, in, inShapes, out.data(), outShape, scratch); !st)
            return makeError(st.error());
        run.shapes[i] = outShape;
        run.layerSeconds[i] = std::chrono::duration<double>(Clock::now() - t0).count();
        run.layerCpuSeconds[i] = threadCpu() - cpu0;
    }
    run.totalSeconds = std::chrono::duration<double>(Clock::now() - start).count();
    return {};
}

Status Int8Network::runNode(size_t i, const std::vector<const int8_t*>& in, const std::vector<Shape>& inShapes,
                           int8_t* out, const Shape& outShape, std::vector<uint8_t>& scratch) const
{
    Prepared& p = *m_nodes[i];
    const Shape& s0 = inShapes[0];
    const auto pixels = static_cast<int32_t>(s0[1] * s0[2]);
    switch (p.kind) {
    case Prepared::Kind::Conv:
    case Prepared::Kind::Depthwise:
    case Prepared::Kind::Pointwise: {
        rp_conv_shape_t shape = p.shape;
        shape.in_height = static_cast<int32_t>(s0[1]);
        shape.in_width = static_cast<int32_t>(s0[2]);
        if (p.kind == Prepared::Kind::Conv) {
            scratch.resize(static_cast<size_t>(rp_conv_s8_scratch_size(&shape)));
            rp_conv_s8(&shape, &p.conv, in[0], p.weights.data(), p.bias.data(), scratch.data(), out);
        } else if (p.kind == Prepared::Kind::Depthwise) {
            scratch.resize(static_cast<size_t>(rp_depthwise_conv_s8_scratch_size(&shape)));
            rp_depthwise_conv_s8(&shape, &p.conv, in[0], p.weights.data(), p.bias.data(), scratch.data(), out);
        } else {
            scratch.resize(static_cast<size_t>(rp_pointwise_conv_s8_scratch_size(&shape)));
            rp_pointwise_conv_s8(&shape, &p.conv, in[0], p.weights.data(), p.bias.data(), scratch.data(), out);
        }
        break;
    }
    case Prepared::Kind::Add:
        rp_add_s8(&p.add, in[0], in[1], static_cast<int32_t>(shapeNumel(outShape)), out);
        break;
    case Prepared::Kind::L2Norm:
        rp_l2norm_s8(&p.l2, in[0], pixels, static_cast<int32_t>(s0[0]), out);
        break;
    case Prepared::Kind::MaxOut:
        rp_background_maxout_s8(in[0], pixels, static_cast<int32_t>(s0[0]), p.background, out);
        break;
    case Prepared::Kind::RnnPool:
        if (Status st = p.rnnpool.run(in[0], s0, outShape, out, scratch); !st)
            return makeError("layer '" + m_model->network->nodes()[i].name + "': " + st.error());
        break;
    }
    return {};
}

Tensor Int8Network::dequantize(const Int8Run& run, int node) const
{
    const Shape& s = run.shapes[static_cast<size_t>(node)];
    const NodeQuant& nq = m_model->nodes[static_cast<size_t>(node)];
    const std::vector<int8_t>& m = run.maps[static_cast<size_t>(node)];
    Tensor t(s);
    for (int64_t y = 0; y < s[1]; ++y)
        for (int64_t x = 0; x < s[2]; ++x)
            for (int64_t c = 0; c < s[0]; ++c) {
                const int8_t v = m[static_cast<size_t>((y * s[2] + x) * s[0] + c)];
                t.at(c, y, x) = nq.channelScale.empty()
                                    ? nq.output.dequantize(v)
                                    : ActivationQuant{nq.channelScale[static_cast<size_t>(c)], nq.channelZeroPoint[static_cast<size_t>(c)]}.dequantize(v);
            }
    return t;
}

HeadOutputs Int8Network::heads(const Int8Run& run) const
{
    HeadOutputs out;
    const auto append = [&](int node, std::vector<float>& to) {
        const ActivationQuant& q = m_model->nodes[static_cast<size_t>(node)].output;
        for (int8_t v : run.maps[static_cast<size_t>(node)]) // HWC: EdgeML's permute(0, 2, 3, 1) order
            to.push_back(q.dequantize(v));
    };
    for (const auto& [loc, conf] : m_model->network->heads()) {
        const Shape& s = run.shapes[static_cast<size_t>(loc)];
        out.featureMaps.emplace_back(s[1], s[2]);
        append(loc, out.loc);
        append(conf, out.conf);
    }
    return out;
}

const Int8Network::Prepared& Int8Network::prepared(size_t node) const
{
    return *m_nodes[node];
}

} // namespace rnnpool
