#include "model/network_builder.h"

#include <cmath>
#include <map>
#include <string_view>
#include <unordered_set>

#include "model/layer_reader.h"
#include "ops/classifier_ops.h"
#include "ops/conv2d.h"
#include "ops/elementwise.h"
#include "ops/rnnpool.h"
#include "util/limits.h"

namespace rnnpool {

using nlohmann::json;

namespace {
// Layers of one dense block, and inputs of one layer (DenseNet-264 has 64).
constexpr int64_t kMaxBlockLayers = 1024;

// The largest value an integer field of a layer may hold.
int64_t largestAllowed(std::string_view key)
{
    if (key == "kernel" || key == "stride" || key == "pad" || key == "patch" || key == "b3_kernel" ||
        key == "pad_bottom_right" || key == "pad_end" || key == "dilation")
        return limits::kMaxKernel;
    if (key == "layers")
        return kMaxBlockLayers;
    return limits::kMaxChannels;
}

std::string shown(const json& v)
{
    std::string text = v.dump();
    return text.size() > 40 ? text.substr(0, 40) + "..." : text;
}
} // namespace

int64_t LayerReader::integer(const char* key, int64_t fallback, bool required)
{
    if (!m_layer.contains(key)) {
        if (required && m_error.empty())
            m_error = std::string("missing '") + key + "'";
        return fallback;
    }
    const json& v = m_layer[key];
    const int64_t most = largestAllowed(key);
    if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(most)) ||
        v.get<int64_t>() < 0 || v.get<int64_t>() > most) {
        if (m_error.empty())
            m_error = std::string("'") + key + "' must be an integer from 0 to " + std::to_string(most) + ", not " + shown(v) +
                      (v.is_number_integer() ? " (limit in core/util/limits.h)" : "");
        return fallback;
    }
    return v.get<int64_t>();
}

std::pair<int64_t, int64_t> LayerReader::pair(const char* key, int64_t fallback)
{
    if (m_layer.contains(key) && m_layer[key].is_array()) {
        const json& v = m_layer[key];
        const int64_t most = largestAllowed(key);
        const auto fits = [most](const json& e) {
            return e.is_number_integer() && !(e.is_number_unsigned() && e.get<uint64_t>() > static_cast<uint64_t>(most)) &&
                   e.get<int64_t>() >= 0 && e.get<int64_t>() <= most;
        };
        if (v.size() == 2 && fits(v[0]) && fits(v[1]))
            return {v[0].get<int64_t>(), v[1].get<int64_t>()};
        if (m_error.empty())
            m_error = std::string("'") + key + "' must be an integer or [height, width] from 0 to " + std::to_string(most) +
                      ", not " + shown(v);
        return {fallback, fallback};
    }
    const int64_t v = integer(key, fallback);
    return {v, v};
}

std::string LayerReader::text(const char* key, bool required)
{
    if (!m_layer.contains(key) || !m_layer[key].is_string()) {
        if ((required || m_layer.contains(key)) && m_error.empty())
            m_error = std::string("'") + key + "' must be a string" + (m_layer.contains(key) ? ", not " + shown(m_layer[key]) : "");
        return {};
    }
    return m_layer[key].get<std::string>();
}

std::string LayerReader::textOr(const char* key, const std::string& fallback)
{
    return m_layer.contains(key) ? text(key) : fallback;
}

bool LayerReader::flag(const char* key, bool fallback)
{
    if (!m_layer.contains(key))
        return fallback;
    if (!m_layer[key].is_boolean()) {
        if (m_error.empty())
            m_error = std::string("'") + key + "' must be true or false, not " + shown(m_layer[key]);
        return fallback;
    }
    return m_layer[key].get<bool>();
}

double LayerReader::real(const char* key, double fallback)
{
    if (!m_layer.contains(key))
        return fallback;
    const json& v = m_layer[key];
    const double most = static_cast<double>(limits::kMaxChannels);
    if (!v.is_number() || !(v.get<double>() >= 0.0 && v.get<double>() <= most)) {
        if (m_error.empty())
            m_error = std::string("'") + key + "' must be a number from 0 to " + std::to_string(limits::kMaxChannels) +
                      ", not " + shown(v);
        return fallback;
    }
    return v.get<double>();
}

std::optional<double> LayerReader::signedReal(const char* key)
{
    if (!m_layer.contains(key))
        return std::nullopt;
    const json& v = m_layer[key];
    if (!v.is_number() || !std::isfinite(v.get<double>()) || std::fabs(v.get<double>()) > 1e30) {
        if (m_error.empty())
            m_error = std::string("'") + key + "' must be a finite number, not " + shown(v);
        return std::nullopt;
    }
    return v.get<double>();
}

