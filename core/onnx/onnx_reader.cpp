#include "onnx/onnx_reader.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <fstream>
#include <map>
#include <set>

#include <onnx/onnx_pb.h>

#include "io/file_io.h"
#include "util/limits.h"
#include "util/utf8.h"

namespace rnnpool {

namespace {

// ONNX TensorProto.DataType values this reader converts.
enum DataType : int {
    kFloat = 1, kUint8 = 2, kInt8 = 3, kUint16 = 4, kInt16 = 5, kInt32 = 6, kInt64 = 7, kString = 8, kBool = 9,
    kFloat16 = 10, kDouble = 11, kUint32 = 12, kUint64 = 13, kBfloat16 = 16
};

int elementBytes(int type)
{
    switch (type) {
    case kUint8: case kInt8: case kBool: return 1;
    case kUint16: case kInt16: case kFloat16: case kBfloat16: return 2;
    case kFloat: case kInt32: case kUint32: return 4;
    case kInt64: case kDouble: case kUint64: return 8;
    default: return 0;
    }
}

bool isIntegerType(int type)
{
    return type == kUint8 || type == kInt8 || type == kUint16 || type == kInt16 || type == kInt32 || type == kInt64 ||
           type == kBool || type == kUint32 || type == kUint64;
}

float halfToFloat(uint16_t h)
{
    const uint32_t sign = (h & 0x8000u) << 16, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ffu;
    uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else { // subnormal: normalise
            int e = -1;
            uint32_t m = mantissa;
            do { ++e; m <<= 1; } while ((m & 0x400u) == 0);
            bits = sign | static_cast<uint32_t>(127 - 15 - e) << 23 | (m & 0x3ffu) << 13;
        }
    } else if (exponent == 31) {
        bits = sign | 0x7f800000u | mantissa << 13;
    } else {
        bits = sign | (exponent + 127 - 15) << 23 | mantissa << 13;
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

template <typename T>
T loadLittle(const uint8_t* p)
{
    T v;
    std::memcpy(&v, p, sizeof(T)); // x86 and ARM hosts are little-endian, as ONNX's raw_data
    return v;
}

class Reader {
public:
    Reader(std::string file, std::filesystem::path baseDir) : m_file(std::move(file)), m_baseDir(std::move(baseDir)) {}

    Error fail(const std::string& problem) const { return makeError("ONNX model '" + m_file + "': " + problem); }

    Expected<OnnxConstant> tensor(const onnx::TensorProto& t, const std::string& what)
    {
        const std::string label = what + " '" + t.name() + "'";
        OnnxConstant c;
        int64_t count = 1, extent = 1; // extent: zeros counted as 1, so strides stay bounded
        for (int64_t d : t.dims()) {
            if (d < 0)
                return fail(label + " has a negative dimension (" + std::to_string(d) + ")");
            if (d != 0 && extent > limits::kMaxParameters / d)
                return fail(label + " has dims " + dimsText(t) + ", beyond the limit of " +
                            std::to_string(limits::kMaxParameters) + " (kMaxParameters in core/util/limits.h)");
            extent *= std::max<int64_t>(d, 1);
            if (d != 0 && count > limits::kMaxParameters / d)
                return fail(label + " declares more than " + std::to_string(limits::kMaxParameters) +
                            " elements (dims " + dimsText(t) + "; kMaxParameters in core/util/limits.h)");
            count *= d;
            c.shape.push_back(d);
        }
        if (count > limits::kMaxParameters)
            return fail(label + " declares " + std::to_string(count) + " elements, beyond the limit of " +
                        std::to_string(limits::kMaxParameters) + " (kMaxParameters in core/util/limits.h)");
        m_totalElements += count;
        if (m_totalElements > limits::kMaxParameters)
            return fail("its tensors hold more than " + std::to_string(limits::kMaxParameters) +
                        " elements together (kMaxParameters in core/util/limits.h)");
        const int type = t.data_type();
        const int bytes = elementBytes(type);
        if (bytes == 0)
            return fail(label + " has data type " + std::to_string(type) + ", which is not a number type this reader converts");
        c.isInteger = isIntegerType(type);

        std::string external;
        const std::string* raw = nullptr;
        if (t.data_location() == onnx::TensorProto::EXTERNAL) {
            auto data = externalData(t, label, count * bytes);
            if (!data)
                return std::move(data).takeError();
            external = std::move(*data);
            raw = &external;
        } else if (t.has_raw_data()) {
            raw = &t.raw_data();
        }

        std::vector<double> real;
        std::vector<int64_t> ints;
        if (raw) {
            if (static_cast<int64_t>(raw->size()) != count * bytes)
                return fail(label + " holds " + std::to_string(raw->size()) + " bytes of data, but dims " + dimsText(t) +
                            " need " + std::to_string(count * bytes));
            const auto* p = reinterpret_cast<const uint8_t*>(raw->data());
            if (!c.isInteger)
                real.resize(static_cast<size_t>(count));
            else
                ints.resize(static_cast<size_t>(count));
            for (int64_t i = 0; i < count; ++i) {
                const uint8_t* e = p + i * bytes;
                switch (type) {
                case kFloat: real[i] = loadLittle<float>(e); break;
                case kDouble: real[i] = loadLittle<double>(e); break;
                case kFloat16: real[i] = halfToFloat(loadLittle<uint16_t>(e)); break;
                case kBfloat16: { const uint32_t b = uint32_t{loadLittle<uint16_t>(e)} << 16; float f; std::memcpy(&f, &b, 4); real[i] = f; break; }
                case kUint8: case kBool: ints[i] = e[0]; break;
                case kInt8: ints[i] = static_cast<int8_t>(e[0]); break;
                case kUint16: ints[i] = loadLittle<uint16_t>(e); break;
                case kInt16: ints[i] = loadLittle<int16_t>(e); break;
                case kInt32: ints[i] = loadLittle<int32_t>(e); break;
                case kUint32: ints[i] = loadLittle<uint32_t>(e); break;
                case kInt64: ints[i] = loadLittle<int64_t>(e); break;
                case kUint64: ints[i] = static_cast<int64_t>(loadLittle<uint64_t>(e)); break;
                default: break;
                }
            }
        } else {
            // Typed fields: float_data (FLOAT), double_data, int64_data, uint64_data, and
            // int32_data for every narrower integer, bool and the 16-bit floats.
            int64_t have = 0;
            if (type == kFloat) {
                have = t.float_data_size();
                if (have == count)
                    for (float v : t.float_data()) real.push_back(v);
            } else if (type == kDouble) {
                have = t.double_data_size();
                if (have == count)
                    for (double v : t.double_data()) real.push_back(v);
            } else if (type == kInt64) {
                have = t.int64_data_size();
                if (have == count)
                    for (int64_t v : t.int64_data()) ints.push_back(v);
            } else if (type == kUint64) {
                have = t.uint64_data_size();
                if (have == count)
                    for (uint64_t v : t.uint64_data()) ints.push_back(static_cast<int64_t>(v));
            } else {
                have = t.int32_data_size();
                if (have == count)
                    for (int32_t v : t.int32_data()) {
                        if (type == kFloat16)
                            real.push_back(halfToFloat(static_cast<uint16_t>(v)));
                        else if (type == kBfloat16) {
                            const uint32_t b = static_cast<uint32_t>(v) << 16;
                            float f;
                            std::memcpy(&f, &b, 4);
                            real.push_back(f);
                        } else {
                            ints.push_back(v);
                        }
                    }
            }
            if (have != count)
                return fail(label + " holds " + std::to_string(have) + " values, but dims " + dimsText(t) + " need " +
                            std::to_string(count));
        }
        if (!c.isInteger) {
            std::vector<float> f(real.begin(), real.end());
            c.values = Tensor(c.shape.empty() ? Shape{1} : c.shape, std::move(f));
        } else {
            c.ints = std::move(ints);
        }
        return c;
    }

    Expected<OnnxAttribute> attribute(const onnx::AttributeProto& a, const std::string& node)
    {
        OnnxAttribute out;
        switch (a.type()) {
        case onnx::AttributeProto::INT: out.kind = OnnxAttribute::Kind::Int; out.i = a.i(); break;
        case onnx::AttributeProto::FLOAT: out.kind = OnnxAttribute::Kind::Float; out.f = a.f(); break;
        case onnx::AttributeProto::STRING: out.kind = OnnxAttribute::Kind::String; out.s = a.s(); break;
        case onnx::AttributeProto::INTS:
            out.kind = OnnxAttribute::Kind::Ints;
            if (a.ints_size() > limits::kMaxChannels)
                return fail("node '" + node + "', attribute '" + a.name() + "' has " + std::to_string(a.ints_size()) + " values");
            out.ints.assign(a.ints().begin(), a.ints().end());
            break;
        case onnx::AttributeProto::FLOATS:
            out.kind = OnnxAttribute::Kind::Floats;
            out.floats.assign(a.floats().begin(), a.floats().end());
            break;
        case onnx::AttributeProto::STRINGS:
            out.kind = OnnxAttribute::Kind::Strings;
            break;
        case onnx::AttributeProto::TENSOR: {
            out.kind = OnnxAttribute::Kind::Tensor;
            auto t = tensor(a.t(), "node '" + node + "', attribute '" + a.name() + "', tensor");
            if (!t)
                return std::move(t).takeError();
            out.tensor = std::move(*t);
            break;
        }
        default:
            // An attribute type that no op this importer supports uses (graphs, sparse tensors):
            // kept as Other, and the op that carries it is refused when it is translated.
            out.kind = OnnxAttribute::Kind::Other;
            break;
        }
        return out;
    }

    // The text of the file that reaches names, messages and JSON, where it must
    // be UTF-8 (as ONNX requires): what is not, or "" when all of it is.
    static std::string notUtf8(const onnx::ModelProto& model)
    {
        if (!isUtf8(model.producer_name()) || !isUtf8(model.producer_version()))
            return "the producer's name";
        for (const auto& op : model.opset_import())
            if (!isUtf8(op.domain()))
                return "an opset's domain";
        const onnx::GraphProto& graph = model.graph();
        if (!isUtf8(graph.name()))
            return "the graph's name";
        for (const auto& t : graph.initializer())
            if (!isUtf8(t.name()))
                return "an initialiser's name";
        for (const auto* list : {&graph.input(), &graph.output()})
            for (const auto& v : *list)
                if (!isUtf8(v.name()))
                    return "a graph input's or output's name";
        for (int i = 0; i < graph.node_size(); ++i) {
            const onnx::NodeProto& n = graph.node(i);
            const std::string which = "node " + std::to_string(i + 1) + "'s ";
            if (!isUtf8(n.name()) || !isUtf8(n.op_type()) || !isUtf8(n.domain()))
                return which + "name, op type or domain";
            for (const auto* names : {&n.input(), &n.output()})
                for (const auto& name : *names)
                    if (!isUtf8(name))
                        return which + "input or output names";
            for (const auto& a : n.attribute())
                if (!isUtf8(a.name()) || (a.type() == onnx::AttributeProto::STRING && !isUtf8(a.s())))
                    return which + "attributes";
        }
        return {};
    }

    Expected<OnnxGraph> read(const onnx::ModelProto& model)
    {
        if (const std::string bad = notUtf8(model); !bad.empty())
            return fail(bad + " is not UTF-8 text (ONNX stores names as UTF-8)");
        OnnxGraph g;
        g.file = m_file;
        g.producer = model.producer_name() + (model.producer_version().empty() ? "" : " " + model.producer_version());
        for (const auto& op : model.opset_import())
            if (op.domain().empty() || op.domain() == "ai.onnx")
                g.opset = op.version();
        if (!model.has_graph())
            return fail("the file holds no graph (is it an ONNX model?)");
        const onnx::GraphProto& graph = model.graph();
        g.graphName = graph.name();
        if (graph.node_size() > limits::kMaxNodes)
            return fail("the graph has " + std::to_string(graph.node_size()) + " nodes, beyond the limit of " +
                        std::to_string(limits::kMaxNodes) + " (kMaxNodes in core/util/limits.h)");
        for (const auto& init : graph.initializer()) {
            auto t = tensor(init, "initialiser");
            if (!t)
                return std::move(t).takeError();
            g.constants[init.name()] = std::move(*t);
        }
        for (const auto& in : graph.input())
            if (!g.constants.count(in.name()))
                g.inputs.push_back(valueInfo(in));
        for (const auto& out : graph.output())
            g.outputs.push_back(valueInfo(out));
        if (g.inputs.empty())
            return fail("the graph has no input that is not an initialiser");
        if (g.outputs.empty())
            return fail("the graph has no outputs");

        std::vector<OnnxNode> nodes;
        nodes.reserve(static_cast<size_t>(graph.node_size()));
        for (int i = 0; i < graph.node_size(); ++i) {
            const onnx::NodeProto& n = graph.node(i);
            OnnxNode node;
            node.opType = n.op_type();
            node.domain = n.domain() == "ai.onnx" ? "" : n.domain();
            node.name = n.name().empty() ? n.op_type() + "_" + std::to_string(i) : n.name();
            node.inputs.assign(n.input().begin(), n.input().end());
            node.outputs.assign(n.output().begin(), n.output().end());
            for (const auto& a : n.attribute()) {
                auto attr = attribute(a, node.name);
                if (!attr)
                    return std::move(attr).takeError();
                node.attributes[a.name()] = std::move(*attr);
            }
            nodes.push_back(std::move(node));
        }
        auto sorted = topologicalOrder(std::move(nodes), g);
        if (!sorted)
            return std::move(sorted).takeError();
        g.nodes = std::move(*sorted);
        for (const OnnxValueInfo& out : g.outputs)
            if (!m_produced.count(out.name) && !g.constants.count(out.name) &&
                std::none_of(g.inputs.begin(), g.inputs.end(), [&](const OnnxValueInfo& v) { return v.name == out.name; }))
                return fail("graph output '" + out.name + "' is produced by no node");
        return g;
    }

private:
    static std::string dimsText(const onnx::TensorProto& t)
    {
        std::string s = "[";
        for (int i = 0; i < t.dims_size(); ++i)
            s += (i ? "," : "") + std::to_string(t.dims(i));
        return s + "]";
    }

    static OnnxValueInfo valueInfo(const onnx::ValueInfoProto& v)
    {
        OnnxValueInfo info;
        info.name = v.name();
        if (v.has_type() && v.type().has_tensor_type()) {
            const auto& tt = v.type().tensor_type();
            info.elementType = tt.elem_type();
            if (tt.has_shape())
                for (const auto& d : tt.shape().dim())
                    info.shape.push_back(d.has_dim_value() ? d.dim_value() : -1);
        }
        return info;
    }

    Expected<std::string> externalData(const onnx::TensorProto& t, const std::string& label, int64_t needed)
    {
        std::string location;
        int64_t offset = 0, length = -1;
        for (const auto& kv : t.external_data()) {
            if (kv.key() == "location")
                location = kv.value();
            else if (kv.key() == "offset")
                offset = std::strtoll(kv.value().c_str(), nullptr, 10);
            else if (kv.key() == "length")
                length = std::strtoll(kv.value().c_str(), nullptr, 10);
        }
        if (m_baseDir.empty())
            return fail(label + " keeps its data in an external file, which this reader only follows for files on disk");
        const std::filesystem::path rel(location);
        if (location.empty() || rel.is_absolute() || rel.lexically_normal().string().rfind("..", 0) == 0)
            return fail(label + " names external data '" + location + "', which is not a file inside the model's folder");
        if (offset < 0 || (length >= 0 && length != needed))
            return fail(label + ": external data offset " + std::to_string(offset) + " and length " + std::to_string(length) +
                        " do not give the " + std::to_string(needed) + " bytes its dims need");
        const std::filesystem::path path = m_baseDir / rel;
        std::ifstream in(path, std::ios::binary);
        if (!in)
            return fail(label + ": cannot open its external data file '" + path.string() + "'");
        std::error_code ec;
        const auto size = static_cast<int64_t>(std::filesystem::file_size(path, ec));
        if (ec || offset + needed > size)
            return fail(label + ": external data file '" + path.string() + "' is shorter than offset + length (" +
                        std::to_string(offset + needed) + " bytes)");
        std::string data(static_cast<size_t>(needed), '\0');
        in.seekg(offset);
        in.read(data.data(), needed);
        if (!in)
            return fail(label + ": cannot read its external data file '" + path.string() + "'");
        return data;
    }

    // Nodes in an order where every input is produced before it is read. Files
    // from exporters are already sorted; others are sorted here (Kahn). A node
    // left over reads a value no node produces, or sits on a cycle.
    Expected<std::vector<OnnxNode>> topologicalOrder(std::vector<OnnxNode> nodes, const OnnxGraph& g)
    {
        std::set<std::string> available;
        for (const auto& [name, c] : g.constants)
            available.insert(name);
        for (const OnnxValueInfo& v : g.inputs)
            available.insert(v.name);
        std::map<std::string, size_t> producer;
        for (size_t i = 0; i < nodes.size(); ++i)
            for (const std::string& out : nodes[i].outputs) {
                if (out.empty())
                    continue;
                if (producer.count(out) || available.count(out))
                    return fail("value '" + out + "' is produced twice (node '" + nodes[i].name + "')");
                producer[out] = i;
            }
        for (const OnnxNode& n : nodes)
            for (const std::string& in : n.inputs)
                if (!in.empty() && !available.count(in) && !producer.count(in))
                    return fail("node '" + n.name + "' (" + n.opType + ") reads '" + in + "', which no node produces");
        std::vector<OnnxNode> sorted;
        std::vector<bool> done(nodes.size(), false);
        // Repeated sweeps keep the file's order where it is already valid.
        bool progress = true;
        while (sorted.size() < nodes.size() && progress) {
            progress = false;
            for (size_t i = 0; i < nodes.size(); ++i) {
                if (done[i])
                    continue;
                const bool ready = std::all_of(nodes[i].inputs.begin(), nodes[i].inputs.end(),
                                               [&](const std::string& in) { return in.empty() || available.count(in); });
                if (!ready)
                    continue;
                for (const std::string& out : nodes[i].outputs)
                    available.insert(out);
                done[i] = true;
                sorted.push_back(std::move(nodes[i]));
                progress = true;
            }
        }
        if (sorted.size() < nodes.size()) {
            for (size_t i = 0; i < nodes.size(); ++i)
                if (!done[i])
                    return fail("the graph has a cycle: node '" + nodes[i].name + "' (" + nodes[i].opType +
                                ") depends on its own output");
        }
        for (const OnnxNode& n : sorted)
            for (const std::string& out : n.outputs)
                m_produced.insert(out);
        return sorted;
    }

    std::string m_file;
    std::filesystem::path m_baseDir;
    int64_t m_totalElements = 0;
    std::set<std::string> m_produced;
};

} // namespace

bool looksLikeOnnx(std::span<const uint8_t> bytes)
{
    // A ModelProto starts with ir_version (field 1, varint: tag 0x08) in every
    // exporter's output; the graph (field 7, tag 0x3a) follows somewhere.
    return bytes.size() >= 2 && bytes[0] == 0x08 && bytes[1] >= 1 && bytes[1] <= 20;
}

Expected<OnnxGraph> parseOnnx(std::span<const uint8_t> bytes, const std::string& file, const std::filesystem::path& baseDir)
{
    Reader reader(file, baseDir);
    if (bytes.empty())
        return reader.fail("the file is empty");
    if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
        return reader.fail("the file is larger than 2 GiB, the most a protobuf message can be (keep the weights as external data)");
    onnx::ModelProto model;
    if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
        return reader.fail("it is not a readable ONNX protobuf (truncated or not an ONNX model)");
    if (!model.has_ir_version() || !model.has_graph())
        return reader.fail("it holds no ONNX model (no ir_version or no graph)");
    return reader.read(model);
}

Expected<OnnxGraph> readOnnxFile(const std::filesystem::path& path)
{
    auto bytes = readFileBytes(path, "ONNX model");
    if (!bytes)
        return std::move(bytes).takeError();
    std::filesystem::path base = path.parent_path();
    if (base.empty())
        base = ".";
    return parseOnnx(*bytes, path.string(), base);
}

} // namespace rnnpool
