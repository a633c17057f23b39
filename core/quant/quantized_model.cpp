#include "quant/quantized_model.h"

#include <algorithm>
#include <cmath>

#include "ops/conv2d.h"
#include "ops/elementwise.h"
#include "ops/rnnpool.h"

namespace rnnpool {

Status checkInt8Support(const Network& network)
{
    for (const Node& node : network.nodes()) {
        const std::string_view kind = node.op->kind();
        if (kind == "conv2d") {
            const auto& p = static_cast<const Conv2d&>(*node.op).params();
            const Activation a = p.activation;
            if (a != Activation::None && a != Activation::Relu && a != Activation::Relu6)
                return makeError("layer '" + node.name + "': activation '" + std::string(activationName(a)) +
                                 "' has no int8 kernel (none, relu and relu6 have)");
            if (p.groups != 1 && !(p.groups == p.inChannels && p.groups == p.outChannels))
                return makeError("layer '" + node.name + "': grouped convolution (groups " + std::to_string(p.groups) +
                                 ") has no int8 kernel (plain and depthwise have)");
            continue;
        }
        if (kind == "add") {
            continue;
        }
        if (kind == "l2norm" || kind == "background_maxout" || kind == "rnnpool")
            continue;
        return makeError("layer '" + node.name + "': op '" + std::string(kind) +
                         "' has no int8 kernel (conv, depthwise, add, l2norm, background_maxout and rnnpool have)");
    }
    return Status::ok();
}

namespace {

const ActivationQuant& inputQuantOf(const QuantizedModel& q, int src)
{
    return src == kNetworkInput ? q.input : q.nodes[static_cast<size_t>(src)].output;
}

bool isPointwise(const Node& node)
{
    if (node.op->kind() != "conv2d")
        return false;
    const auto& p = static_cast<const Conv2d&>(*node.op).params();
    return p.plainGeometry() && p.groups == 1 && p.kernelH == 1 && p.kernelW == 1 && p.strideH == 1 && p.strideW == 1 && p.padH == 0 && p.padW == 0;
}

// A 1x1 convolution reading a per-channel map: real input x_i = s_i (q_i - zp_i),
// so y_o = sum_i (w_oi s_i)(q_i - zp_i) + b_o. The weights w_oi s_i are
// quantised per output channel; the zero points go into the bias.
void quantizeConvPerChannelInput(const Conv2d& conv, const NodeQuant& in, const std::vector<float>& inMean, NodeQuant& nq)
{
    const Tensor& w = conv.foldedWeight();
    const Tensor& b = conv.foldedBias();
    const int64_t outC = w.dim(0), inC = w.dim(1);
    nq.weight.resize(static_cast<size_t>(w.numel()));
    nq.weightScale.resize(static_cast<size_t>(outC));
    nq.bias.resize(static_cast<size_t>(outC));
    std::vector<double> scaled(static_cast<size_t>(inC));
    for (int64_t o = 0; o < outC; ++o) {
        double maxAbs = 0.0;
        for (int64_t i = 0; i < inC; ++i) {
            scaled[static_cast<size_t>(i)] = static_cast<double>(w.data()[o * inC + i]) * static_cast<double>(in.channelScale[static_cast<size_t>(i)]);
            maxAbs = std::max(maxAbs, std::abs(scaled[static_cast<size_t>(i)]));
        }
        const double scale = maxAbs > 0.0 ? maxAbs / 127.0 : 1.0;
        nq.weightScale[static_cast<size_t>(o)] = static_cast<float>(scale);
        double bias = b.empty() ? 0.0 : static_cast<double>(b.data()[o]);
        int64_t zeroPointSum = 0;
        for (int64_t i = 0; i < inC; ++i) {
            const auto q = static_cast<int8_t>(std::clamp(std::nearbyint(scaled[static_cast<size_t>(i)] / scale), -127.0, 127.0));
            nq.weight[static_cast<size_t>(o * inC + i)] = q;
            zeroPointSum += int64_t{q} * in.channelZeroPoint[static_cast<size_t>(i)];
            if (!inMean.empty()) // bias correction, as for the others
                bias += (scaled[static_cast<size_t>(i)] - q * scale) *
                        (static_cast<double>(inMean[static_cast<size_t>(i)]) / static_cast<double>(in.channelScale[static_cast<size_t>(i)]));
        }
        const double q = std::nearbyint(bias / scale) - static_cast<double>(zeroPointSum);
        nq.bias[static_cast<size_t>(o)] = static_cast<int32_t>(std::clamp(q, -2147483647.0, 2147483647.0));
    }
}

// Each of the n weights w_i / scale rounded down or up: the choice whose error
// e (in real units) has the least e' C e, C the covariance of the input patches
// (the error's variance at the output; bias correction removes its mean). Ties
// keep the nearest rounding, which is tried first.
void roundToCovariance(const float* row, int64_t n, float scale, const double* cov, int8_t* out)
{
    std::vector<double> base(static_cast<size_t>(n)), e(static_cast<size_t>(n));
    const auto levelOf = [](double v) { return std::clamp(v, -127.0, 127.0); };
    const auto cost = [&](const std::vector<double>& levels) {
        for (int64_t i = 0; i < n; ++i)
            e[static_cast<size_t>(i)] = static_cast<double>(row[i]) - levels[static_cast<size_t>(i)] * static_cast<double>(scale);
        double s = 0.0;
        for (int64_t a = 0; a < n; ++a)
            for (int64_t b = 0; b < n; ++b)
                s += e[static_cast<size_t>(a)] * cov[static_cast<size_t>(a * n + b)] * e[static_cast<size_t>(b)];
        return s;
    };
    std::vector<double> best(static_cast<size_t>(n)), levels(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        const double v = static_cast<double>(row[i]) / static_cast<double>(scale);
        base[static_cast<size_t>(i)] = std::floor(v);
        best[static_cast<size_t>(i)] = levelOf(std::nearbyint(v));
    }
    double bestCost = cost(best);
    for (uint32_t bits = 0; bits < (uint32_t{1} << n); ++bits) {
        for (int64_t i = 0; i < n; ++i)
            levels[static_cast<size_t>(i)] = levelOf(base[static_cast<size_t>(i)] + static_cast<double>((bits >> i) & 1u));
        const double c = cost(levels);
        if (c < bestCost) {
            bestCost = c;
            best = levels;
        }
    }
    for (int64_t i = 0; i < n; ++i)
        out[i] = static_cast<int8_t>(best[static_cast<size_t>(i)]);
}

void quantizeConv(const Conv2d& conv, const ActivationQuant& in, const std::vector<float>& inMean, NodeQuant& nq,
                  const std::vector<double>& patchCovariance)
{
    const auto& params = conv.params();
    const int64_t groupIn = params.inChannels / params.groups, taps = params.kernelH * params.kernelW;
    const int64_t outPerGroup = params.outChannels / params.groups;
    const Tensor& w = conv.foldedWeight();
    const Tensor& b = conv.foldedBias();
    const int64_t outC = w.dim(0);
    const int64_t perOut = w.numel() / outC;
    nq.weight.resize(static_cast<size_t>(w.numel()));
    nq.weightScale.resize(static_cast<size_t>(outC));
    nq.bias.resize(static_cast<size_t>(outC));
    for (int64_t o = 0; o < outC; ++o) {
        const float* row = w.data() + o * perOut;
        float maxAbs = 0.0f;
        for (int64_t i = 0; i < perOut; ++i)
            maxAbs = std::max(maxAbs, std::abs(row[i]));
        const float scale = maxAbs > 0.0f ? maxAbs / 127.0f : 1.0f;
        nq.weightScale[static_cast<size_t>(o)] = scale;
        if (params.groups == 1 && perOut <= kMaxRoundedFanIn && patchCovariance.size() == static_cast<size_t>(perOut * perOut))
            roundToCovariance(row, perOut, scale, patchCovariance.data(), nq.weight.data() + o * perOut);
        else
            for (int64_t i = 0; i < perOut; ++i)
                nq.weight[static_cast<size_t>(o * perOut + i)] =
                    static_cast<int8_t>(std::clamp(std::nearbyint(row[i] / scale), -127.0f, 127.0f));
        double bias = b.empty() ? 0.0 : static_cast<double>(b.data()[o]);
        if (!inMean.empty()) {
            const int64_t firstIn = (o / outPerGroup) * groupIn;
            for (int64_t i = 0; i < groupIn; ++i)
                for (int64_t t = 0; t < taps; ++t) {
                    const int64_t k = i * taps + t;
                    const double error = static_cast<double>(row[k]) -
                                         static_cast<double>(nq.weight[static_cast<size_t>(o * perOut + k)]) * static_cast<double>(scale);
                    bias += error * static_cast<double>(inMean[static_cast<size_t>(firstIn + i)]);
                }
        }
        const double q = std::nearbyint(bias / (static_cast<double>(in.scale) * static_cast<double>(scale)));
        nq.bias[static_cast<size_t>(o)] = static_cast<int32_t>(std::clamp(q, -2147483647.0, 2147483647.0));
    }
}

} // namespace

ActivationQuant readerInputQuant(const QuantizedModel& model, int src)
{
    if (src != kNetworkInput && !model.nodes[static_cast<size_t>(src)].channelScale.empty())
        return ActivationQuant{1.0f, 0};
    return inputQuantOf(model, src);
}

Expected<QuantizedModel> quantizeModel(const Model& model, const ActivationRanges& ranges)
{
    const Network& net = *model.network;
    if (Status st = checkInt8Support(net); !st)
        return makeError(st.error());
    if (ranges.lo.size() != net.nodes().size() || ranges.hi.size() != net.nodes().size())
        return makeError("calibration ranges cover " + std::to_string(ranges.lo.size()) + " layers, the network has " +
                         std::to_string(net.nodes().size()));
    QuantizedModel q;
    q.network = model.network;
    q.source = model.source;
    q.calibration = ranges.method;
    q.pyramidLevels = model.pyramidLevels;
    q.input = activationQuant(ranges.inputLo, ranges.inputHi);
    q.nodes.resize(net.nodes().size());
    for (size_t i = 0; i < net.nodes().size(); ++i) {
        const Node& node = net.nodes()[i];
        NodeQuant& nq = q.nodes[i];
        const std::string_view kind = node.op->kind();
        if (kind == "background_maxout") {
            nq.output = inputQuantOf(q, node.inputs[0]); // max is monotonic: same scale
            continue;
        }
        nq.output = activationQuant(ranges.lo[i], ranges.hi[i]);
        if (kind == "rnnpool" && i < ranges.channelLo.size() && !ranges.channelLo[i].empty()) {
            bool allPointwise = true, anyReader = false;
            for (const Node& reader : net.nodes())
                for (int src : reader.inputs)
                    if (src == static_cast<int>(i)) {
                        anyReader = true;
                        allPointwise = allPointwise && isPointwise(reader);
                    }
            if (anyReader && allPointwise)
                for (size_t c = 0; c < ranges.channelLo[i].size(); ++c) {
                    const ActivationQuant a = offsetActivationQuant(ranges.channelLo[i][c], ranges.channelHi[i][c]);
                    nq.channelScale.push_back(a.scale);
                    nq.channelZeroPoint.push_back(a.zeroPoint);
                }
        }
        if (kind == "conv2d") {
            const int src = node.inputs[0];
            static const std::vector<float> kNone;
            static const std::vector<double> kNoCovariance;
            const std::vector<float>& mean = src == kNetworkInput ? ranges.inputChannelMean
                                             : (ranges.channelMean.empty() ? kNone : ranges.channelMean[static_cast<size_t>(src)]);
            if (src != kNetworkInput && !q.nodes[static_cast<size_t>(src)].channelScale.empty())
                quantizeConvPerChannelInput(static_cast<const Conv2d&>(*node.op), q.nodes[static_cast<size_t>(src)], mean, nq);
            else
                quantizeConv(static_cast<const Conv2d&>(*node.op), inputQuantOf(q, src), mean, nq,
                             i < ranges.patchCovariance.size() ? ranges.patchCovariance[i] : kNoCovariance);
        } else if (kind == "l2norm") {
            auto slots = node.op->weightSlots();
            const Tensor& g = *slots.at(0).target;
            nq.gamma.assign(g.data(), g.data() + g.numel());
        }
    }
    return q;
}

} // namespace rnnpool
