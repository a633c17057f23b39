#include "onnx/onnx_import.h"

#include <array>
#include <cctype>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "onnx/onnx_constants.h"
#include "onnx/onnx_reader.h"
#include "onnx/onnx_rewrite.h"
#include "util/checked.h"
#include "util/limits.h"

namespace rnnpool {

using nlohmann::json;

namespace {

const char* kSupported =
    "Conv, Pad (zeros, before a Conv), BatchNormalization, Relu, Clip, LeakyRelu, Sigmoid, Tanh, Elu, HardSigmoid, HardSwish, Mul, Add, Concat, "
    "MaxPool, AveragePool, GlobalAveragePool, ReduceMean, Gemm, MatMul, Flatten, Reshape, Squeeze, Unsqueeze, Transpose "
    "(channel shuffle), Softmax, Identity, Dropout, Constant, Resize, Upsample, Slice, Split, and constant shape arithmetic";

// What a value of the graph is while translating: the output of a layer of
// the spec (or the network input), or a constant.
struct Value {
    bool constant = false;
    OnnxConstant c;
    std::string layer;   // "input" for the network input
    int layerIndex = -1; // into the layers list; -1 for the input
    Shape shape;         // the ONNX shape, batch first
    // A channel shuffle in progress: Reshape to [N, g, C/g, H, W], then Transpose.
    int64_t shuffleGroups = 0;
    bool shuffleTransposed = false;
    // A zero Pad of the spatial axes not yet applied: the Conv that reads it
    // takes it into its own padding. {top, left, bottom, right}.
    std::array<int64_t, 4> pendingPad{0, 0, 0, 0};
    bool padded() const { return pendingPad != std::array<int64_t, 4>{0, 0, 0, 0}; }
};

float realAt(const OnnxConstant& c, int64_t i)
{
    return c.isInteger ? static_cast<float>(c.ints[i]) : c.values.data()[i];
}

// A readable layer name from an exporter's node name. PyTorch's scopes name
// each module relative to its parent ("/features/features.2/conv/conv.0/Conv");
// joined, they give the module's state-dict path ("features.2.conv.0").
// Names without scopes ("Conv_12") stay as they are.
std::string readableName(const OnnxNode& node)
{
    std::vector<std::string> parts;
    std::string part;
    for (char ch : node.name + "/") {
        if (ch == '/') {
            if (!part.empty())
                parts.push_back(part);
            part.clear();
        } else {
            part += ch;
        }
    }
    if (parts.size() > 1) {
        const std::string& last = parts.back();
        if (last.rfind(node.opType, 0) == 0 || last == "Mul" || last == "Sigmoid")
            parts.pop_back();
    }
    if (parts.empty())
        return node.opType;
    std::vector<std::string> path{parts.front()};
    for (size_t i = 1; i < parts.size(); ++i) {
        const std::string& previous = path.back();
        if (parts[i].size() > previous.size() && parts[i].compare(0, previous.size(), previous) == 0 && parts[i][previous.size()] == '.')
            path.back() = parts[i];
        else
            path.push_back(parts[i]);
    }
    std::string name;
    for (const std::string& p : path)
        name += (name.empty() ? "" : ".") + p;
    if (name.size() > 160)
        name = name.substr(name.size() - 160);
    return name;
}

class Translator {
public:
    explicit Translator(const OnnxGraph& g) : m_g(g) {}

    Expected<OnnxImport> run()
    {
        for (const OnnxNode& n : m_g.nodes)
            for (const std::string& in : n.inputs)
                ++m_readers[in];
        for (const OnnxValueInfo& out : m_g.outputs) {
            ++m_readers[out.name];
            m_graphOutputs.insert(out.name);
        }
        if (Status st = input(); !st)
            return Error{st.error()};
        for (const OnnxNode& node : m_g.nodes) {
            Status st = translate(node);
            // Every map a node makes stays within the engine's bounds, so that
            // no later node's arithmetic on its shape can overflow.
            for (size_t i = 0; st && i < node.outputs.size(); ++i)
                if (auto it = m_values.find(node.outputs[i]); it != m_values.end() && !it->second.constant &&
                                                              !boundedExtent(it->second.shape, limits::kMaxActivationBytes))
                    st = makeError("output '" + node.outputs[i] + "' would have shape " + shapeToString(it->second.shape) +
                                   ", beyond the engine's limits (core/util/limits.h)");
            if (!st)
                return makeError("ONNX model '" + m_g.file + "', node '" + node.name + "' (" + node.opType + "): " + st.error());
        }
        return finish();
    }

private:
    // ---- values ----------------------------------------------------------
    Expected<const Value*> value(const std::string& name)
    {
        auto it = m_values.find(name);
        if (it != m_values.end())
            return &it->second;
        auto c = m_g.constants.find(name);
        if (c != m_g.constants.end()) {
            Value v;
            v.constant = true;
            v.c = c->second;
            v.shape = c->second.shape;
            return &(m_values[name] = std::move(v));
        }
        return makeError("reads '" + name + "', which is not available");
    }
    Expected<const Value*> activation(const OnnxNode& n, size_t i, bool allowPad = false)
    {
        if (i >= n.inputs.size() || n.inputs[i].empty())
            return makeError("input " + std::to_string(i) + " is missing");
        auto v = value(n.inputs[i]);
        if (!v)
            return v;
        if ((*v)->constant)
            return makeError("input '" + n.inputs[i] + "' is a constant where this importer needs a computed tensor");
        if ((*v)->shuffleGroups)
            return makeError("input '" + n.inputs[i] + "' is a 5-D reshape that is not part of a channel shuffle");
        if ((*v)->padded() && !allowPad)
            return makeError("input '" + n.inputs[i] + "' is zero-padded by a Pad node; only a Conv may read a padded tensor");
        return v;
    }
    Expected<const OnnxConstant*> constant(const OnnxNode& n, size_t i)
    {
        if (i >= n.inputs.size() || n.inputs[i].empty())
            return makeError("input " + std::to_string(i) + " is missing");
        auto v = value(n.inputs[i]);
        if (!v)
            return Error{v.error()};
        if (!(*v)->constant)
            return makeError("input '" + n.inputs[i] + "' must be a constant (weights or a fixed shape), but it is computed");
        return &(*v)->c;
    }
    // Inputs first..first+3, all constants (BatchNormalization's and squeeze-excite's parameters).
    Expected<std::array<const OnnxConstant*, 4>> fourConstants(const OnnxNode& n, size_t first)
    {
        std::array<const OnnxConstant*, 4> p{};
        for (size_t i = 0; i < 4; ++i) {
            auto c = constant(n, first + i);
            if (!c)
                return Error{c.error()};
            p[i] = *c;
        }
        return p;
    }
    const OnnxConstant* optionalConstant(const OnnxNode& n, size_t i)
    {
        if (i >= n.inputs.size() || n.inputs[i].empty())
            return nullptr;
        auto v = value(n.inputs[i]);
        return v && (*v)->constant ? &(*v)->c : nullptr;
    }
    void alias(const std::string& out, const Value& from, Shape shape)
    {
        Value v = from;
        v.shape = std::move(shape);
        m_values[out] = std::move(v);
    }
    // Whether `name`'s layer can take a fused successor: it is read only by the
    // node at hand and is not a graph output.
    bool fusable(const std::string& name, const Value& v) const
    {
        auto r = m_readers.find(name);
        return v.layerIndex >= 0 && r != m_readers.end() && r->second == 1 && !m_graphOutputs.count(name);
    }
    json& layerOf(const Value& v) { return m_layers[static_cast<size_t>(v.layerIndex)]; }

