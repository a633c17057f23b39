#include "io/safetensors.h"

#include <algorithm>
#include <bit>
#include <new>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/dtype.h"
#include "io/file_io.h"

namespace rnnpool {
namespace {

using Json = nlohmann::json;

constexpr uint64_t kMaxHeaderBytes = uint64_t{100} << 20; // the limit the reference implementation uses
constexpr int kMaxJsonDepth = 16;                          // a valid header nests three levels deep
constexpr std::string_view kMetadataKey = "__metadata__";

struct Entry {
    std::string name;
    DType dtype;
    Shape shape;
    uint64_t begin = 0, end = 0;
};

Error failWith(const std::string& label, const std::string& message) { return makeError(label + ": " + message); }

// The parser would accept any nesting; refusing deep nesting up front keeps
// a hostile header from costing stack or time anywhere later.
bool nestingWithin(std::string_view text, int maxDepth)
{
    int depth = 0;
    bool inString = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            if (++depth > maxDepth)
                return false;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return true;
}

Expected<Entry> parseEntry(const std::string& name, const Json& value)
{
    const std::string who = "tensor '" + name + "'";
    if (!value.is_object())
        return makeError(who + ": its header entry is not an object");
    const auto dtype = value.find("dtype");
    const auto shape = value.find("shape");
    const auto offsets = value.find("data_offsets");
    if (dtype == value.end() || shape == value.end() || offsets == value.end())
        return makeError(who + ": its header entry lacks 'dtype', 'shape' or 'data_offsets'");
    if (!dtype->is_string())
        return makeError(who + ": 'dtype' is not a string");
    const std::optional<DType> type = dtypeFromName(dtype->get_ref<const std::string&>());
    if (!type)
        return makeError(who + " has unsupported dtype '" + dtype->get_ref<const std::string&>() + "'");
    if (!shape->is_array() || shape->size() > 64)
        return makeError(who + ": 'shape' is not a list of at most 64 sizes");
    if (!offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned()
        || !(*offsets)[1].is_number_unsigned())
        return makeError(who + ": 'data_offsets' is not a pair of non-negative integers");

    Entry entry{name, *type, {}, (*offsets)[0].get<uint64_t>(), (*offsets)[1].get<uint64_t>()};
    uint64_t bytes = dtypeSize(*type);
    for (const Json& dim : *shape) {
        if (!dim.is_number_unsigned() || dim.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
            return makeError(who + ": 'shape' holds something other than a non-negative integer");
        const uint64_t d = dim.get<uint64_t>();
        if (d != 0 && bytes > UINT64_MAX / d)
            return makeError(who + " has an impossible shape");
        bytes *= d;
        entry.shape.push_back(static_cast<int64_t>(d));
    }
    if (!checkedNumel(entry.shape))
        return makeError(who + " has an impossible shape");
    if (entry.begin > entry.end)
        return makeError(who + ": its data offsets are reversed");
    if (entry.end - entry.begin != bytes)
        return makeError(who + ": shape " + shapeToString(entry.shape) + " of " + std::string(dtypeName(*type)) + " needs "
            + std::to_string(bytes) + " bytes, its data offsets span " + std::to_string(entry.end - entry.begin));
    return entry;
}

} // namespace

bool looksLikeSafetensors(std::span<const uint8_t> bytes)
{
    if (bytes.size() < 10)
        return false;
    const uint64_t length = loadLe64(bytes.data());
    return length >= 2 && length <= bytes.size() - 8 && bytes[8] == '{';
}

Expected<Checkpoint> parseSafetensors(std::span<const uint8_t> bytes, const std::string& label)
{
    if (bytes.empty())
        return failWith(label, "the file is empty");
    if (bytes.size() < 8)
        return failWith(label, "too short to be a safetensors file (truncated?)");
    const uint64_t headerLength = loadLe64(bytes.data());
    if (headerLength > bytes.size() - 8)
        return failWith(label, "the header (" + std::to_string(headerLength) + " bytes) runs past the end of the file"
                               " (truncated, or not a safetensors file)");
    if (headerLength > kMaxHeaderBytes)
        return failWith(label, "the header is larger than 100 MB");
    const std::string_view text(reinterpret_cast<const char*>(bytes.data() + 8), static_cast<size_t>(headerLength));
    if (!nestingWithin(text, kMaxJsonDepth))
        return failWith(label, "the header nests deeper than any safetensors header does");

    Json header = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (header.is_discarded())
        return failWith(label, "the header is not valid JSON");
    if (!header.is_object())
        return failWith(label, "the header is not a JSON object");

    Checkpoint checkpoint;
    checkpoint.format = "safetensors";
    std::vector<Entry> entries;
    try {
        for (const auto& [name, value] : header.items()) {
            if (name == kMetadataKey) {
                if (!value.is_object())
                    return failWith(label, "__metadata__ is not an object");
                for (const auto& [key, text2] : value.items()) {
                    if (!text2.is_string())
                        return failWith(label, "__metadata__ entry '" + key + "' is not a string");
                    checkpoint.metadata[key] = text2.get<std::string>();
                }
                continue;
            }
            Expected<Entry> entry = parseEntry(name, value);
            if (!entry)
                return failWith(label, entry.error());
            entries.push_back(std::move(*entry));
        }
    } catch (const std::exception& e) {
        return failWith(label, std::string("the header cannot be read (") + e.what() + ")");
    }

    // The byte ranges must tile the data exactly, as the format requires.
    const uint64_t dataLength = bytes.size() - 8 - headerLength;
    std::vector<const Entry*> order;
    for (const Entry& e : entries)
        order.push_back(&e);
    std::sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    uint64_t covered = 0;
    for (const Entry* e : order) {
        if (e->end > dataLength)
            return failWith(label, "tensor '" + e->name + "' data runs past the end of the file (truncated?)");
        if (e->begin < covered)
            return failWith(label, "tensor '" + e->name + "' overlaps another tensor's data");
        if (e->begin > covered)
            return failWith(label, "bytes " + std::to_string(covered) + " to " + std::to_string(e->begin)
                + " of the data belong to no tensor (corrupted?)");
        covered = e->end;
    }
    if (covered != dataLength)
        return failWith(label, std::to_string(dataLength - covered) + " bytes after the last tensor belong to no tensor");

    const uint8_t* data = bytes.data() + 8 + headerLength;
    try {
        for (const Entry& e : entries) {
            std::vector<float> values(static_cast<size_t>((e.end - e.begin) / dtypeSize(e.dtype)));
            convertToFloat(e.dtype, data + e.begin, values.size(), values.data());
            // A shape with a zero still yields an empty tensor of that shape.
            checkpoint.tensors[e.name] = StoredTensor{std::string(dtypeName(e.dtype)), Tensor(e.shape, std::move(values))};
        }
    } catch (const std::bad_alloc&) {
        return failWith(label, "too large to load");
    }
    if (checkpoint.tensors.empty())
        checkpoint.notes.push_back("the file holds no tensors");
    return checkpoint;
}

Expected<Checkpoint> readSafetensors(const std::filesystem::path& path)
{
    Expected<std::vector<uint8_t>> bytes = readFileBytes(path, "safetensors");
    if (!bytes)
        return std::move(bytes).takeError();
    return parseSafetensors(*bytes, fileLabel("safetensors", path));
}

Status writeSafetensors(const std::filesystem::path& path, const std::map<std::string, Tensor>& tensors,
    const std::map<std::string, std::string>& metadata)
{
    const std::string label = fileLabel("safetensors", path);
    Json header = Json::object();
    uint64_t offset = 0;
    for (const auto& [name, tensor] : tensors) {
        if (name == kMetadataKey)
            return failWith(label, "cannot write: '__metadata__' is reserved and cannot name a tensor");
        if (shapeNumel(tensor.shape()) != tensor.numel())
            return failWith(label, "cannot write: tensor '" + name + "' has shape " + shapeToString(tensor.shape())
                + " but " + std::to_string(tensor.numel()) + " values");
        const uint64_t size = static_cast<uint64_t>(tensor.numel()) * 4;
        header[name] = {{"dtype", "F32"}, {"shape", tensor.shape()}, {"data_offsets", {offset, offset + size}}};
        offset += size;
    }
    if (!metadata.empty())
        header[std::string(kMetadataKey)] = metadata;

    std::string text;
    try {
        text = header.dump();
    } catch (const std::exception&) {
        return failWith(label, "cannot write: tensor names and metadata must be valid UTF-8");
    }
    // Padding with spaces keeps the data 8-byte aligned, as the format recommends.
    text.append((8 - text.size() % 8) % 8, ' ');

    return writeFileAtomically(path, "safetensors", [&](FileSink& out) {
        uint8_t length[8];
        storeLe64(length, text.size());
        out.write(length, sizeof length);
        out.write(text.data(), text.size());
        std::vector<uint8_t> chunk;
        for (const auto& [name, tensor] : tensors) {
            chunk.resize(static_cast<size_t>(tensor.numel()) * 4);
            for (size_t i = 0; i < static_cast<size_t>(tensor.numel()); ++i)
                storeLe32(chunk.data() + 4 * i, std::bit_cast<uint32_t>(tensor.data()[i]));
            if (!out.write(chunk.data(), chunk.size()))
                return false;
        }
        return out.ok();
    });
}

} // namespace rnnpool