int LayerReader::resolve(const std::string& ref)
{
    if (ref == "input")
        return kNetworkInput;
    // The last node of that name or group, so "block3" means the block's output.
    for (int i = static_cast<int>(m_nodes.size()) - 1; i >= 0; --i)
        if (m_nodes[i].name == ref || m_nodes[i].group == ref)
            return i;
    if (m_error.empty())
        m_error = "input '" + ref + "' is not an earlier layer";
    return kNetworkInput;
}

std::vector<int> LayerReader::inputs(size_t expected)
{
    std::vector<int> result;
    if (!m_layer.contains("input")) {
        result.push_back(m_nodes.empty() ? kNetworkInput : static_cast<int>(m_nodes.size()) - 1);
    } else if (!m_layer["input"].is_string() && !m_layer["input"].is_array()) {
        if (m_error.empty())
            m_error = "'input' must be a layer name or a list of names, not " + shown(m_layer["input"]);
        return result;
    } else if (m_layer["input"].is_string()) {
        result.push_back(resolve(m_layer["input"].get<std::string>()));
    } else if (m_layer["input"].is_array()) {
        if (static_cast<int64_t>(m_layer["input"].size()) > kMaxBlockLayers) {
            if (m_error.empty())
                m_error = "more than " + std::to_string(kMaxBlockLayers) + " inputs";
            return result;
        }
        for (const json& ref : m_layer["input"]) {
            if (!ref.is_string() && m_error.empty())
                m_error = "'input' must be a layer name or a list of names, not " + shown(m_layer["input"]);
            result.push_back(ref.is_string() ? resolve(ref.get<std::string>()) : kNetworkInput);
        }
    }
    // expected == 0: any number, at least one (concat).
    if ((expected == 0 ? result.empty() : result.size() != expected) && m_error.empty())
        m_error = expected == 0 ? std::string("needs at least one input") : "needs " + std::to_string(expected) + " input(s)";
    return result;
}

int LayerReader::add(std::string name, std::vector<int> in, std::unique_ptr<Op> op, int64_t outChannels)
{
    Node node;
    node.name = std::move(name);
    node.group = m_name;
    node.inputs = std::move(in);
    node.op = std::move(op);
    node.outChannels = outChannels;
    m_nodes.push_back(std::move(node));
    return static_cast<int>(m_nodes.size()) - 1;
}

Status LayerReader::expandConv(bool sugar)
{
    const auto in = inputs(1);
    Conv2dParams p;
    p.inChannels = in.empty() ? 0 : channelsOf(in[0]);
    p.outChannels = integer("out", 0, true);
    std::tie(p.kernelH, p.kernelW) = pair("kernel", sugar ? 3 : 1);
    std::tie(p.strideH, p.strideW) = pair("stride", 1);
    std::tie(p.padH, p.padW) = pair("pad", sugar ? -1 : 0);
    if (m_layer.contains("pad_end"))
        std::tie(p.padBottom, p.padRight) = pair("pad_end", 0);
    std::tie(p.dilationH, p.dilationW) = pair("dilation", 1);
    if (sugar && !m_layer.contains("pad")) {
        p.padH = (p.kernelH - 1) / 2;
        p.padW = (p.kernelW - 1) / 2;
    }
    if (m_layer.contains("groups") && m_layer["groups"] == "depthwise")
        p.groups = p.inChannels;
    else
        p.groups = integer("groups", 1);
    const std::string weights = text("weights", true);
    if (sugar) {
        // torchvision's ConvBNReLU: a Sequential of conv (".0") and BatchNorm (".1").
        p.weights = weights + ".0";
        p.bn = weights + ".1";
    } else {
        p.weights = weights;
        p.bias = flag("bias", false);
        if (m_layer.contains("bn"))
            p.bn = text("bn");
        p.bnEps = static_cast<float>(real("bn_eps", 1e-5));
    }
    const std::string actName = textOr("act", sugar ? "relu6" : "none");
    if (!m_error.empty())
        return fail(m_error);
    const auto act = parseActivation(actName);
    if (!act)
        return fail("unknown activation '" + actName + "'");
    p.activation = *act;
    if (!m_error.empty())
        return fail(m_error);
    if (p.outChannels <= 0 || p.kernelH <= 0 || p.kernelW <= 0 || p.strideH <= 0 || p.strideW <= 0 || p.groups <= 0 ||
        p.dilationH <= 0 || p.dilationW <= 0)
        return fail("out, kernel, stride, dilation and groups must be positive");
    if (p.inChannels % p.groups != 0 || p.outChannels % p.groups != 0)
        return fail("groups (" + std::to_string(p.groups) + ") must divide the input (" + std::to_string(p.inChannels) +
                    ") and output (" + std::to_string(p.outChannels) + ") channels");
    const int64_t out = p.outChannels;
    add(m_name, in, std::make_unique<Conv2d>(std::move(p)), out);
    return Status::ok();
}