    // ---- layers ----------------------------------------------------------
    std::string uniqueName(const OnnxNode& node)
    {
        std::string base = readableName(node);
        std::string name = base;
        for (int k = 2; m_names.count(name) || name == "input"; ++k)
            name = base + "#" + std::to_string(k);
        m_names.insert(name);
        return name;
    }
    // Adds a layer reading `inputs` and makes `out` its output.
    void addLayer(const OnnxNode& node, json layer, const std::vector<const Value*>& inputs, const std::string& out, Shape shape,
                  const std::string& name)
    {
        layer["name"] = name;
        if (inputs.size() == 1)
            layer["input"] = inputs[0]->layer;
        else {
            json list = json::array();
            for (const Value* v : inputs)
                list.push_back(v->layer);
            layer["input"] = list;
        }
        m_layers.push_back(std::move(layer));
        Value v;
        v.layer = name;
        v.layerIndex = static_cast<int>(m_layers.size()) - 1;
        v.shape = std::move(shape);
        m_values[out] = std::move(v);
        (void)node;
    }
    void addWeight(const std::string& key, Tensor t)
    {
        StoredTensor s;
        s.dtype = "F32";
        s.values = std::move(t);
        m_checkpoint.tensors[key] = std::move(s);
    }

    Status input()
    {
        const OnnxValueInfo& in = m_g.inputs.front();
        if (m_g.inputs.size() > 1)
            return makeError("ONNX model '" + m_g.file + "': the graph has " + std::to_string(m_g.inputs.size()) +
                             " inputs ('" + in.name + "', '" + m_g.inputs[1].name + "', ...); this importer runs graphs of one picture input");
        if (in.elementType != 0 && in.elementType != 1)
            return makeError("ONNX model '" + m_g.file + "': input '" + in.name + "' has element type " + std::to_string(in.elementType) +
                             "; only float32 inputs are supported");
        if (in.shape.size() != 4)
            return makeError("ONNX model '" + m_g.file + "': input '" + in.name + "' has shape " + shapeToString(in.shape) +
                             "; this importer needs a picture tensor [N, C, H, W]");
        if (in.shape[0] > 1)
            return makeError("ONNX model '" + m_g.file + "': input '" + in.name + "' has batch " + std::to_string(in.shape[0]) +
                             "; export with batch 1 (or a symbolic batch)");
        if (in.shape[1] <= 0)
            return makeError("ONNX model '" + m_g.file + "': input '" + in.name + "' has no fixed channel count");
        if (in.shape[1] > limits::kMaxChannels || in.shape[2] > limits::kMaxInputSide || in.shape[3] > limits::kMaxInputSide)
            return makeError("ONNX model '" + m_g.file + "': input '" + in.name + "' has shape " + shapeToString(in.shape) +
                             ", beyond the limits of " + std::to_string(limits::kMaxChannels) + " channels and " +
                             std::to_string(limits::kMaxInputSide) + " pixels a side (core/util/limits.h)");
        Shape shape{1, in.shape[1], in.shape[2], in.shape[3]};
        for (int d = 2; d < 4; ++d)
            if (shape[d] <= 0) {
                shape[d] = 224;
                m_symbolic = true;
            }
        if (m_symbolic)
            m_notes.push_back("input '" + in.name + "' has a symbolic height or width; planned at 224 by default");
        Value v;
        v.layer = "input";
        v.shape = shape;
        m_values[in.name] = v;
        m_input = shape;
        return Status::ok();
    }

    Status translate(const OnnxNode& n)
    {
        const std::string& op = n.opType;
        // Nodes whose inputs are all constants are folded here and now.
        bool allConstant = !n.inputs.empty() || op == "Constant";
        for (const std::string& in : n.inputs) {
            if (in.empty())
                continue;
            auto v = value(in);
            if (!v)
                return Error{v.error()};
            allConstant = allConstant && (*v)->constant;
        }
        if (op == "Shape" && !n.inputs.empty()) {
            auto v = value(n.inputs[0]);
            if (v && !(*v)->constant) {
                if (m_symbolic)
                    m_notes.push_back("node '" + n.name + "' reads the shape of a tensor whose size was assumed (224)");
                Shape s = (*v)->shape;
                const int64_t rank = static_cast<int64_t>(s.size());
                int64_t start = n.intOr("start", 0), end = n.intOr("end", rank);
                if (start < 0) start += rank;
                if (end < 0) end += rank;
                start = std::clamp<int64_t>(start, 0, rank);
                end = std::clamp<int64_t>(end, start, rank);
                Value c;
                c.constant = true;
                c.c = intConstant({end - start}, Shape(s.begin() + start, s.begin() + end));
                c.shape = c.c.shape;
                m_values[n.outputs.at(0)] = std::move(c);
                return Status::ok();
            }
        }
        if (allConstant && n.domain.empty()) {
            if (!canFoldConstant(n))
                return makeError("computes on constants with an op this importer does not fold (supported: " + std::string(kSupported) + ")");
            std::vector<const OnnxConstant*> ins;
            for (const std::string& in : n.inputs)
                ins.push_back(in.empty() ? nullptr : &(*value(in))->c);
            auto outs = foldConstantNode(n, ins);
            if (!outs)
                return Error{outs.error()};
            for (size_t i = 0; i < outs->size() && i < n.outputs.size(); ++i) {
                Value c;
                c.constant = true;
                c.c = std::move((*outs)[i]);
                c.shape = c.c.shape;
                m_values[n.outputs[i]] = std::move(c);
            }
            return Status::ok();
        }
        if (!n.domain.empty() && n.domain != "rnnpool")
            return makeError("the op is from domain '" + n.domain + "', which this importer does not support");
        if (op == "Conv") return conv(n);
        if (op == "Pad") return pad(n);
        if (op == "BatchNormalization") return batchNorm(n);
        if (op == "Relu" || op == "Clip" || op == "LeakyRelu" || op == "Sigmoid" || op == "Tanh" || op == "Elu" ||
            op == "HardSigmoid" || op == "HardSwish" || op == "Swish")
            return activationOp(n);
        if (op == "Add" || op == "Mul") return binary(n);
        if (op == "Concat") return concat(n);
        if (op == "MaxPool" || op == "AveragePool") return pool(n);
        if (op == "GlobalAveragePool" || op == "ReduceMean") return globalPool(n);
        if (op == "Gemm" || op == "MatMul") return linear(n);
        if (op == "Flatten" || op == "Reshape" || op == "Squeeze" || op == "Unsqueeze" || op == "Identity" || op == "Dropout")
            return reshape(n);
        if (op == "Transpose") return transpose(n);
        if (op == "Softmax") return softmax(n);
        if (op == "SqueezeExcite") return squeezeExcite(n);
        if (op == "Resize" || op == "Upsample") return resize(n);
        if (op == "Slice") return slice(n);
        if (op == "Split") return split(n);
        return makeError("op type '" + op + "' is not supported (supported: " + std::string(kSupported) + ")");
    }

