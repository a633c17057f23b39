#include "mcu/latency_model.h"

#include <algorithm>
#include <sstream>

#include "ops/classifier_ops.h"
#include "ops/conv2d.h"
#include "ops/pooling.h"
#include "ops/rnnpool.h"
#include "ops/squeeze_excite.h"

namespace rnnpool {

namespace {

LayerWork convWork(const Conv2d& conv, const Shape& output)
{
    const Conv2dParams& p = conv.params();
    LayerWork w;
    const int64_t outputs = shapeNumel(output);
    const bool depthwise = p.groups > 1 && p.groups == p.inChannels;
    const bool pointwise = p.groups == 1 && p.kernelH == 1 && p.kernelW == 1;
    w.opClass = depthwise ? OpClass::DepthwiseConv : pointwise ? OpClass::PointwiseConv : OpClass::StandardConv;
    w.macs = outputs * (p.inChannels / p.groups) * p.kernelH * p.kernelW;
    w.taps = outputs * p.kernelH * p.kernelW;
    w.outputs = outputs;
    return w;
}

// RNN1 runs 2k sequences of k steps per patch (rows, columns), RNN2 4 of k.
LayerWork rnnPoolWork(const RnnPool& op, const Shape& input, const RnnDensity& d)
{
    const RnnPoolParams& p = op.params();
    const int64_t patches = op.gridSize(input[1]) * op.gridSize(input[2]);
    const int64_t steps1 = 2 * p.patch * p.patch, steps2 = 4 * p.patch;
    const int64_t c = p.inChannels, h1 = p.hidden1, h2 = p.hidden2;
    const auto dense = [](int64_t rows, int64_t cols) { return static_cast<double>(rows * cols); };
    LayerWork w;
    w.opClass = OpClass::RnnMatVec;
    w.macs = patches * (steps1 * (h1 * c + h1 * h1) + steps2 * (h2 * h1 + h2 * h2));
    const double nonzeros = static_cast<double>(steps1) * (d.w1 * dense(h1, c) + d.u1 * dense(h1, h1)) +
                            static_cast<double>(steps2) * (d.w2 * dense(h2, h1) + d.u2 * dense(h2, h2));
    w.nonzeros = static_cast<int64_t>(static_cast<double>(patches) * nonzeros + 0.5);
    w.columns = patches * (steps1 * (c + h1) + steps2 * (h1 + h2));
    w.outputs = patches * (steps1 * h1 + steps2 * h2);
    w.taps = 0;
    return w;
}

bool parseFraction(const std::string& text, double& out)
{
    char* end = nullptr;
    out = std::strtod(text.c_str(), &end);
    return !text.empty() && end && *end == '\0' && out > 0.0 && out <= 1.0;
}

} // namespace

Expected<RnnDensity> parseRnnDensity(const std::string& text)
{
    std::vector<double> values;
    std::stringstream fields(text);
    std::string field;
    while (std::getline(fields, field, ',')) {
        double v = 0.0;
        if (!parseFraction(field, v))
            return makeError("RNN weight density '" + text + "': '" + field + "' is not a fraction in (0, 1]");
        values.push_back(v);
    }
    if (values.size() == 1)
        return RnnDensity{values[0], values[0], values[0], values[0]};
    if (values.size() != 4)
        return makeError("RNN weight density '" + text + "': give one fraction or four (W1,U1,W2,U2)");
    return RnnDensity{values[0], values[1], values[2], values[3]};
}

Expected<std::vector<LayerWork>> measureWork(const Network& net, const Shape& inputShape, const LatencyOptions& options)
{
    auto shapes = net.plan(inputShape);
    if (!shapes)
        return std::move(shapes).takeError();
    std::vector<LayerWork> work;
    std::vector<Shape> in;
    for (size_t i = 0; i < net.nodes().size(); ++i) {
        const Node& node = net.nodes()[i];
        const Shape& out = (*shapes)[i];
        in.clear();
        for (int src : node.inputs)
            in.push_back(src == kNetworkInput ? inputShape : (*shapes)[static_cast<size_t>(src)]);
        LayerWork w;
        if (const auto* conv = dynamic_cast<const Conv2d*>(node.op.get())) {
            w = convWork(*conv, out);
        } else if (const auto* pool = dynamic_cast<const RnnPool*>(node.op.get())) {
            w = rnnPoolWork(*pool, in.front(), options.rnnDensity);
        } else if (dynamic_cast<const Linear*>(node.op.get())) {
            w.opClass = OpClass::FullyConnected;
            w.macs = node.op->madds(in, out);
            w.outputs = shapeNumel(out);
        } else if (const auto* se = dynamic_cast<const SqueezeExcite*>(node.op.get())) {
            // Two small fully connected layers on the pooled channels, then a
            // pass to pool the map and one to scale it.
            w.opClass = OpClass::FullyConnected;
            w.macs = node.op->madds(in, out);
            w.outputs = se->params().channels + se->params().squeezed;
            w.elements = 2 * shapeNumel(in.front());
        } else if (const auto* window = dynamic_cast<const Pool2d*>(node.op.get())) {
            // Every output reads its window.
            w.opClass = OpClass::Elementwise;
            w.outputs = shapeNumel(out) * window->params().kernel * window->params().kernel;
        } else if (const int64_t madds = node.op->madds(in, out); madds > 0 && node.op->kind() != "l2norm") {
            // An op this model has no class for that multiplies weights: costed
            // as a standard convolution without taps.
            w.opClass = OpClass::StandardConv;
            w.macs = madds;
            w.outputs = shapeNumel(out);
        } else {
            // Adds, norms, pooling, max-out: one pass over the larger side.
            w.opClass = OpClass::Elementwise;
            int64_t read = 0;
            for (const Shape& s : in)
                read = std::max(read, shapeNumel(s));
            w.outputs = std::max(read, shapeNumel(out));
            // L2Norm also takes one square root and one reciprocal per pixel:
            // counted as taps (a profile without per_tap for elementwise ops ignores them).
            if (node.op->kind() == "l2norm" && !in.empty() && in.front().size() == 3 && in.front()[0] > 0)
                w.taps = shapeNumel(in.front()) / in.front()[0];
        }
        w.name = node.name;
        work.push_back(std::move(w));
    }
    return work;
}

double layerCycles(const LayerWork& w, const CostProfile& profile)
{
    const ClassCost& c = profile.classes[opClassIndex(w.opClass)];
    const bool sparse = w.opClass == OpClass::RnnMatVec && c.perNonzero > 0.0 && w.nonzeros < w.macs;
    const double macCycles = sparse ? static_cast<double>(w.nonzeros) * c.perNonzero + static_cast<double>(w.columns) * c.perColumn
                                    : static_cast<double>(w.macs) * c.perMac;
    return macCycles + static_cast<double>(w.taps) * c.perTap + static_cast<double>(w.outputs) * c.perOutput +
           static_cast<double>(w.elements) * profile.classes[opClassIndex(OpClass::Elementwise)].perOutput;
}

LatencyEstimate estimateLatency(const std::vector<LayerWork>& work, const CostProfile& profile, double clockMHz)
{
    LatencyEstimate e;
    e.profile = profile.name;
    e.clockMHz = clockMHz;
    for (const LayerWork& w : work) {
        const double c = layerCycles(w, profile);
        const double inner = static_cast<double>(w.elements) * profile.classes[opClassIndex(OpClass::Elementwise)].perOutput;
        e.cyclesByClass[opClassIndex(w.opClass)] += c - inner;
        e.cyclesByClass[opClassIndex(OpClass::Elementwise)] += inner;
        e.layerOverheadCycles += profile.perLayer;
        e.layerCycles.push_back(c + profile.perLayer);
        e.cycles += c + profile.perLayer;
    }
    return e;
}

Expected<std::vector<ProfiledLatency>> estimateUnderEveryProfile(const Network& net, const Shape& inputShape, double clockMHz,
                                                                 const LatencyOptions& options)
{
    auto profiles = loadCostProfiles();
    if (!profiles)
        return std::move(profiles).takeError();
    auto work = measureWork(net, inputShape, options);
    if (!work)
        return std::move(work).takeError();
    std::vector<ProfiledLatency> result;
    for (CostProfile& p : *profiles) {
        LatencyEstimate e = estimateLatency(*work, p, clockMHz);
        result.push_back({std::move(p), std::move(e)});
    }
    return result;
}

Expected<std::vector<ProfiledLatency>> estimateArchitecture(const ArchSpec& spec, const Shape& inputShape, double clockMHz,
                                                            const LatencyOptions& options)
{
    auto net = Network::build(spec);
    if (!net)
        return std::move(net).takeError();
    return estimateUnderEveryProfile(*net, inputShape, clockMHz, options);
}

std::string latencyBasisNote(const CostProfile& profile)
{
    return "estimate, not a measurement: cycles = MACs x cycles/MAC + taps x cycles/tap + outputs x cycles/output per op class, "
           "profile '" + profile.name + "' (" + profile.title + ": " + profile.basis + "; checked against " +
           profile.calibration + "), divided by the board clock";
}

} // namespace rnnpool
