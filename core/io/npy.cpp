#include "io/npy.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstring>
#include <limits>
#include <new>
#include <optional>
#include <string_view>

#include "io/dtype.h"
#include "io/file_io.h"

namespace rnnpool {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr size_t kMaxRank = 64; // NumPy's own limit (NPY_MAXDIMS in NumPy 2)
constexpr size_t kAlign = 64;   // np.save pads headers so the data starts 64-byte aligned

struct NpyHeader {
    std::string descr;
    bool fortranOrder = false;
    bool sawDescr = false, sawOrder = false, sawShape = false;
    Shape shape;
};

// The header is a Python dict literal. NumPy reads it with ast.literal_eval;
// this parser accepts the subset NumPy writes (and hand-written variants of
// it) and rejects everything else with a reason.
class HeaderParser {
public:
    explicit HeaderParser(std::string_view text) : m_text(text) {}

    Expected<NpyHeader> parse()
    {
        NpyHeader header;
        skipSpace();
        if (!consume('{'))
            return fail("the header is not a Python dict");
        while (true) {
            skipSpace();
            if (consume('}'))
                break;
            std::optional<std::string> key = parseString();
            if (!key)
                return fail("expected a quoted key in the header");
            skipSpace();
            if (!consume(':'))
                return fail("expected ':' after '" + *key + "'");
            skipSpace();
            if (*key == "descr") {
                if (peek() == '[')
                    return fail("structured dtypes (record arrays) are not supported");
                std::optional<std::string> descr = parseString();
                if (!descr)
                    return fail("'descr' is not a string");
                header.descr = *descr;
                header.sawDescr = true;
            } else if (*key == "fortran_order") {
                std::optional<bool> order = parseBool();
                if (!order)
                    return fail("'fortran_order' is not True or False");
                header.fortranOrder = *order;
                header.sawOrder = true;
            } else if (*key == "shape") {
                std::optional<Shape> shape = parseShape();
                if (!shape)
                    return fail("'shape' is not a tuple of non-negative integers");
                header.shape = std::move(*shape);
                header.sawShape = true;
            } else {
                return fail("unexpected key '" + *key + "' in the header");
            }
            skipSpace();
            if (consume(','))
                continue;
            skipSpace();
            if (consume('}'))
                break;
            return fail("expected ',' or '}' in the header");
        }
        skipSpace();
        if (m_pos != m_text.size())
            return fail("unexpected text after the header dict");
        if (!header.sawDescr || !header.sawOrder || !header.sawShape)
            return fail("the header lacks 'descr', 'fortran_order' or 'shape'");
        return header;
    }

private:
    static Error fail(std::string why) { return makeError(std::move(why)); }
    char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }
    bool consume(char c)
    {
        if (peek() != c || m_pos >= m_text.size())
            return false;
        ++m_pos;
        return true;
    }
    void skipSpace()
    {
        while (m_pos < m_text.size() && std::isspace(static_cast<unsigned char>(m_text[m_pos])))
            ++m_pos;
    }
    std::optional<std::string> parseString()
    {
        const char quote = peek();
        if (quote != '\'' && quote != '"')
            return std::nullopt;
        const size_t end = m_text.find(quote, m_pos + 1);
        if (end == std::string_view::npos)
            return std::nullopt;
        std::string value(m_text.substr(m_pos + 1, end - m_pos - 1));
        if (value.find('\\') != std::string::npos)
            return std::nullopt; // NumPy never escapes; refuse rather than guess
        m_pos = end + 1;
        return value;
    }
    std::optional<bool> parseBool()
    {
        if (m_text.substr(m_pos, 4) == "True") {
            m_pos += 4;
            return true;
        }
        if (m_text.substr(m_pos, 5) == "False") {
            m_pos += 5;
            return false;
        }
        return std::nullopt;
    }
    std::optional<int64_t> parseDim()
    {
        int64_t value = 0;
        size_t digits = 0;
        while (m_pos < m_text.size() && std::isdigit(static_cast<unsigned char>(m_text[m_pos]))) {
            if (value > (std::numeric_limits<int64_t>::max() - 9) / 10)
                return std::nullopt;
            value = value * 10 + (m_text[m_pos++] - '0');
            ++digits;
        }
        if (digits == 0)
            return std::nullopt;
        consume('L'); // Python 2 era files write long integers as "3L"
        return value;
    }
    std::optional<Shape> parseShape()
    {
        if (!consume('('))
            return std::nullopt;
        Shape shape;
        while (true) {
            skipSpace();
            if (consume(')'))
                return shape;
            std::optional<int64_t> dim = parseDim();
            if (!dim || shape.size() >= kMaxRank)
                return std::nullopt;
            shape.push_back(*dim);
            skipSpace();
            if (consume(','))
                continue;
            skipSpace();
            if (consume(')'))
                return shape;
            return std::nullopt;
        }
    }

