#include "quant/quantized_file.h"

#include <bit>
#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "io/dtype.h"
#include "io/file_io.h"
#include "io/safetensors.h"
#include "ops/conv2d.h"
#include "ops/rnnpool.h"

namespace rnnpool {

namespace {

constexpr const char* kFormatKey = "format";
constexpr const char* kFormatValue = "rnnpool-studio-int8";
constexpr const char* kSpecKey = "rnnpool.arch_spec";

// One tensor as stored: its dtype name and little-endian bytes.
struct RawTensor {
    std::string dtype;
    Shape shape;
    std::vector<uint8_t> bytes;
};

RawTensor f32(const std::vector<float>& v, Shape shape)
{
    RawTensor t{"F32", std::move(shape), std::vector<uint8_t>(v.size() * 4)};
    for (size_t i = 0; i < v.size(); ++i)
        storeLe32(t.bytes.data() + 4 * i, std::bit_cast<uint32_t>(v[i]));
    return t;
}

RawTensor i32(const std::vector<int32_t>& v, Shape shape)
{
    RawTensor t{"I32", std::move(shape), std::vector<uint8_t>(v.size() * 4)};
    for (size_t i = 0; i < v.size(); ++i)
        storeLe32(t.bytes.data() + 4 * i, static_cast<uint32_t>(v[i]));
    return t;
}

RawTensor i8(const std::vector<int8_t>& v, Shape shape)
{
    RawTensor t{"I8", std::move(shape), std::vector<uint8_t>(v.size())};
    std::memcpy(t.bytes.data(), v.data(), v.size());
    return t;
}

void putQuant(std::map<std::string, RawTensor>& out, const std::string& prefix, const ActivationQuant& q)
{
    out[prefix + ".scale"] = f32({q.scale}, {1});
    out[prefix + ".zero_point"] = i32({q.zeroPoint}, {1});
}

// The int32 tensors exactly (the generic reader converts to float, which
// rounds integers beyond 2^24), from a file the generic reader has validated.
std::map<std::string, std::vector<int32_t>> readInt32Tensors(const std::vector<uint8_t>& bytes)
{
    std::map<std::string, std::vector<int32_t>> out;
    const uint64_t headerLength = loadLe64(bytes.data());
    const auto header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(headerLength));
    const uint8_t* data = bytes.data() + 8 + headerLength;
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__" || entry.value("dtype", "") != "I32")
            continue;
        const auto begin = entry["data_offsets"][0].get<uint64_t>(), end = entry["data_offsets"][1].get<uint64_t>();
        std::vector<int32_t> v((end - begin) / 4);
        for (size_t i = 0; i < v.size(); ++i)
            v[i] = static_cast<int32_t>(loadLe32(data + begin + 4 * i));
        out[name] = std::move(v);
    }
    return out;
}

class Reader {
public:
    Reader(const Checkpoint& ckpt, std::map<std::string, std::vector<int32_t>> ints, std::string label)
        : m_ckpt(ckpt), m_ints(std::move(ints)), m_label(std::move(label))
    {
    }

    Expected<const StoredTensor*> tensor(const std::string& key, const std::string& dtype, const std::string& what) const
    {
        const auto it = m_ckpt.tensors.find(key);
        if (it == m_ckpt.tensors.end())
            return makeError(m_label + ": missing field '" + key + "' (" + what + ")");
        if (it->second.dtype != dtype)
            return makeError(m_label + ": field '" + key + "' is " + it->second.dtype + ", expected " + dtype + " (" + what + ")");
        return &it->second;
    }

    Status scales(const std::string& key, int64_t count, std::vector<float>& out, const std::string& what) const
    {
        auto t = tensor(key, "F32", what);
        if (!t)
            return Error{t.error()};
        if ((*t)->values.numel() != count)
            return makeError(m_label + ": field '" + key + "' holds " + std::to_string((*t)->values.numel()) + " value(s), expected " +
                             std::to_string(count) + " (" + what + ")");
        out.assign((*t)->values.data(), (*t)->values.data() + count);
        for (int64_t i = 0; i < count; ++i) {
            const float s = out[static_cast<size_t>(i)];
            if (!std::isfinite(s) || s <= 0.0f)
            {
                // The index appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "[" + string.
                std::string field = m_label + ": field '" + key + "'";
                if (count > 1) {
                    field += '[';
                    field += std::to_string(i);
                    field += ']';
                }
                return makeError(field + " is " + std::to_string(s) + "; a scale must be a positive finite number (" + what + ")");
            }
        }
        return Status::ok();
    }

    Status quant(const std::string& prefix, ActivationQuant& q) const
    {
        std::vector<float> s;
        if (Status st = scales(prefix + ".scale", 1, s, "the output scale of '" + prefix + "'"); !st)
            return st;
        std::vector<int32_t> zp;
        if (Status st = ints(prefix + ".zero_point", 1, zp, "the output zero point of '" + prefix + "'"); !st)
            return st;
        if (zp[0] < -128 || zp[0] > 127)
            return makeError(m_label + ": field '" + prefix + ".zero_point' is " + std::to_string(zp[0]) + ", outside int8");
        q.scale = s[0];
        q.zeroPoint = zp[0];
        return Status::ok();
    }