    // ---- ops -------------------------------------------------------------
    Status pad(const OnnxNode& n)
    {
        auto x = activation(n, 0);
        if (!x)
            return Error{x.error()};
        if (n.stringOr("mode", "constant") != "constant")
            return makeError("mode '" + n.stringOr("mode", "") + "' is not supported (only constant zero padding)");
        std::vector<int64_t> pads = n.intsOr("pads", {});
        float fill = n.floatOr("value", 0.0f);
        if (const OnnxConstant* c = optionalConstant(n, 1))
            pads = c->ints;
        if (const OnnxConstant* c = optionalConstant(n, 2); c && c->numel() > 0)
            fill = realAt(*c, 0);
        if (n.inputs.size() > 3 && !n.inputs[3].empty())
            return makeError("Pad with an axes input is not supported");
        const Shape& xs = (*x)->shape;
        if (pads.size() != 2 * xs.size())
            return makeError("needs " + std::to_string(2 * xs.size()) + " pads for a rank-" + std::to_string(xs.size()) + " tensor");
        const bool zero = std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; });
        if (zero) {
            alias(n.outputs.at(0), **x, xs);
            return Status::ok();
        }
        const size_t r = xs.size();
        if (r != 4 || fill != 0.0f || pads[0] || pads[1] || pads[r] || pads[r + 1] ||
            std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p < 0 || p > limits::kMaxKernel; }))
            return makeError("only zero padding of the spatial axes, at most " + std::to_string(limits::kMaxKernel) + " a side, is supported");
        Value v = **x;
        v.pendingPad = {pads[2], pads[3], pads[r + 2], pads[r + 3]};
        v.shape = {xs[0], xs[1], xs[2] + pads[2] + pads[r + 2], xs[3] + pads[3] + pads[r + 3]};
        m_values[n.outputs.at(0)] = v;
        return Status::ok();
    }

    Status conv(const OnnxNode& n)
    {
        auto x = activation(n, 0, true);
        if (!x)
            return Error{x.error()};
        auto w = constant(n, 1);
        if (!w)
            return Error{w.error()};
        const OnnxConstant* b = optionalConstant(n, 2);
        if (n.inputs.size() > 2 && !n.inputs[2].empty() && !b)
            return makeError("the bias must be a constant");
        Shape xs = (*x)->shape; // the tensor before any pending Pad
        if (xs.size() == 4) {
            xs[2] -= (*x)->pendingPad[0] + (*x)->pendingPad[2];
            xs[3] -= (*x)->pendingPad[1] + (*x)->pendingPad[3];
        }
        const Shape& ws = (*w)->shape;
        if (xs.size() != 4 || ws.size() != 4 || (*w)->isInteger)
            return makeError("only 2-D convolutions of float weights are supported (input " + shapeToString(xs) + ", weight " +
                             shapeToString(ws) + ")");
        const int64_t group = n.intOr("group", 1);
        const int64_t out = ws[0], kh = ws[2], kw = ws[3];
        if (group <= 0 || ws[1] * group != xs[1])
            return makeError("weight " + shapeToString(ws) + " and group " + std::to_string(group) + " do not fit the input's " +
                             std::to_string(xs[1]) + " channels");
        if (b && b->numel() != out)
            return makeError("bias of " + std::to_string(b->numel()) + " values for " + std::to_string(out) + " outputs");
        const auto strides = n.intsOr("strides", {1, 1}), dil = n.intsOr("dilations", {1, 1});
        auto pads = n.intsOr("pads", {0, 0, 0, 0});
        if (strides.size() != 2 || dil.size() != 2 || pads.size() != 4)
            return makeError("strides, dilations and pads must be for two spatial axes");
        const std::string autoPad = n.stringOr("auto_pad", "NOTSET");
        if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
            for (int a = 0; a < 2; ++a) {
                const int64_t in = xs[2 + a], k = a ? kw : kh, s = strides[a], d = dil[a];
                const int64_t outSize = (in + s - 1) / s;
                const int64_t total = std::max<int64_t>(0, (outSize - 1) * s + (k - 1) * d + 1 - in);
                const int64_t small = total / 2, large = total - small;
                pads[a] = autoPad == "SAME_UPPER" ? small : large;
                pads[2 + a] = autoPad == "SAME_UPPER" ? large : small;
            }
        } else if (autoPad == "VALID") {
            pads = {0, 0, 0, 0};
        } else if (autoPad != "NOTSET") {
            return makeError("auto_pad '" + autoPad + "' is not an ONNX value");
        }
        if ((*x)->padded()) {
            if (autoPad != "NOTSET" && autoPad != "VALID")
                return makeError("reads a padded tensor and pads itself with auto_pad");
            for (int a = 0; a < 4; ++a)
                pads[a] += (*x)->pendingPad[a];
        }
        for (int64_t v : {strides[0], strides[1], dil[0], dil[1]})
            if (v <= 0)
                return makeError("strides and dilations must be positive");
        const std::string name = uniqueName(n);
        json layer{{"op", "conv"}, {"out", out}, {"kernel", {kh, kw}}, {"stride", {strides[0], strides[1]}},
                   {"pad", {pads[0], pads[1]}}, {"groups", group}, {"weights", name}, {"bias", b != nullptr}};
        if (pads[2] != pads[0] || pads[3] != pads[1])
            layer["pad_end"] = {pads[2], pads[3]};
        if (dil[0] != 1 || dil[1] != 1)
            layer["dilation"] = {dil[0], dil[1]};
        addWeight(name + ".weight", (*w)->values);
        if (b)
            addWeight(name + ".bias", Tensor({out}, std::vector<float>(b->values.data(), b->values.data() + out)));
        const auto size = [&](int a) {
            const int64_t k = a ? kw : kh;
            return (xs[2 + a] + pads[a] + pads[2 + a] - dil[a] * (k - 1) - 1) / strides[a] + 1;
        };
        const Shape shape{1, out, size(0), size(1)};
        if (shape[2] <= 0 || shape[3] <= 0)
            return makeError("the output would be empty for input " + shapeToString(xs));
        addLayer(n, std::move(layer), {*x}, n.outputs.at(0), shape, name);
        return Status::ok();
    }

    Status batchNorm(const OnnxNode& n)
    {
        auto x = activation(n, 0);
        if (!x)
            return Error{x.error()};
        auto params = fourConstants(n, 1);
        if (!params)
            return Error{params.error()};
        const std::array<const OnnxConstant*, 4>& p = *params;
        if (n.outputs.size() > 1 && std::any_of(n.outputs.begin() + 1, n.outputs.end(), [&](const std::string& o) { return !o.empty() && m_readers.count(o); }))
            return makeError("training-mode outputs (running mean and variance) are read; export the model in eval mode");
        const int64_t channels = (*x)->shape.size() >= 2 ? (*x)->shape[1] : 0;
        for (const OnnxConstant* c : p)
            if (c->numel() != channels || c->isInteger)
                return makeError("its parameters must hold " + std::to_string(channels) + " float values each");
        const float eps = n.floatOr("epsilon", 1e-5f);
        const auto put = [&](const std::string& prefix) {
            const char* names[4] = {".weight", ".bias", ".running_mean", ".running_var"};
            for (size_t i = 0; i < 4; ++i)
                addWeight(prefix + names[i], Tensor({channels}, std::vector<float>(p[i]->values.data(), p[i]->values.data() + channels)));
        };
        // Folded into the convolution before it, when nothing else reads the convolution's output.
        const Value& in = **x;
        if (fusable(n.inputs[0], in) && layerOf(in)["op"] == "conv" && !layerOf(in).contains("bn") &&
            (!layerOf(in).contains("act") || layerOf(in)["act"] == "none")) {
            json& conv = layerOf(in);
            const std::string prefix = conv["weights"].get<std::string>() + ".bn";
            conv["bn"] = prefix;
            if (eps != 1e-5f)
                conv["bn_eps"] = eps;
            put(prefix);
            alias(n.outputs[0], in, in.shape);
            return Status::ok();
        }
        const std::string name = uniqueName(n);
        json layer{{"op", "batchnorm"}, {"weights", name}};
        if (eps != 1e-5f)
            layer["eps"] = eps;
        put(name);
        addLayer(n, std::move(layer), {*x}, n.outputs.at(0), in.shape, name);
        return Status::ok();
    }

    // The activation an op computes, in the spec's names; empty when it needs the general op.
    Expected<json> activationOf(const OnnxNode& n)
    {
        const std::string& op = n.opType;
        if (op == "Relu") return json{{"fn", "relu"}};
        if (op == "Sigmoid") return json{{"fn", "sigmoid"}};
        if (op == "Tanh") return json{{"fn", "tanh"}};
        if (op == "Swish") return json{{"fn", "swish"}};
        if (op == "HardSwish") return json{{"fn", "hswish"}};
        if (op == "Elu") return json{{"fn", "elu"}, {"alpha", n.floatOr("alpha", 1.0f)}};
        if (op == "LeakyRelu") return json{{"fn", "leakyrelu"}, {"alpha", n.floatOr("alpha", 0.01f)}};
        if (op == "HardSigmoid") {
            const float alpha = n.floatOr("alpha", 0.2f), beta = n.floatOr("beta", 0.5f);
            if (std::fabs(alpha - 1.0f / 6.0f) < 1e-6f && std::fabs(beta - 0.5f) < 1e-6f)
                return json{{"fn", "hsigmoid"}};
            return json{{"fn", "hsigmoid"}, {"alpha", alpha}, {"beta", beta}};
        }
        if (op == "Clip") {
            // Opset 11+: min and max are optional inputs; before, attributes.
            std::optional<float> lo, hi;
            if (const OnnxAttribute* a = n.attribute("min")) lo = a->f;
            if (const OnnxAttribute* a = n.attribute("max")) hi = a->f;
            for (size_t i = 1; i < 3 && i < n.inputs.size(); ++i) {
                if (n.inputs[i].empty())
                    continue;
                auto c = constant(n, i);
                if (!c)
                    return Error{c.error()};
                if ((*c)->numel() != 1)
                    return makeError("its bounds must be scalars");
                (i == 1 ? lo : hi) = realAt(**c, 0);
            }
            if (lo && *lo == 0.0f && hi && *hi == 6.0f)
                return json{{"fn", "relu6"}};
            if (lo && *lo == 0.0f && !hi)
                return json{{"fn", "relu"}};
            json j{{"fn", "clip"}};
            if (lo) j["min"] = *lo;
            if (hi) j["max"] = *hi;
            return j;
        }
        return makeError("not an activation");
    }

    Status activationOp(const OnnxNode& n)
    {
        auto x = activation(n, 0);
        if (!x)
            return Error{x.error()};
        auto act = activationOf(n);
        if (!act)
            return Error{act.error()};
        const Value& in = **x;
        // Fused into the layer before when that layer has a fused activation slot and nothing else reads it.
        static const std::set<std::string> fusedNames{"relu", "relu6", "sigmoid", "swish", "hsigmoid", "hswish"};
        const std::string fn = (*act)["fn"];
        if (act->size() == 1 && fusedNames.count(fn) && fusable(n.inputs[0], in)) {
            json& layer = layerOf(in);
            const std::string kind = layer["op"];
            const bool free = !layer.contains("act") || layer["act"] == "none";
            if (free && (kind == "conv" || kind == "batchnorm" || (kind == "add" && fn == "relu"))) {
                layer["act"] = fn;
                alias(n.outputs.at(0), in, in.shape);
                return Status::ok();
            }
        }
        const std::string name = uniqueName(n);
        json layer = *act;
        layer["op"] = "activation";
        addLayer(n, std::move(layer), {*x}, n.outputs.at(0), in.shape, name);
        return Status::ok();
    }

    Status binary(const OnnxNode& n)
    {
        if (n.inputs.size() != 2)
            return makeError("needs two inputs");
        auto a = value(n.inputs[0]);
        auto b = value(n.inputs[1]);
        if (!a || !b)
            return Error{(!a ? a : b).error()};
        const Value* va = *a;
        const Value* vb = *b;
        if (va->constant != vb->constant) {
            // A bias added to a linear or 1x1 conv layer (MatMul + Add) folds into its bias.
            const Value* act = va->constant ? vb : va;
            const Value* cst = va->constant ? va : vb;
            const std::string& actName = va->constant ? n.inputs[1] : n.inputs[0];
            if (n.opType == "Add" && fusable(actName, *act) && layerOf(*act)["op"] == "linear") {
                json& layer = layerOf(*act);
                const std::string key = layer["weights"].get<std::string>() + ".bias";
                Tensor& bias = m_checkpoint.tensors.at(key).values;
                if (cst->c.numel() == bias.numel()) {
                    for (int64_t i = 0; i < bias.numel(); ++i)
                        bias.data()[i] += realAt(cst->c, i);
                    alias(n.outputs.at(0), *act, act->shape);
                    return Status::ok();
                }
            }
            return makeError("an " + n.opType + " of a computed tensor and a constant is not supported (only a bias after MatMul)");
        }
        if (va->shuffleGroups || vb->shuffleGroups)
            return makeError("reads a 5-D reshape that is not part of a channel shuffle");
        if (n.opType == "Add") {
            if (va->shape != vb->shape)
                return makeError("adds tensors of shapes " + shapeToString(va->shape) + " and " + shapeToString(vb->shape) +
                                 "; only equal shapes are supported");
            const std::string name = uniqueName(n);
            addLayer(n, json{{"op", "add"}}, {va, vb}, n.outputs.at(0), va->shape, name);
            return Status::ok();
        }
        // Mul: equal shapes, or one side per-channel [1, C, 1, 1] or a scalar.
        const auto perChannel = [](const Shape& s, const Shape& full) {
            return s.size() == full.size() && s.size() == 4 && s[1] == full[1] && s[2] == 1 && s[3] == 1;
        };
        Shape out = va->shape;
        if (va->shape != vb->shape) {
            if (perChannel(vb->shape, va->shape) || shapeNumel(vb->shape) == 1)
                out = va->shape;
            else if (perChannel(va->shape, vb->shape) || shapeNumel(va->shape) == 1)
                out = vb->shape;
            else
                return makeError("multiplies tensors of shapes " + shapeToString(va->shape) + " and " + shapeToString(vb->shape) +
                                 "; supported: equal shapes, one per-channel [1, C, 1, 1], or one scalar");
        }
        const std::string name = uniqueName(n);
        addLayer(n, json{{"op", "mul"}}, {va, vb}, n.outputs.at(0), out, name);
        return Status::ok();
    }

    Status concat(const OnnxNode& n)
    {
        std::vector<const Value*> ins;
        for (size_t i = 0; i < n.inputs.size(); ++i) {
            auto v = activation(n, i);
            if (!v)
                return Error{v.error()};
            ins.push_back(*v);
        }
        if (ins.empty())
            return makeError("has no inputs");
        const Shape& first = ins[0]->shape;
        const int64_t rank = static_cast<int64_t>(first.size());
        int64_t axis = n.intOr("axis", 1);
        if (axis < 0)
            axis += rank;
        if (axis != 1)
            return makeError("concatenates along axis " + std::to_string(axis) + "; only the channel axis (1) is supported");
        Shape out = first;
        out[1] = 0;
        for (const Value* v : ins) {
            Shape s = v->shape;
            if (s.size() != first.size())
                return makeError("concatenates tensors of different ranks");
            out[1] += s[1];
            s[1] = first[1];
            if (s != first)
                return makeError("concatenates " + shapeToString(first) + " and " + shapeToString(v->shape) + ", which differ beyond the channels");
        }
        if (ins.size() == 1) {
            alias(n.outputs.at(0), *ins[0], ins[0]->shape);
            return Status::ok();
        }
        const std::string name = uniqueName(n);
        addLayer(n, json{{"op", "concat"}}, ins, n.outputs.at(0), out, name);
        return Status::ok();
    }

    Status pool(const OnnxNode& n)
    {
        auto x = activation(n, 0);
        if (!x)
            return Error{x.error()};
        if (n.outputs.size() > 1 && !n.outputs[1].empty() && m_readers.count(n.outputs[1]))
            return makeError("its indices output is read; only the pooled values are supported");
        const Shape& xs = (*x)->shape;
        const auto k = n.intsOr("kernel_shape", {});
        const auto s = n.intsOr("strides", {1, 1});
        auto pads = n.intsOr("pads", {0, 0, 0, 0});
        const auto dil = n.intsOr("dilations", {1, 1});
        const std::string autoPad = n.stringOr("auto_pad", "NOTSET");
        if (xs.size() != 4 || k.size() != 2 || s.size() != 2 || pads.size() != 4)
            return makeError("only 2-D pooling is supported");
        if (autoPad == "VALID")
            pads = {0, 0, 0, 0};
        else if (autoPad != "NOTSET")
            return makeError("auto_pad '" + autoPad + "' is not supported for pooling");
        if (k[0] != k[1] || s[0] != s[1] || pads[0] != pads[1] || pads[0] != pads[2] || pads[0] != pads[3] || dil[0] != 1 || dil[1] != 1)
            return makeError("kernel " + std::to_string(k[0]) + "x" + std::to_string(k[1]) + ", strides and pads must be square and symmetric, without dilation");
        if (n.intOr("storage_order", 0) != 0)
            return makeError("column-major storage_order is not supported");
        const bool isMax = n.opType == "MaxPool";
        const bool ceil = n.intOr("ceil_mode", 0) != 0;
        json layer{{"op", isMax ? "maxpool" : "avgpool"}, {"kernel", k[0]}, {"stride", s[0]}, {"pad", pads[0]}, {"ceil_mode", ceil}};
        if (!isMax)
            layer["count_include_pad"] = n.intOr("count_include_pad", 0) != 0;
        const auto size = [&](int64_t in) {
            const int64_t span = in + 2 * pads[0] - k[0];
            int64_t out = (ceil ? (span + s[0] - 1) / s[0] : span / s[0]) + 1;
            if (ceil && (out - 1) * s[0] >= in + pads[0])
                --out;
            return out;
        };
        const Shape shape{1, xs[1], size(xs[2]), size(xs[3])};
        if (shape[2] <= 0 || shape[3] <= 0)
            return makeError("the output would be empty for input " + shapeToString(xs));
        const std::string name = uniqueName(n);
        addLayer(n, std::move(layer), {*x}, n.outputs.at(0), shape, name);
        return Status::ok();
    }

    Status globalPool(const OnnxNode& n)
    {
        auto x = activation(n, 0);
        if (!x)
            return Error{x.error()};
        const Shape& xs = (*x)->shape;
        bool keep = true;
        if (n.opType == "ReduceMean") {
            std::vector<int64_t> axes = n.intsOr("axes", {});
            if (const OnnxConstant* c = optionalConstant(n, 1))
                axes = c->ints;
            for (int64_t& a : axes)
                if (a < 0)
                    a += static_cast<int64_t>(xs.size());
            std::sort(axes.begin(), axes.end());
            if (xs.size() != 4 || axes != std::vector<int64_t>{2, 3})
                return makeError("ReduceMean is supported over the spatial axes (2, 3) of a 4-D tensor only");
            keep = n.intOr("keepdims", 1) != 0;
        }
        if (xs.size() != 4)
            return makeError("needs a 4-D input");
        const std::string name = uniqueName(n);
        const Shape shape = keep ? Shape{1, xs[1], 1, 1} : Shape{1, xs[1]};
        addLayer(n, json{{"op", "global_avgpool"}}, {*x}, n.outputs.at(0), shape, name);
        return Status::ok();
    }

    Status linear(const OnnxNode& n)
    {
        auto x = activation(n, 0);
        if (!x)
            return Error{x.error()};
        auto w = constant(n, 1);
        if (!w)
            return Error{w.error()};
        const Shape& xs = (*x)->shape;
        const int64_t features = shapeNumel(xs);
        if (xs.empty() || xs[0] != 1 || (xs.size() != 2 && !(xs.size() == 4 && xs[2] == 1 && xs[3] == 1)))
            return makeError("input of shape " + shapeToString(xs) + "; a fully connected layer is supported on [1, K] (flattened) inputs");
        const OnnxConstant& wc = **w;
        if (wc.shape.size() != 2 || wc.isInteger)
            return makeError("the weight must be a 2-D float constant, not " + shapeToString(wc.shape));
        bool transB = n.opType == "Gemm" && n.intOr("transB", 0) != 0;
        if (n.opType == "Gemm" && n.intOr("transA", 0) != 0)
            return makeError("transA is not supported");
        const int64_t out = transB ? wc.shape[0] : wc.shape[1];
        const int64_t in = transB ? wc.shape[1] : wc.shape[0];
        if (in != features)
            return makeError("weight " + shapeToString(wc.shape) + " does not fit " + std::to_string(features) + " input features");
        const float alpha = n.opType == "Gemm" ? n.floatOr("alpha", 1.0f) : 1.0f;
        const float beta = n.opType == "Gemm" ? n.floatOr("beta", 1.0f) : 1.0f;
        std::vector<float> weight(static_cast<size_t>(out * in));
        for (int64_t o = 0; o < out; ++o)
            for (int64_t i = 0; i < in; ++i)
                weight[o * in + i] = alpha * (transB ? wc.values.data()[o * in + i] : wc.values.data()[i * out + o]);
        std::vector<float> bias(static_cast<size_t>(out), 0.0f);
        if (n.opType == "Gemm" && n.inputs.size() > 2 && !n.inputs[2].empty()) {
            auto c = constant(n, 2);
            if (!c)
                return Error{c.error()};
            const int64_t count = (*c)->numel();
            if (count != out && count != 1)
                return makeError("bias of " + std::to_string(count) + " values for " + std::to_string(out) + " outputs");
            for (int64_t o = 0; o < out; ++o)
                bias[o] = beta * realAt(**c, count == 1 ? 0 : o);
        } else {
            m_notes.push_back("layer for node '" + n.name + "' has no bias in the file; a zero bias is stored");
        }
        const std::string name = uniqueName(n);
        addWeight(name + ".weight", Tensor({out, in}, std::move(weight)));
        addWeight(name + ".bias", Tensor({out}, std::move(bias)));
        addLayer(n, json{{"op", "linear"}, {"out", out}, {"weights", name}}, {*x}, n.outputs.at(0), Shape{1, out}, name);
        return Status::ok();
    }

    Status reshape(const OnnxNode& n)
    {
        auto xv = value(n.inputs.empty() ? std::string() : n.inputs[0]);
        if (!xv)
            return Error{xv.error()};
        const Value& x = **xv;
        if (n.opType == "Dropout" && n.outputs.size() > 1 && !n.outputs[1].empty() && m_readers.count(n.outputs[1]))
            return makeError("its mask output is read; only inference-mode Dropout is supported");
        if (n.opType == "Identity" || n.opType == "Dropout") {
            alias(n.outputs.at(0), x, x.shape);
            return Status::ok();
        }
        const int64_t numel = shapeNumel(x.shape);
        Shape target;
        if (n.opType == "Flatten") {
            int64_t axis = n.intOr("axis", 1);
            if (axis < 0)
                axis += static_cast<int64_t>(x.shape.size());
            if (axis != 1)
                return makeError("Flatten along axis " + std::to_string(axis) + " is not supported (only 1)");
            target = {1, numel};
        } else if (n.opType == "Reshape") {
            auto s = constant(n, 1);
            if (!s)
                return Error{s.error()};
            OnnxConstant probe;
            probe.shape = x.shape;
            probe.isInteger = true;
            probe.ints.assign(static_cast<size_t>(numel), 0);
            auto r = foldConstantNode(n, {&probe, *s});
            if (!r)
                return Error{r.error()};
            target = (*r)[0].shape;
        } else {
            std::vector<int64_t> axes = n.intsOr("axes", {});
            if (const OnnxConstant* c = optionalConstant(n, 1))
                axes = c->ints;
            OnnxConstant probe;
            probe.shape = x.shape;
            probe.isInteger = true;
            probe.ints.assign(static_cast<size_t>(numel), 0);
            OnnxNode copy = n;
            OnnxAttribute a;
            a.kind = OnnxAttribute::Kind::Ints;
            a.ints = axes;
            copy.attributes["axes"] = a;
            copy.inputs.resize(1);
            auto r = foldConstantNode(copy, {&probe});
            if (!r)
                return Error{r.error()};
            target = (*r)[0].shape;
        }
        // Channel shuffle: [1, C, H, W] -> [1, g, C/g, H, W] -> transpose -> [1, C, H, W].
        if (x.shuffleGroups) {
            if (!x.shuffleTransposed || target != Shape{1, x.shape[1] * x.shape[2], x.shape[3], x.shape[4]})
                return makeError("a 5-D reshape that is not a channel shuffle");
            const Value& src = m_values.at(m_shuffleSource[n.inputs[0]]);
            const std::string name = uniqueName(n);
            addLayer(n, json{{"op", "channel_shuffle"}, {"groups", x.shape[2]}}, {&src}, n.outputs.at(0), src.shape, name);
            return Status::ok();
        }
        if (x.constant)
            return makeError("reshapes a constant in a way this importer does not fold");
        if (target.size() == 5 && x.shape.size() == 4 && target[0] == 1 && target[1] * target[2] == x.shape[1] &&
            target[3] == x.shape[2] && target[4] == x.shape[3]) {
            Value v = x;
            v.shape = target;
            v.shuffleGroups = target[1];
            m_values[n.outputs.at(0)] = v;
            m_shuffleSource[n.outputs.at(0)] = n.inputs[0];
            return Status::ok();
        }
        // Anything that keeps the CHW order of the elements is an alias: [1, C*H*W]
        // flattening, or adding and removing dims of size 1 (or the batch).
        const auto squeezed = [](const Shape& s) {
            Shape out;
            for (size_t i = 0; i < s.size(); ++i)
                if (s[i] != 1 || (i == 1))
                    out.push_back(s[i]);
            return out;
        };
        const bool flat = target.size() == 2 && target[0] == 1;
        const bool spatialKept = x.shape.size() == 4 && target.size() == 4 && target == x.shape;
        const bool onlyOnes = squeezed(target) == squeezed(x.shape) ||
                              (shapeNumel(x.shape) == x.shape[1] && shapeNumel(target) == x.shape[1]);
        if (!(flat || spatialKept || onlyOnes))
            return makeError("reshapes " + shapeToString(x.shape) + " to " + shapeToString(target) +
                             ", which reorders the channel-first layout; only flattening, size-1 dims and channel shuffles are supported");
        alias(n.outputs.at(0), x, target);
        return Status::ok();
    }

    Status transpose(const OnnxNode& n)
    {
        auto xv = value(n.inputs.empty() ? std::string() : n.inputs[0]);
        if (!xv)
            return Error{xv.error()};
        const Value& x = **xv;
        const auto perm = n.intsOr("perm", {});
        if (x.shuffleGroups && !x.shuffleTransposed && perm == std::vector<int64_t>{0, 2, 1, 3, 4}) {
            Value v = x;
            v.shape = {1, x.shape[2], x.shape[1], x.shape[3], x.shape[4]};
            v.shuffleTransposed = true;
            m_values[n.outputs.at(0)] = v;
            m_shuffleSource[n.outputs.at(0)] = m_shuffleSource[n.inputs[0]];
            return Status::ok();
        }
        return makeError("a Transpose with perm " + shapeToString(perm) + " of " + shapeToString(x.shape) +
                         " is supported only inside a channel shuffle (Reshape, Transpose [0,2,1,3,4], Reshape)");
    }

    Status softmax(const OnnxNode& n)
    {
        auto x = activation(n, 0);
        if (!x)
            return Error{x.error()};
        const Shape& xs = (*x)->shape;
        int64_t axis = n.intOr("axis", m_g.opset >= 13 ? -1 : 1);
        if (axis < 0)
            axis += static_cast<int64_t>(xs.size());
        const bool channels = (xs.size() == 2 && axis == 1) || (xs.size() == 4 && axis == 1 && (m_g.opset >= 13 || (xs[2] == 1 && xs[3] == 1))) ||
                              (xs.size() == 4 && xs[2] == 1 && xs[3] == 1 && axis >= 1 && m_g.opset < 13);
        if (!channels)
            return makeError("Softmax along axis " + std::to_string(axis) + " of " + shapeToString(xs) + " is not supported (only over channels)");
        const std::string name = uniqueName(n);
        addLayer(n, json{{"op", "softmax"}}, {*x}, n.outputs.at(0), xs, name);
        return Status::ok();
    }

    Status squeezeExcite(const OnnxNode& n)
    {
        auto x = activation(n, 0);
        if (!x)
            return Error{x.error()};
        auto params = fourConstants(n, 1);
        if (!params)
            return Error{params.error()};
        const std::array<const OnnxConstant*, 4>& p = *params;
        const int64_t channels = (*x)->shape[1], squeezed = p[0]->shape[0];
        if (p[0]->shape != Shape{squeezed, channels, 1, 1} || p[2]->shape != Shape{channels, squeezed, 1, 1} ||
            p[1]->numel() != squeezed || p[3]->numel() != channels)
            return makeError("squeeze-excite weights do not fit " + std::to_string(channels) + " channels");
        const std::string name = uniqueName(n);
        addWeight(name + ".fc1.weight", p[0]->values);
        addWeight(name + ".fc1.bias", Tensor({squeezed}, std::vector<float>(p[1]->values.data(), p[1]->values.data() + squeezed)));
        addWeight(name + ".fc2.weight", p[2]->values);
        addWeight(name + ".fc2.bias", Tensor({channels}, std::vector<float>(p[3]->values.data(), p[3]->values.data() + channels)));
        json layer{{"op", "squeeze_excite"}, {"squeezed", squeezed}, {"inner", n.stringOr("inner", "relu")},
                   {"gate", n.stringOr("gate", "sigmoid")}, {"weights", name}};
        addLayer(n, std::move(layer), {*x}, n.outputs.at(0), (*x)->shape, name);
        return Status::ok();
    }

    Status resize(const OnnxNode& n)
    {
        auto x = activation(n, 0);
        if (!x)
            return Error{x.error()};
        const Shape& xs = (*x)->shape;
        if (xs.size() != 4)
            return makeError("needs a 4-D input");
        const std::string mode = n.stringOr("mode", "nearest");
        // Scales: Upsample's input 1; Resize's input 2 (opset 11+) or 1 (opset 10); sizes: Resize's input 3.
        std::vector<double> scales;
        Shape sizes;
        if (n.opType == "Upsample" || (n.opType == "Resize" && m_g.opset < 11)) {
            if (const OnnxConstant* c = optionalConstant(n, 1))
                for (int64_t i = 0; i < c->numel(); ++i) scales.push_back(realAt(*c, i));
        } else {
            if (const OnnxConstant* c = optionalConstant(n, 2); c && c->numel() > 0)
                for (int64_t i = 0; i < c->numel(); ++i) scales.push_back(realAt(*c, i));
            if (const OnnxConstant* c = optionalConstant(n, 3); c && c->numel() > 0)
                sizes.assign(c->ints.begin(), c->ints.end());
        }
        int64_t sh = 0, sw = 0;
        if (scales.size() == 4) {
            if (scales[0] != 1.0 || scales[1] != 1.0)
                return makeError("scales the batch or channel axes");
            sh = std::llround(scales[2]);
            sw = std::llround(scales[3]);
            if (std::fabs(scales[2] - static_cast<double>(sh)) > 1e-6 || std::fabs(scales[3] - static_cast<double>(sw)) > 1e-6)
                return makeError("scale factors " + std::to_string(scales[2]) + " x " + std::to_string(scales[3]) + " are not whole numbers");
        } else if (sizes.size() == 4 && sizes[2] % xs[2] == 0 && sizes[3] % xs[3] == 0) {
            sh = sizes[2] / xs[2];
            sw = sizes[3] / xs[3];
        } else {
            return makeError("needs constant whole-number scales (or sizes that are whole multiples of the input)");
        }
        if (sh <= 0 || sw <= 0 || sh > limits::kMaxKernel || sw > limits::kMaxKernel)
            return makeError("scale factors out of range");
        std::string kind;
        const std::string coord = n.stringOr("coordinate_transformation_mode", "half_pixel");
        if (mode == "nearest") {
            const std::string nearest = n.stringOr("nearest_mode", "round_prefer_floor");
            if (n.opType == "Resize" && m_g.opset >= 11 && !(coord == "asymmetric" && nearest == "floor"))
                return makeError("nearest mode with coordinate_transformation_mode '" + coord + "' and nearest_mode '" + nearest +
                                 "' is not supported (PyTorch's export: asymmetric, floor)");
            kind = "nearest";
        } else if (mode == "linear" || mode == "bilinear") {
            if (n.opType == "Resize" && m_g.opset >= 11 && coord != "half_pixel" && coord != "pytorch_half_pixel")
                return makeError("linear mode with coordinate_transformation_mode '" + coord + "' is not supported (half_pixel only)");
            kind = "bilinear";
        } else {
            return makeError("mode '" + mode + "' is not supported");
        }
        // Bounded scales on a bounded map, but resizes can follow one another.
        if (xs[2] * sh > limits::kMaxMapSide || xs[3] * sw > limits::kMaxMapSide)
            return makeError("the resized map would be " + std::to_string(xs[2]) + "x" + std::to_string(sh) + " by " +
                             std::to_string(xs[3]) + "x" + std::to_string(sw) + " pixels, beyond the limit of " +
                             std::to_string(limits::kMaxMapSide) + " a side");
        const std::string name = uniqueName(n);
        addLayer(n, json{{"op", "resize"}, {"mode", kind}, {"scale", {sh, sw}}}, {*x}, n.outputs.at(0),
                 Shape{1, xs[1], xs[2] * sh, xs[3] * sw}, name);
        return Status::ok();
    }

    Status channelSlice(const OnnxNode& n, const Value& x, int64_t begin, int64_t end, const std::string& out)
    {
        const int64_t c = x.shape[1];
        if (begin < 0) begin += c;
        if (end < 0) end += c;
        begin = std::clamp<int64_t>(begin, 0, c);
        end = std::clamp<int64_t>(end, 0, c);
        if (begin >= end)
            return makeError("the slice is empty");
        Shape shape = x.shape;
        shape[1] = end - begin;
        if (begin == 0 && end == c) {
            alias(out, x, x.shape);
            return Status::ok();
        }
        const std::string name = uniqueName(n);
        addLayer(n, json{{"op", "slice"}, {"begin", begin}, {"end", end}}, {&x}, out, shape, name);
        return Status::ok();
    }

    Status slice(const OnnxNode& n)
    {
        auto x = activation(n, 0);
        if (!x)
            return Error{x.error()};
        std::vector<int64_t> starts, ends, axes, steps;
        if (m_g.opset < 10) {
            starts = n.intsOr("starts", {});
            ends = n.intsOr("ends", {});
            axes = n.intsOr("axes", {});
        } else {
            auto s = constant(n, 1);
            auto e = constant(n, 2);
            if (!s || !e)
                return makeError("starts and ends must be constants");
            starts = (*s)->ints;
            ends = (*e)->ints;
            if (const OnnxConstant* a = optionalConstant(n, 3)) axes = a->ints;
            if (const OnnxConstant* st = optionalConstant(n, 4)) steps = st->ints;
        }
        if (axes.empty())
            for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
        const int64_t rank = static_cast<int64_t>((*x)->shape.size());
        int64_t begin = 0, end = (*x)->shape.size() > 1 ? (*x)->shape[1] : 0;
        for (size_t i = 0; i < axes.size() && i < starts.size() && i < ends.size(); ++i) {
            const int64_t axis = axes[i] < 0 ? axes[i] + rank : axes[i];
            const int64_t step = i < steps.size() ? steps[i] : 1;
            if (axis != 1 || step != 1) {
                const int64_t extent = axis >= 0 && axis < rank ? (*x)->shape[axis] : 0;
                const bool whole = step == 1 && (starts[i] == 0) && ends[i] >= extent;
                if (!whole)
                    return makeError("slices axis " + std::to_string(axis) + (step != 1 ? " with a step" : "") +
                                     "; only whole-channel ranges (axis 1, step 1) are supported");
                continue;
            }
            begin = starts[i];
            end = std::min<int64_t>(ends[i], (*x)->shape[1]);
        }
        return channelSlice(n, **x, begin, end, n.outputs.at(0));
    }

    Status split(const OnnxNode& n)
    {
        auto x = activation(n, 0);
        if (!x)
            return Error{x.error()};
        const int64_t rank = static_cast<int64_t>((*x)->shape.size());
        int64_t axis = n.intOr("axis", 0);
        if (axis < 0)
            axis += rank;
        if (axis != 1)
            return makeError("splits along axis " + std::to_string(axis) + "; only the channel axis (1) is supported");
        std::vector<int64_t> sizes = n.intsOr("split", {});
        if (const OnnxConstant* c = optionalConstant(n, 1))
            sizes = c->ints;
        const int64_t c = (*x)->shape[1];
        const int64_t parts = static_cast<int64_t>(n.outputs.size());
        if (sizes.empty()) {
            if (parts <= 0 || c % parts != 0)
                return makeError("cannot split " + std::to_string(c) + " channels into " + std::to_string(parts) + " equal parts");
            sizes.assign(static_cast<size_t>(parts), c / parts);
        }
        if (static_cast<int64_t>(sizes.size()) != parts)
            return makeError("split sizes do not match the number of outputs");
        const Value source = **x;
        int64_t begin = 0;
        for (size_t i = 0; i < sizes.size(); ++i) {
            if (Status st = channelSlice(n, source, begin, begin + sizes[i], n.outputs[i]); !st)
                return st;
            begin += sizes[i];
        }
        return Status::ok();
    }

    // ---- the result ------------------------------------------------------
    Expected<OnnxImport> finish()
    {
        json outputs = json::array();
        for (const OnnxValueInfo& out : m_g.outputs) {
            auto it = m_values.find(out.name);
            if (it == m_values.end() || it->second.constant || it->second.layerIndex < 0)
                return makeError("ONNX model '" + m_g.file + "': graph output '" + out.name +
                                 "' is not computed by a layer (a constant or the input itself)");
            outputs.push_back({{"name", out.name}, {"layer", it->second.layer}, {"shape", it->second.shape}});
        }
        if (m_layers.empty())
            return makeError("ONNX model '" + m_g.file + "': the graph has no layers");
        std::string stem = std::filesystem::path(m_g.file).stem().string();
        if (stem.empty())
            stem = "onnx-model";
        const bool classifier = outputs.size() == 1 && outputs[0]["shape"].size() == 2;
        json doc{{"name", stem},
                 {"description", "ONNX model " + std::filesystem::path(m_g.file).filename().string() +
                                     (m_g.producer.empty() ? "" : " (exported by " + m_g.producer + ")") + ", opset " + std::to_string(m_g.opset)},
                 {"task", classifier ? "classification" : "onnx"},
                 {"input", {{"channels", m_input[1]}, {"width", m_input[3]}, {"height", m_input[2]}, {"name", m_g.inputs.front().name}}},
                 {"layers", m_layers},
                 {"outputs", outputs},
                 {"source", {{"format", "onnx"}, {"opset", m_g.opset}, {"producer", m_g.producer}}}};
        auto spec = parseArchSpec(doc.dump(), m_g.file);
        if (!spec)
            return std::move(spec).takeError();
        OnnxImport result;
        result.spec = std::move(*spec);
        result.checkpoint = std::move(m_checkpoint);
        result.checkpoint.format = "onnx";
        result.notes = m_g.notes;
        result.notes.insert(result.notes.begin(), "ONNX opset " + std::to_string(m_g.opset) +
                                                       (m_g.producer.empty() ? "" : ", exported by " + m_g.producer) + ": " +
                                                       std::to_string(m_g.nodes.size()) + " nodes became " + std::to_string(m_layers.size()) + " layers");
        result.notes.insert(result.notes.end(), m_notes.begin(), m_notes.end());
        return result;
    }

    const OnnxGraph& m_g;
    std::map<std::string, Value> m_values;
    std::map<std::string, int> m_readers;
    std::set<std::string> m_graphOutputs;
    std::map<std::string, std::string> m_shuffleSource; // a shuffle's 5-D value -> the 4-D value it reshaped
    std::set<std::string> m_names;
    json m_layers = json::array();
    Checkpoint m_checkpoint;
    Shape m_input;
    bool m_symbolic = false;
    std::vector<std::string> m_notes;
};

} // namespace