    std::string_view m_text;
    size_t m_pos = 0;
};

// '<f4' and friends. '=' means native order, which NumPy only writes for
// one-byte types; on the little-endian hosts we run on it equals '<'.
Expected<DType> dtypeFromDescr(const std::string& descr)
{
    if (descr.size() < 3)
        return makeError("unknown dtype '" + descr + "'");
    const char order = descr[0];
    const std::string_view code = std::string_view(descr).substr(1);
    struct Entry {
        std::string_view code;
        DType type;
    };
    static constexpr Entry kCodes[] = {{"f4", DType::F32}, {"f8", DType::F64}, {"f2", DType::F16},
        {"i8", DType::I64}, {"i4", DType::I32}, {"i2", DType::I16}, {"i1", DType::I8}, {"u8", DType::U64},
        {"u4", DType::U32}, {"u2", DType::U16}, {"u1", DType::U8}, {"b1", DType::Bool}};
    for (const Entry& e : kCodes) {
        if (e.code != code)
            continue;
        const bool singleByte = dtypeSize(e.type) == 1;
        if (order == '<' || (order == '|' && singleByte) || (order == '=' && singleByte))
            return e.type;
        if (order == '>' && singleByte)
            return e.type;
        if (order == '>')
            return makeError("dtype '" + descr + "' is big-endian; only little-endian arrays are supported");
        if (order == '=' && std::endian::native == std::endian::little)
            return e.type;
        return makeError("dtype '" + descr + "' has an unknown byte order");
    }
    return makeError("unsupported dtype '" + descr + "' (supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1)");
}

std::string shapeTuple(const Shape& shape)
{
    std::string out = "(";
    for (size_t i = 0; i < shape.size(); ++i)
        out += (i ? ", " : "") + std::to_string(shape[i]);
    if (shape.size() == 1)
        out += ',';
    return out + ')';
}

} // namespace

namespace {
Expected<NpyArray> parseTyped(std::span<const uint8_t> bytes, const std::string& label);
} // namespace

Expected<Tensor> parseNpy(std::span<const uint8_t> bytes, const std::string& label)
{
    Expected<NpyArray> array = parseTyped(bytes, label);
    if (!array)
        return std::move(array).takeError();
    return std::move(array->values);
}

namespace {
Expected<NpyArray> parseTyped(std::span<const uint8_t> bytes, const std::string& label)
{
    if (bytes.empty())
        return makeError(label + ": the file is empty");
    if (bytes.size() < kMagic.size() || std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0)
        return makeError(label + ": not a NumPy .npy file (no \\x93NUMPY magic)");
    if (bytes.size() < 10)
        return makeError(label + ": the header is cut short (truncated?)");
    const uint8_t major = bytes[6];
    size_t headerStart = 10, headerLength = 0;
    if (major == 1) {
        headerLength = loadLe16(bytes.data() + 8);
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12)
            return makeError(label + ": the header is cut short (truncated?)");
        headerStart = 12;
        headerLength = loadLe32(bytes.data() + 8);
    } else {
        return makeError(label + ": unsupported .npy format version " + std::to_string(major) + "."
            + std::to_string(bytes[7]));
    }
    if (headerLength > bytes.size() - headerStart)
        return makeError(label + ": the header runs past the end of the file (truncated?)");

    const std::string_view text(reinterpret_cast<const char*>(bytes.data() + headerStart), headerLength);
    Expected<NpyHeader> header = HeaderParser(text).parse();
    if (!header)
        return makeError(label + ": malformed header: " + header.error());
    if (header->fortranOrder)
        return makeError(label + ": the array is stored in Fortran order (fortran_order: True); "
                                 "save it with np.ascontiguousarray first");
    Expected<DType> type = dtypeFromDescr(header->descr);
    if (!type)
        return makeError(label + ": " + type.error());

    const size_t dataStart = headerStart + headerLength;
    const size_t available = bytes.size() - dataStart;
    const size_t itemSize = dtypeSize(*type);
    // Every partial product is checked (util/checked.h), then the whole count
    // against the bytes present: hostile shapes neither overflow nor ask for
    // memory the file cannot fill, and a 0-d array (one element, no extents)
    // needs its one element's bytes too.
    const std::optional<int64_t> count = checkedNumel(header->shape);
    if (!count)
        return makeError(label + ": shape " + shapeToString(header->shape) + " is impossibly large");
    const uint64_t numel = static_cast<uint64_t>(*count);
    if (numel > available / itemSize)
        return makeError(label + ": shape " + shapeToString(header->shape) + " of " + header->descr + " needs " +
                         std::to_string(numel) + " x " + std::to_string(itemSize) + " bytes and the file holds " +
                         std::to_string(available) + " after its header: it needs more data than the file holds (truncated?)");
    std::vector<float> values;
    try {
        values.resize(static_cast<size_t>(numel));
    } catch (const std::bad_alloc&) {
        return makeError(label + ": too large to load");
    }
    convertToFloat(*type, bytes.data() + dataStart, values.size(), values.data());
    return NpyArray{*type, Tensor(header->shape, std::move(values))};
}
} // namespace

