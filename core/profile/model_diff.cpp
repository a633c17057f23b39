#include "profile/model_diff.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>
#include <unordered_map>

#include "model/model.h"
#include "quant/int8_detector.h"
#include "quant/int8_network.h"
#include "quant/quantized_file.h"

namespace rnnpool {

DiffSide floatSide(std::string label, std::shared_ptr<Network> network)
{
    DiffSide side;
    side.label = std::move(label);
    side.network = network;
    side.run = [network](const Tensor& input) -> Expected<DiffSide::Run> {
        RunOptions options;
        options.keepAllOutputs = true;
        auto r = network->run(input, options);
        if (!r)
            return std::move(r).takeError();
        return DiffSide::Run{std::move(r->outputs), std::move(r->layerSeconds)};
    };
    return side;
}

DiffSide int8Side(std::string label, std::shared_ptr<const Int8Network> network)
{
    DiffSide side;
    side.label = std::move(label);
    side.network = network->model().network;
    side.bytesPerElement = 1;
    side.run = [network](const Tensor& input) -> Expected<DiffSide::Run> {
        auto r = network->run(input);
        if (!r)
            return std::move(r).takeError();
        DiffSide::Run out;
        for (size_t n = 0; n < r->maps.size(); ++n)
            out.outputs.push_back(r->maps[n].empty() ? Tensor() : network->dequantize(*r, static_cast<int>(n)));
        out.seconds = r->layerSeconds;
        return out;
    };
    return side;
}

Expected<DiffSide> diffSideFor(const std::string& what)
{
    std::error_code ec;
    const bool isFile = std::filesystem::exists(what, ec);
    if (isFile && isQuantizedModelFile(what)) {
        auto net = int8NetworkFromFile(what);
        if (!net)
            return std::move(net).takeError();
        return int8Side(what + " (int8)", *net);
    }
    if (isFile) {
        auto model = isSpecFile(what) ? modelFromSpecFile(what, 1) : loadModel(what);
        if (!model)
            return std::move(model).takeError();
        return floatSide(what, model->network);
    }
    auto model = randomModel(what, 1);
    if (!model)
        return makeError("'" + what + "' is neither a model file nor a built-in architecture (" + model.error() + ")");
    return floatSide(what + " (random weights, seed 1)", model->network);
}

std::optional<double> sqnrDb(const Tensor& reference, const Tensor& other)
{
    double signal = 0.0, noise = 0.0;
    for (int64_t i = 0; i < reference.numel(); ++i) {
        const double a = reference.data()[i], d = a - static_cast<double>(other.data()[i]);
        signal += a * a;
        noise += d * d;
    }
    if (noise == 0.0)
        return std::nullopt;
    if (signal == 0.0)
        return -std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(signal / noise);
}

int ModelDiff::paired() const
{
    return static_cast<int>(std::count_if(layers.begin(), layers.end(), [](const LayerDiff& l) { return l.a.node >= 0 && l.b.node >= 0; }));
}

const LayerDiff* ModelDiff::worst() const
{
    const LayerDiff* w = nullptr;
    for (const LayerDiff& l : layers)
        if (l.compared && l.sqnrDb && (!w || *l.sqnrDb < *w->sqnrDb))
            w = &l;
    return w;
}

namespace {

double median(std::vector<double> v)
{
    if (v.empty())
        return -1.0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

Expected<std::vector<LayerSide>> describeSide(const DiffSide& side, const Shape& input)
{
    auto info = side.network->describe(input);
    if (!info)
        return makeError(side.label + ": " + info.error());
    std::vector<LayerSide> out;
    for (size_t i = 0; i < info->size(); ++i) {
        const LayerInfo& l = (*info)[i];
        out.push_back({static_cast<int>(i), l.name, l.op, l.outputShape, l.params, l.madds,
                       shapeNumel(l.outputShape) * side.bytesPerElement, -1.0});
    }
    return out;
}

} // namespace

Expected<ModelDiff> diffModels(const DiffSide& a, const DiffSide& b, const Shape& inputShape, const Tensor* input, int runs)
{
    if (a.network->inputChannels() != b.network->inputChannels())
        return makeError("the models take different inputs: " + a.label + " " + std::to_string(a.network->inputChannels()) +
                         " channels, " + b.label + " " + std::to_string(b.network->inputChannels()));
    auto la = describeSide(a, inputShape);
    if (!la)
        return std::move(la).takeError();
    auto lb = describeSide(b, inputShape);
    if (!lb)
        return std::move(lb).takeError();

    ModelDiff diff;
    diff.labelA = a.label;
    diff.labelB = b.label;
    diff.input = inputShape;

    // Pairing: by name when names are shared, else by position.
    std::unordered_map<std::string, int> byName;
    for (const LayerSide& l : *lb)
        byName.emplace(l.name, l.node);
    int shared = 0;
    for (const LayerSide& l : *la)
        shared += byName.count(l.name) ? 1 : 0;
    const size_t smaller = std::min(la->size(), lb->size());
    diff.rule = smaller > 0 && static_cast<size_t>(2 * shared) >= smaller ? "name" : "order";
    std::set<int> usedB;
    for (size_t i = 0; i < la->size(); ++i) {
        LayerDiff d;
        d.a = (*la)[i];
        int other = -1;
        if (diff.rule == "name") {
            auto it = byName.find(d.a.name);
            other = it == byName.end() ? -1 : it->second;
        } else if (i < lb->size()) {
            other = static_cast<int>(i);
        }
        if (other >= 0) {
            d.b = (*lb)[static_cast<size_t>(other)];
            usedB.insert(other);
        }
        diff.layers.push_back(std::move(d));
    }
    for (const LayerSide& l : *lb)
        if (!usedB.count(l.node)) {
            LayerDiff d;
            d.b = l;
            diff.layers.push_back(std::move(d));
        }
    if (!input)
        return diff;

    // Runs: the first of each side keeps every output; times are medians over `runs`.
    diff.ran = true;
    diff.runs = std::max(1, runs);
    auto ra = a.run(*input);
    if (!ra)
        return makeError(a.label + ": " + ra.error());
    auto rb = b.run(*input);
    if (!rb)
        return makeError(b.label + ": " + rb.error());
    std::vector<std::vector<double>> ta(ra->seconds.size()), tb(rb->seconds.size());
    for (size_t n = 0; n < ta.size(); ++n)
        ta[n].push_back(ra->seconds[n]);
    for (size_t n = 0; n < tb.size(); ++n)
        tb[n].push_back(rb->seconds[n]);
    for (int r = 1; r < diff.runs; ++r) {
        auto again = a.run(*input);
        auto againB = b.run(*input);
        if (!again || !againB)
            break;
        for (size_t n = 0; n < ta.size() && n < again->seconds.size(); ++n)
            ta[n].push_back(again->seconds[n]);
        for (size_t n = 0; n < tb.size() && n < againB->seconds.size(); ++n)
            tb[n].push_back(againB->seconds[n]);
    }
    for (LayerDiff& d : diff.layers) {
        if (d.a.node >= 0 && static_cast<size_t>(d.a.node) < ta.size())
            d.a.seconds = median(ta[static_cast<size_t>(d.a.node)]);
        if (d.b.node >= 0 && static_cast<size_t>(d.b.node) < tb.size())
            d.b.seconds = median(tb[static_cast<size_t>(d.b.node)]);
        if (d.a.node < 0 || d.b.node < 0)
            continue;
        const Tensor& x = ra->outputs[static_cast<size_t>(d.a.node)];
        const Tensor& y = rb->outputs[static_cast<size_t>(d.b.node)];
        if (x.empty() || y.empty() || x.shape() != y.shape())
            continue;
        d.compared = true;
        for (int64_t i = 0; i < x.numel(); ++i)
            d.maxAbs = std::max(d.maxAbs, std::fabs(static_cast<double>(x.data()[i]) - static_cast<double>(y.data()[i])));
        d.sqnrDb = sqnrDb(x, y);
    }
    return diff;
}

} // namespace rnnpool