    Status ints(const std::string& key, int64_t count, std::vector<int32_t>& out, const std::string& what) const
    {
        auto t = tensor(key, "I32", what);
        if (!t)
            return Error{t.error()};
        const auto& v = m_ints.at(key);
        if (static_cast<int64_t>(v.size()) != count)
            return makeError(m_label + ": field '" + key + "' holds " + std::to_string(v.size()) + " value(s), expected " +
                             std::to_string(count) + " (" + what + ")");
        out = v;
        return Status::ok();
    }

    const std::string& label() const { return m_label; }

private:
    const Checkpoint& m_ckpt;
    std::map<std::string, std::vector<int32_t>> m_ints;
    std::string m_label;
};

} // namespace

Status saveQuantizedModel(const QuantizedModel& model, const std::filesystem::path& path)
{
    std::map<std::string, RawTensor> tensors;
    putQuant(tensors, "input", model.input);
    Network& net = *model.network;
    for (size_t i = 0; i < net.nodes().size(); ++i) {
        const Node& node = net.nodes()[i];
        const NodeQuant& nq = model.nodes[i];
        putQuant(tensors, node.name, nq.output);
        const std::string_view kind = node.op->kind();
        if (kind == "conv2d") {
            const auto& p = static_cast<const Conv2d&>(*node.op).params();
            const auto out = static_cast<int64_t>(nq.weightScale.size());
            tensors[node.name + ".weight"] = i8(nq.weight, {p.outChannels, p.inChannels / p.groups, p.kernelH, p.kernelW});
            tensors[node.name + ".weight_scale"] = f32(nq.weightScale, {out});
            tensors[node.name + ".bias"] = i32(nq.bias, {out});
        } else if (kind == "l2norm") {
            tensors[node.name + ".gamma"] = f32(nq.gamma, {static_cast<int64_t>(nq.gamma.size())});
        } else if (kind == "rnnpool") {
            if (!nq.channelScale.empty()) {
                const auto c = static_cast<int64_t>(nq.channelScale.size());
                tensors[node.name + ".channel_scale"] = f32(nq.channelScale, {c});
                tensors[node.name + ".channel_zero_point"] = i32(nq.channelZeroPoint, {c});
            }
            for (const WeightSlot& slot : net.nodes()[i].op->weightSlots()) {
                const Tensor& t = *slot.target;
                tensors[slot.key] = f32(std::vector<float>(t.data(), t.data() + t.numel()), t.shape());
            }
        }
    }
    nlohmann::json header = nlohmann::json::object();
    uint64_t offset = 0;
    for (const auto& [name, t] : tensors) {
        header[name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
        offset += t.bytes.size();
    }
    header["__metadata__"] = {{kFormatKey, kFormatValue},
                              {kSpecKey, model.spec().document.dump()},
                              {"rnnpool.arch", model.spec().name},
                              // The file name only: a path would tie the file to one machine.
                              {"rnnpool.source", std::filesystem::path(model.source).filename().string()},
                              {"rnnpool.calibration", model.calibration}};
    if (model.pyramidLevels)
        header["__metadata__"][kPyramidLevelsKey] = std::to_string(*model.pyramidLevels);
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    return writeFileAtomically(path, "int8 model", [&](FileSink& out) {
        uint8_t length[8];
        storeLe64(length, text.size());
        out.write(length, sizeof length);
        out.write(text.data(), text.size());
        for (const auto& [name, t] : tensors)
            if (!t.bytes.empty() && !out.write(t.bytes.data(), t.bytes.size()))
                return false;
        return out.ok();
    });
}

bool isQuantizedModelFile(const std::filesystem::path& path)
{
    auto bytes = readFileBytes(path, "model");
    if (!bytes || !looksLikeSafetensors(*bytes))
        return false;
    auto ckpt = parseSafetensors(*bytes, "model");
    if (!ckpt)
        return false;
    const auto it = ckpt->metadata.find(kFormatKey);
    return it != ckpt->metadata.end() && it->second == kFormatValue;
}

Expected<QuantizedModel> loadQuantizedModel(const std::filesystem::path& path)
{
    const std::string label = fileLabel("int8 model", path);
    auto bytes = readFileBytes(path, "int8 model");
    if (!bytes)
        return std::move(bytes).takeError();
    auto ckpt = parseSafetensors(*bytes, label);
    if (!ckpt)
        return std::move(ckpt).takeError();
    const auto format = ckpt->metadata.find(kFormatKey);
    if (format == ckpt->metadata.end() || format->second != kFormatValue)
        return makeError(label + ": not an int8 model (metadata 'format' is not '" + std::string(kFormatValue) +
                         "'); quantise a float model with `rnnpool quantize`");
    const auto specText = ckpt->metadata.find(kSpecKey);
    if (specText == ckpt->metadata.end())
        return makeError(label + ": missing field '__metadata__." + std::string(kSpecKey) + "' (the architecture spec)");
    auto spec = parseArchSpec(specText->second, path.string() + " (embedded spec)");
    if (!spec)
        return std::move(spec).takeError();
    auto built = Network::build(*spec);
    if (!built)
        return std::move(built).takeError();

    const Reader r(*ckpt, readInt32Tensors(*bytes), label);
    QuantizedModel q;
    q.network = std::make_shared<Network>(std::move(*built));
    q.source = path.string();
    if (auto it = ckpt->metadata.find("rnnpool.calibration"); it != ckpt->metadata.end())
        q.calibration = it->second;
    if (auto it = ckpt->metadata.find("rnnpool.source"); it != ckpt->metadata.end())
        q.floatSource = it->second;
    auto pyramid = declaredPyramidLevels(ckpt->metadata, path.string());
    if (!pyramid)
        return std::move(pyramid).takeError();
    q.pyramidLevels = *pyramid;
    if (Status st = checkInt8Support(*q.network); !st)
        return makeError(label + ": " + st.error());
    if (Status st = r.quant("input", q.input); !st)
        return Error{st.error()};
    q.nodes.resize(q.network->nodes().size());
    for (size_t i = 0; i < q.network->nodes().size(); ++i) {
        Node& node = const_cast<Node&>(q.network->nodes()[i]);
        NodeQuant& nq = q.nodes[i];
        if (Status st = r.quant(node.name, nq.output); !st)
            return Error{st.error()};
        const std::string_view kind = node.op->kind();
        if (kind == "conv2d") {
            const auto& p = static_cast<const Conv2d&>(*node.op).params();
            const int64_t perOut = p.inChannels / p.groups * p.kernelH * p.kernelW;
            auto w = r.tensor(node.name + ".weight", "I8", "the int8 weights of '" + node.name + "'");
            if (!w)
                return std::move(w).takeError();
            if ((*w)->values.numel() != p.outChannels * perOut)
                return makeError(label + ": field '" + node.name + ".weight' holds " + std::to_string((*w)->values.numel()) +
                                 " weights, the architecture needs " + std::to_string(p.outChannels * perOut));
            for (int64_t k = 0; k < (*w)->values.numel(); ++k)
                nq.weight.push_back(static_cast<int8_t>((*w)->values.data()[k]));
            if (Status st = r.scales(node.name + ".weight_scale", p.outChannels, nq.weightScale,
                                     "the weight scales of '" + node.name + "'"); !st)
                return Error{st.error()};
            if (Status st = r.ints(node.name + ".bias", p.outChannels, nq.bias, "the int32 bias of '" + node.name + "'"); !st)
                return Error{st.error()};
        } else if (kind == "l2norm") {
            auto g = r.tensor(node.name + ".gamma", "F32", "the L2Norm scale of '" + node.name + "'");
            if (!g)
                return std::move(g).takeError();
            if ((*g)->values.numel() != node.outChannels)
                return makeError(label + ": field '" + node.name + ".gamma' holds " + std::to_string((*g)->values.numel()) +
                                 " values for " + std::to_string(node.outChannels) + " channels");
            nq.gamma.assign((*g)->values.data(), (*g)->values.data() + node.outChannels);
        } else if (kind == "rnnpool") {
            if (ckpt->tensors.count(node.name + ".channel_scale")) {
                if (Status st = r.scales(node.name + ".channel_scale", node.outChannels, nq.channelScale,
                                         "the per-channel output scales of '" + node.name + "'"); !st)
                    return Error{st.error()};
                if (Status st = r.ints(node.name + ".channel_zero_point", node.outChannels, nq.channelZeroPoint,
                                       "the per-channel zero points of '" + node.name + "'"); !st)
                    return Error{st.error()};
                for (int32_t zp : nq.channelZeroPoint)
                    if (zp < -kMaxOffsetZeroPoint || zp > kMaxOffsetZeroPoint)
                        return makeError(label + ": field '" + node.name + ".channel_zero_point' holds " + std::to_string(zp) +
                                         ", outside +-" + std::to_string(kMaxOffsetZeroPoint));
            }
            for (WeightSlot& slot : node.op->weightSlots()) {
                auto t = r.tensor(slot.key, "F32", "a FastGRNN tensor of '" + node.name + "'");
                if (!t)
                    return std::move(t).takeError();
                if ((*t)->values.shape() != slot.shape)
                    return makeError(label + ": field '" + slot.key + "' has shape " + shapeToString((*t)->values.shape()) +
                                     ", the architecture needs " + shapeToString(slot.shape));
                *slot.target = (*t)->values;
            }
            node.op->finalize();
        } else if (kind == "background_maxout") {
            const int src = node.inputs[0];
            const ActivationQuant& in = src == kNetworkInput ? q.input : q.nodes[static_cast<size_t>(src)].output;
            if (in.scale != nq.output.scale || in.zeroPoint != nq.output.zeroPoint)
                return makeError(label + ": field '" + node.name + ".scale' differs from its input's; the background max-out keeps its input's scale");
        }
    }
    return q;
}

} // namespace rnnpool