Expected<NpyArray> readNpyWithType(const std::filesystem::path& path)
{
    Expected<std::vector<uint8_t>> bytes = readFileBytes(path, "array");
    if (!bytes)
        return std::move(bytes).takeError();
    return parseTyped(*bytes, fileLabel("array", path));
}

Expected<Tensor> readNpy(const std::filesystem::path& path)
{
    Expected<std::vector<uint8_t>> bytes = readFileBytes(path, "array");
    if (!bytes)
        return std::move(bytes).takeError();
    return parseNpy(*bytes, fileLabel("array", path));
}

Expected<std::string> encodeNpy(const Tensor& tensor)
{
    if (shapeNumel(tensor.shape()) != tensor.numel())
        return makeError("the tensor's shape " + shapeToString(tensor.shape()) + " does not match its "
            + std::to_string(tensor.numel()) + " values");
    std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeTuple(tensor.shape()) + ", }";
    // NumPy (since 1.23) leaves room for the first axis to grow to 21 digits
    // in place; copying that keeps our files byte-identical to np.save's.
    if (!tensor.shape().empty())
        dict.append(21 - std::min<size_t>(21, std::to_string(tensor.shape()[0]).size()), ' ');
    // NumPy's padding rule, including a full 64 spaces when already aligned.
    auto padded = [&](size_t prefix) { return kAlign - (prefix + dict.size() + 1) % kAlign; };
    // Version 1.0 stores the header length in 16 bits; longer headers need 2.0.
    size_t prefix = 10;
    if (dict.size() + padded(prefix) + 1 > 65535)
        prefix = 12;
    dict.append(padded(prefix), ' ');
    dict += '\n';

    std::string out(kMagic);
    out += static_cast<char>(prefix == 10 ? 1 : 2);
    out += '\0';
    uint8_t length[4];
    storeLe32(length, static_cast<uint32_t>(dict.size()));
    out.append(reinterpret_cast<const char*>(length), prefix - 8);
    out += dict;
    const size_t dataStart = out.size();
    out.resize(dataStart + static_cast<size_t>(tensor.numel()) * 4);
    for (int64_t i = 0; i < tensor.numel(); ++i)
        storeLe32(reinterpret_cast<uint8_t*>(out.data() + dataStart + static_cast<size_t>(i) * 4),
            std::bit_cast<uint32_t>(tensor.data()[i]));
    return out;
}

namespace {
// The header dict padded as np.save pads it (version 1.0 or 2.0 by length).
std::string npyPreamble(const std::string& descr, const Shape& shape)
{
    std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeTuple(shape) + ", }";
    if (!shape.empty())
        dict.append(21 - std::min<size_t>(21, std::to_string(shape[0]).size()), ' ');
    auto padded = [&](size_t prefix) { return kAlign - (prefix + dict.size() + 1) % kAlign; };
    size_t prefix = 10;
    if (dict.size() + padded(prefix) + 1 > 65535)
        prefix = 12;
    dict.append(padded(prefix), ' ');
    dict += '\n';
    std::string out(kMagic);
    out += static_cast<char>(prefix == 10 ? 1 : 2);
    out += '\0';
    uint8_t length[4];
    storeLe32(length, static_cast<uint32_t>(dict.size()));
    out.append(reinterpret_cast<const char*>(length), prefix - 8);
    return out + dict;
}
} // namespace

Status writeNpyInt16(const std::filesystem::path& path, const Shape& shape, std::span<const int16_t> values)
{
    if (!checkedNumel(shape) || shapeNumel(shape) != static_cast<int64_t>(values.size()))
        return makeError(fileLabel("array", path) + ": cannot write: shape " + shapeToString(shape) + " does not match "
            + std::to_string(values.size()) + " values");
    std::string out = npyPreamble("<i2", shape);
    const size_t dataStart = out.size();
    out.resize(dataStart + values.size() * 2);
    for (size_t i = 0; i < values.size(); ++i) {
        const auto bits = static_cast<uint16_t>(values[i]);
        out[dataStart + 2 * i] = static_cast<char>(bits & 0xFF);
        out[dataStart + 2 * i + 1] = static_cast<char>(bits >> 8);
    }
    return writeFileAtomically(path, "array", [&](FileSink& sink) { return sink.write(out.data(), out.size()); });
}

Status writeNpy(const std::filesystem::path& path, const Tensor& tensor)
{
    Expected<std::string> encoded = encodeNpy(tensor);
    if (!encoded)
        return makeError(fileLabel("array", path) + ": cannot write: " + encoded.error());
    return writeFileAtomically(path, "array", [&](FileSink& out) { return out.write(encoded->data(), encoded->size()); });
}

} // namespace rnnpool