Status LayerReader::expandInvertedResidual()
{
    // MobileNetV2's block as torchvision (and EdgeML) store it: "<w>.conv" is a
    // Sequential of [1x1 expand ConvBNReLU6 when t != 1,] 3x3 depthwise
    // ConvBNReLU6, 1x1 projection conv, BatchNorm; a residual add when the
    // stride is 1 and the channel counts match.
    const auto in = inputs(1);
    const int64_t inChannels = in.empty() ? 0 : channelsOf(in[0]);
    const int64_t out = integer("out", 0, true);
    const int64_t stride = integer("stride", 1);
    const double expand = real("expand", 1.0);
    const std::string w = text("weights", true) + ".conv";
    if (!m_error.empty())
        return fail(m_error);
    if (out <= 0 || stride <= 0 || expand <= 0.0)
        return fail("out, stride and expand must be positive");
    const int64_t hidden = static_cast<int64_t>(std::lround(static_cast<double>(inChannels) * expand));
    int seq = 0;
    int previous = in[0];
    if (expand != 1.0) {
        Conv2dParams e;
        e.inChannels = inChannels;
        e.outChannels = hidden;
        e.weights = w + "." + std::to_string(seq) + ".0";
        e.bn = w + "." + std::to_string(seq) + ".1";
        e.activation = Activation::Relu6;
        previous = add(m_name + ".expand", {previous}, std::make_unique<Conv2d>(std::move(e)), hidden);
        ++seq;
    }
    Conv2dParams d;
    d.inChannels = d.outChannels = d.groups = hidden;
    d.kernelH = d.kernelW = 3;
    d.strideH = d.strideW = stride;
    d.padH = d.padW = 1;
    d.weights = w + "." + std::to_string(seq) + ".0";
    d.bn = w + "." + std::to_string(seq) + ".1";
    d.activation = Activation::Relu6;
    previous = add(m_name + ".dw", {previous}, std::make_unique<Conv2d>(std::move(d)), hidden);
    ++seq;
    Conv2dParams pw;
    pw.inChannels = hidden;
    pw.outChannels = out;
    pw.weights = w + "." + std::to_string(seq);
    pw.bn = w + "." + std::to_string(seq + 1);
    previous = add(m_name + ".project", {previous}, std::make_unique<Conv2d>(std::move(pw)), out);
    if (stride == 1 && inChannels == out)
        add(m_name + ".add", {in[0], previous}, std::make_unique<Add>(), out);
    return Status::ok();
}

Status LayerReader::expandRnnPool()
{
    const auto in = inputs(1);
    RnnPoolParams p;
    p.inChannels = in.empty() ? 0 : channelsOf(in[0]);
    p.patch = integer("patch", 8);
    p.stride = integer("stride", 4);
    p.hidden1 = integer("h1", 0, true);
    p.hidden2 = integer("h2", 0, true);
    p.padBottomRight = integer("pad_bottom_right", 1);
    p.weights = text("weights", true);
    if (!m_error.empty())
        return fail(m_error);
    if (p.patch <= 0 || p.stride <= 0 || p.hidden1 <= 0 || p.hidden2 <= 0)
        return fail("patch, stride, h1 and h2 must be positive");
    if (p.hidden1 > kMaxRnnHidden || p.hidden2 > kMaxRnnHidden)
        return fail("h1 and h2 may be at most " + std::to_string(kMaxRnnHidden));
    const int64_t out = 4 * p.hidden2;
    add(m_name, in, std::make_unique<RnnPool>(std::move(p)), out);
    return Status::ok();
}