namespace {

// The translator checks what it reads; a graph malformed in a way it did not
// foresee (a missing operand read with .at(), say) still ends here as an
// error naming the file, never as an exception through the caller.
Expected<OnnxImport> importInPlace(OnnxGraph& g)
{
    try {
        rewriteOnnxPatterns(g);
        return Translator(g).run();
    } catch (const std::exception& e) {
        return makeError("ONNX model '" + g.file + "': the graph is malformed (" + e.what() + ")");
    }
}

} // namespace

Expected<OnnxImport> importOnnx(const OnnxGraph& graph)
{
    OnnxGraph g = graph;
    return importInPlace(g);
}

Expected<OnnxImport> importOnnxFile(const std::filesystem::path& path)
{
    auto graph = readOnnxFile(path);
    if (!graph)
        return std::move(graph).takeError();
    return importInPlace(*graph);
}

bool isOnnxFile(const std::filesystem::path& path)
{
    std::string ext = path.extension().string();
    for (char& c : ext)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".onnx")
        return true;
    if (ext == ".pth" || ext == ".pt" || ext == ".safetensors" || ext == ".json" || ext == ".bin")
        return false;
    std::ifstream in(path, std::ios::binary);
    uint8_t head[2] = {0, 0};
    in.read(reinterpret_cast<char*>(head), 2);
    return in.gcount() == 2 && looksLikeOnnx(std::span<const uint8_t>(head, 2));
}

std::vector<GraphOutput> graphOutputs(const ArchSpec& spec)
{
    std::vector<GraphOutput> out;
    const auto& doc = spec.document;
    if (!doc.is_object() || !doc.contains("outputs") || !doc["outputs"].is_array())
        return out;
    for (const auto& o : doc["outputs"]) {
        if (!o.is_object() || !o.contains("name") || !o.contains("layer") || !o["name"].is_string() || !o["layer"].is_string())
            continue;
        GraphOutput g{o["name"].get<std::string>(), o["layer"].get<std::string>(), {}};
        if (o.contains("shape") && o["shape"].is_array())
            for (const auto& d : o["shape"])
                if (d.is_number_integer())
                    g.shape.push_back(d.get<int64_t>());
        out.push_back(std::move(g));
    }
    return out;
}

} // namespace rnnpool