Status LayerReader::expandSimple(const std::string& op)
{
    if (op == "l2norm") {
        const auto in = inputs(1);
        const std::string weights = text("weights", true);
        if (!m_error.empty())
            return fail(m_error);
        const int64_t channels = channelsOf(in[0]);
        add(m_name, in, std::make_unique<L2Norm>(channels, weights), channels);
        return Status::ok();
    }
    if (op == "background_maxout") {
        const auto in = inputs(1);
        const int64_t background = integer("background", 3);
        if (!m_error.empty())
            return fail(m_error);
        const int64_t channels = channelsOf(in[0]);
        if (background < 1 || background >= channels)
            return fail("background must be between 1 and the channel count minus one");
        add(m_name, in, std::make_unique<BackgroundMaxOut>(background), channels - background + 1);
        return Status::ok();
    }
    if (op == "add") {
        const auto in = inputs(2);
        const auto act = parseActivation(textOr("act", "none"));
        if (!m_error.empty())
            return fail(m_error);
        if (!act)
            return fail("unknown activation");
        if (channelsOf(in[0]) != channelsOf(in[1]))
            return fail("the two inputs have different channel counts");
        add(m_name, in, std::make_unique<Add>(*act), channelsOf(in[0]));
        return Status::ok();
    }
    if (op == "global_avgpool") {
        const auto in = inputs(1);
        if (!m_error.empty())
            return fail(m_error);
        add(m_name, in, std::make_unique<GlobalAveragePool>(), channelsOf(in[0]));
        return Status::ok();
    }
    if (op == "linear") {
        const auto in = inputs(1);
        const int64_t out = integer("out", 0, true);
        const std::string weights = text("weights", true);
        if (!m_error.empty())
            return fail(m_error);
        if (out <= 0)
            return fail("out must be positive");
        add(m_name, in, std::make_unique<Linear>(channelsOf(in[0]), out, weights), out);
        return Status::ok();
    }
    return fail("unknown op '" + op + "' (known: conv, conv_bn_act, inverted_residual, separable, rnnpool, l2norm, "
                "background_maxout, add, global_avgpool, linear, maxpool, avgpool, concat, batchnorm, crelu, basic_block, dense_block, "
                "transition, inception, mbconv, squeeze_excite, activation, mul, softmax, slice, resize, channel_shuffle)");
}

Status LayerReader::expand()
{
    if (!m_layer.is_object())
        return makeError("architecture '" + m_spec.name + "': every layer must be a JSON object");
    m_name = text("name", true);
    const std::string op = text("op", true);
    if (!m_error.empty())
        return fail(m_error);

    if (op == "conv")
        return expandConv(false);
    if (op == "conv_bn_act")
        return expandConv(true);
    if (op == "inverted_residual")
        return expandInvertedResidual();
    if (op == "rnnpool")
        return expandRnnPool();
    if (op == "maxpool" || op == "avgpool")
        return expandPool(op == "maxpool");
    if (op == "concat")
        return expandConcat();
    if (op == "batchnorm")
        return expandBatchNorm();
    if (op == "crelu")
        return expandCRelu();
    if (op == "separable")
        return expandSeparable();
    if (op == "basic_block")
        return expandBasicBlock();
    if (op == "dense_block")
        return expandDenseBlock();
    if (op == "transition")
        return expandTransition();
    if (op == "inception")
        return expandInception();
    if (op == "mbconv")
        return expandMbConv();
    if (op == "squeeze_excite")
        return expandSqueezeExcite();
    if (op == "activation" || op == "mul" || op == "softmax" || op == "slice" || op == "resize" || op == "channel_shuffle")
        return expandGraphOp(op);
    return expandSimple(op);
}

Status expandLayers(const ArchSpec& spec, std::vector<Node>& nodes)
{
    // Names and groups seen so far: a set, so that checking a spec of n
    // layers for repeated names costs n look-ups, not n² comparisons.
    std::unordered_set<std::string> names;
    for (const json& layer : spec.layers) {
        const std::string name = layer.is_object() && layer.contains("name") && layer["name"].is_string()
                                     ? layer["name"].get<std::string>()
                                     : std::string();
        if (!name.empty() && names.count(name))
            return makeError("architecture '" + spec.name + "', layer '" + name + "': the name is used twice");
        const size_t before = nodes.size();
        try {
            LayerReader reader(spec, layer, nodes);
            if (Status st = reader.expand(); !st)
                return st;
        } catch (const json::exception& e) {
            // The typed readers should leave nothing to catch; never let one escape the core.
            return makeError("architecture '" + spec.name + "', layer '" + name + "': " + e.what());
        }
        if (static_cast<int64_t>(nodes.size()) > limits::kMaxNodes)
            return makeError("architecture '" + spec.name + "', layer '" + name + "': the network has more than " +
                             std::to_string(limits::kMaxNodes) + " nodes (kMaxNodes in core/util/limits.h)");
        for (size_t i = before; i < nodes.size(); ++i) {
            if (nodes[i].outChannels > limits::kMaxChannels)
                return makeError("architecture '" + spec.name + "', layer '" + name + "': node '" + nodes[i].name + "' has " +
                                 std::to_string(nodes[i].outChannels) + " channels, beyond the limit of " +
                                 std::to_string(limits::kMaxChannels) + " (kMaxChannels in core/util/limits.h)");
            names.insert(nodes[i].name);
            names.insert(nodes[i].group);
        }
        names.insert(name);
    }
    return Status::ok();
}

} // namespace rnnpool
