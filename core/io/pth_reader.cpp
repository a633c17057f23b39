#include "io/pth_reader.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <new>
#include <optional>
#include <set>

#include <zip.h>

#include "io/file_io.h"
#include "io/pickle.h"
#include "io/state_dict_layout.h"

namespace rnnpool {
namespace {

// torch.serialization.MAGIC_NUMBER, 0x1950a86a20f9469cfc6c, as the LONG1 bytes.
constexpr uint8_t kLegacyMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
constexpr int64_t kLegacyProtocolVersion = 1001;
// Compressed zip entries could claim to inflate without bound. PyTorch stores
// its records uncompressed, so anything far beyond the archive's own size is
// not a checkpoint we need to read.
constexpr uint64_t kInflationFactor = 16;
constexpr uint64_t kInflationSlack = uint64_t{64} << 20;

// A read-only view of a zip archive in memory.
class ZipArchive {
public:
    static Expected<ZipArchive> open(std::span<const uint8_t> bytes)
    {
        zip_error_t error;
        zip_error_init(&error);
        zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
        if (!source) {
            Error e = makeError(std::string("the zip archive cannot be opened (") + zip_error_strerror(&error) + ")");
            zip_error_fini(&error);
            return e;
        }
        zip_t* archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
        if (!archive) {
            zip_source_free(source);
            Error e = makeError(std::string("the zip archive is damaged or truncated (") + zip_error_strerror(&error) + ")");
            zip_error_fini(&error);
            return e;
        }
        zip_error_fini(&error);
        return ZipArchive(archive, kInflationFactor * bytes.size() + kInflationSlack);
    }
    ZipArchive(ZipArchive&& other) noexcept : m_zip(std::exchange(other.m_zip, nullptr)), m_budget(other.m_budget) {}
    ZipArchive& operator=(ZipArchive&&) = delete;
    ~ZipArchive()
    {
        if (m_zip)
            zip_discard(m_zip);
    }

    std::vector<std::string> names() const
    {
        std::vector<std::string> out;
        const zip_int64_t count = zip_get_num_entries(m_zip, 0);
        for (zip_int64_t i = 0; i < count; ++i)
            if (const char* name = zip_get_name(m_zip, static_cast<zip_uint64_t>(i), 0))
                out.emplace_back(name);
        return out;
    }
    std::optional<zip_uint64_t> find(const std::string& name) const
    {
        const zip_int64_t index = zip_name_locate(m_zip, name.c_str(), 0);
        if (index < 0)
            return std::nullopt;
        return static_cast<zip_uint64_t>(index);
    }
    uint64_t sizeOf(zip_uint64_t index) const
    {
        zip_stat_t stat;
        zip_stat_init(&stat);
        if (zip_stat_index(m_zip, index, 0, &stat) != 0 || !(stat.valid & ZIP_STAT_SIZE))
            return 0;
        return stat.size;
    }

    // The whole record, checked against its CRC.
    Expected<std::vector<uint8_t>> read(zip_uint64_t index, const std::string& name)
    {
        const uint64_t size = sizeOf(index);
        if (size > m_budget)
            return makeError("the record '" + name + "' claims to hold " + std::to_string(size)
                + " bytes, far more than the archive can (corrupted?)");
        m_budget -= size;
        zip_file_t* file = zip_fopen_index(m_zip, index, 0);
        if (!file)
            return makeError("the record '" + name + "' cannot be opened (" + zip_strerror(m_zip) + ")");
        std::vector<uint8_t> data;
        std::string problem;
        try {
            data.resize(static_cast<size_t>(size));
            uint64_t done = 0;
            while (done < size) {
                const zip_int64_t n = zip_fread(file, data.data() + done, size - done);
                if (n <= 0) {
                    problem = n < 0 ? zip_file_strerror(file) : "it ends early";
                    break;
                }
                done += static_cast<uint64_t>(n);
            }
            // One more read reaches the end of the record, where libzip checks the CRC.
            uint8_t extra = 0;
            if (problem.empty()) {
                const zip_int64_t n = zip_fread(file, &extra, 1);
                if (n < 0)
                    problem = zip_file_strerror(file);
                else if (n > 0)
                    problem = "it holds more data than its header says";
            }
        } catch (const std::bad_alloc&) {
            problem = "it is too large to read into memory";
        }
        zip_fclose(file);
        if (!problem.empty())
            return makeError("the record '" + name + "' is damaged (" + problem + ")");
        return data;
    }

private:
    ZipArchive(zip_t* zip, uint64_t budget) : m_zip(zip), m_budget(budget) {}
    zip_t* m_zip;
    uint64_t m_budget;
};

Error failWith(const std::string& label, const std::string& message) { return makeError(label + ": " + message); }

} // namespace

bool looksLikeZip(std::span<const uint8_t> bytes)
{
    return bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] == 'K'
        && ((bytes[2] == 3 && bytes[3] == 4) || (bytes[2] == 5 && bytes[3] == 6));
}

bool looksLikePickle(std::span<const uint8_t> bytes)
{
    return bytes.size() >= 2 && bytes[0] == 0x80 && bytes[1] >= 2 && bytes[1] <= 5;
}

Expected<Checkpoint> parsePthZip(std::span<const uint8_t> bytes, const std::string& label)
{
    Expected<ZipArchive> archive = ZipArchive::open(bytes);
    if (!archive)
        return failWith(label, archive.error());

    // torch names the top folder after the file it first saved to, so look
    // for data.pkl by suffix.
    std::vector<std::string> pickles;
    for (const std::string& name : archive->names())
        if (name == "data.pkl" || name.ends_with("/data.pkl"))
            pickles.push_back(name);
    if (pickles.empty())
        return failWith(label, "it is a zip archive without a data.pkl record, so not a PyTorch checkpoint"
                               " (a NumPy .npz or another archive?)");
    if (pickles.size() > 1)
        return failWith(label, "the zip archive holds " + std::to_string(pickles.size()) + " data.pkl records ('"
            + pickles[0] + "', '" + pickles[1] + "'); which one is the model is ambiguous");
    const std::string prefix = pickles[0].substr(0, pickles[0].size() - std::strlen("data.pkl"));
    // TorchScript archives also hold data.pkl, but their pickles name the
    // model's own classes; say what the file is rather than refuse a class.
    if (archive->find(prefix + "constants.pkl"))
        return failWith(label, "it is a TorchScript model (torch.jit.save), not a state dict; save "
                               "model.state_dict() with torch.save instead");

    if (const std::optional<zip_uint64_t> order = archive->find(prefix + "byteorder")) {
        Expected<std::vector<uint8_t>> text = archive->sizeOf(*order) <= 16
            ? archive->read(*order, prefix + "byteorder")
            : Expected<std::vector<uint8_t>>(makeError("the byteorder record is too long"));
        if (!text)
            return failWith(label, text.error());
        const std::string value(text->begin(), text->end());
        if (value != "little")
            return failWith(label, "the checkpoint was saved with byte order '" + value
                + "'; only little-endian checkpoints are supported");
    }

    const std::optional<zip_uint64_t> pickleIndex = archive->find(pickles[0]);
    if (!pickleIndex)
        return failWith(label, "the record '" + pickles[0] + "' cannot be found by its own name (corrupted?)");
    Expected<std::vector<uint8_t>> pickleBytes = archive->read(*pickleIndex, pickles[0]);
    if (!pickleBytes)
        return failWith(label, pickleBytes.error());
    Expected<PickleDocument> doc = unpickle(*pickleBytes);
    if (!doc)
        return failWith(label, doc.error());
    Expected<StateDictLayout> layout = readStateDictLayout(*doc);
    if (!layout)
        return failWith(label, layout.error());

    std::map<std::string, std::vector<uint8_t>> records;
    std::map<std::string, std::span<const uint8_t>> storages;
    for (const TensorLayout& tensor : layout->tensors) {
        if (records.count(tensor.storageKey))
            continue;
        const StorageDecl& decl = layout->storages.at(tensor.storageKey);
        const std::string name = prefix + "data/" + tensor.storageKey;
        const std::optional<zip_uint64_t> index = archive->find(name);
        if (!index)
            return failWith(label, "tensor '" + tensor.name + "': its storage record '" + name
                + "' is missing from the archive");
        const uint64_t size = archive->sizeOf(*index);
        if (static_cast<uint64_t>(decl.numel) > size / dtypeSize(decl.dtype))
            return failWith(label, "tensor '" + tensor.name + "' data runs past the end of its storage record '"
                + name + "' (" + std::to_string(size) + " bytes for " + std::to_string(decl.numel) + " elements of "
                + std::string(dtypeName(decl.dtype)) + "; truncated?)");
        Expected<std::vector<uint8_t>> data = archive->read(*index, name);
        if (!data)
            return failWith(label, "tensor '" + tensor.name + "': " + data.error());
        storages[tensor.storageKey] = records.emplace(tensor.storageKey, std::move(*data)).first->second;
    }

    Expected<Checkpoint> checkpoint = assembleCheckpoint(*layout, storages, "pytorch-zip");
    if (!checkpoint)
        return failWith(label, checkpoint.error());
    return checkpoint;
}

Expected<Checkpoint> parsePthLegacy(std::span<const uint8_t> bytes, const std::string& label)
{
    size_t position = 0;
    // Each stage is a separate pickle; messages about damage say which one.
    // A refused global needs no such detail: the name says it all.
    auto next = [&](const char* stage) -> Expected<PickleDocument> {
        Expected<PickleDocument> doc = unpickle(bytes.subspan(position));
        if (!doc) {
            const bool damage = doc.error().starts_with("malformed") || doc.error().starts_with("the pickle");
            return failWith(label, damage ? std::string(stage) + " (a pickle starting at file offset "
                                          + std::to_string(position) + "): " + doc.error()
                                          : doc.error());
        }
        position += doc->bytesConsumed();
        return doc;
    };

    Expected<PickleDocument> magic = next("reading the magic number");
    if (!magic)
        return std::move(magic).takeError();
    const PickleObject* m = magic->root();
    if (!m->is(PickleKind::BigInt) || m->text != std::string_view(reinterpret_cast<const char*>(kLegacyMagic), sizeof kLegacyMagic))
        return failWith(label, "it is a Python pickle, but not a PyTorch checkpoint (no PyTorch magic number)");

    Expected<PickleDocument> protocol = next("reading the protocol version");
    if (!protocol)
        return std::move(protocol).takeError();
    if (!protocol->root()->is(PickleKind::Int) || protocol->root()->integer != kLegacyProtocolVersion)
        return failWith(label, "unsupported legacy checkpoint protocol (expected 1001)");

    Expected<PickleDocument> sysInfo = next("reading sys_info");
    if (!sysInfo)
        return std::move(sysInfo).takeError();
    if (const PickleObject* little = sysInfo->root()->find("little_endian"); little && little->is(PickleKind::Bool)
        && !little->boolean)
        return failWith(label, "the checkpoint was saved on a big-endian machine; only little-endian checkpoints are supported");

    Expected<PickleDocument> main = next("reading the state dict");
    if (!main)
        return std::move(main).takeError();
    Expected<StateDictLayout> layout = readStateDictLayout(*main);
    if (!layout)
        return failWith(label, layout.error());

    Expected<PickleDocument> keys = next("reading the storage list");
    if (!keys)
        return std::move(keys).takeError();
    if (!keys->root()->is(PickleKind::List))
        return failWith(label, "the storage list is a " + std::string(pickleKindName(keys->root()->kind)) + " (corrupted?)");

    // Storages follow in the list's order, each an int64 element count and
    // the raw data; a storage's size is only known from its declared type.
    std::map<std::string, std::span<const uint8_t>> storages;
    for (const PickleObject* keyObject : keys->root()->items) {
        if (!keyObject->is(PickleKind::String))
            return failWith(label, "the storage list holds a " + std::string(pickleKindName(keyObject->kind)) + " (corrupted?)");
        const std::string& key = keyObject->text;
        const auto decl = layout->storages.find(key);
        if (decl == layout->storages.end())
            return failWith(label, "storage '" + key + "' is listed but never declared (corrupted?)");
        if (storages.count(key))
            return failWith(label, "storage '" + key + "' is listed twice (corrupted?)");
        // Only messages need the user's name, and finding it costs a search.
        const auto user = [&] { return layout->describeUser(key); };
        if (bytes.size() - position < 8)
            return failWith(label, user() + " data runs past the end of the file (truncated?)");
        const int64_t count = static_cast<int64_t>(loadLe64(bytes.data() + position));
        position += 8;
        if (count != decl->second.numel)
            return failWith(label, user() + ": the file holds " + std::to_string(count) + " elements for storage '" + key
                + "', the pickle declared " + std::to_string(decl->second.numel) + " (corrupted?)");
        const size_t elementSize = dtypeSize(decl->second.dtype);
        if (static_cast<uint64_t>(count) > (bytes.size() - position) / elementSize)
            return failWith(label, user() + " data runs past the end of the file (truncated?)");
        const size_t length = static_cast<size_t>(count) * elementSize;
        storages[key] = bytes.subspan(position, length);
        position += length;
    }

    Expected<Checkpoint> checkpoint = assembleCheckpoint(*layout, storages, "pytorch-legacy");
    if (!checkpoint)
        return failWith(label, checkpoint.error());
    return checkpoint;
}

Expected<Checkpoint> parsePth(std::span<const uint8_t> bytes, const std::string& label)
{
    if (bytes.empty())
        return failWith(label, "the file is empty");
    if (looksLikeZip(bytes))
        return parsePthZip(bytes, label);
    if (looksLikePickle(bytes))
        return parsePthLegacy(bytes, label);
    return failWith(label, "not a PyTorch checkpoint: " + describeContent(bytes));
}

Expected<Checkpoint> readPth(const std::filesystem::path& path)
{
    Expected<std::vector<uint8_t>> bytes = readFileBytes(path, "checkpoint");
    if (!bytes)
        return std::move(bytes).takeError();
    return parsePth(*bytes, fileLabel("checkpoint", path));
}

} // namespace rnnpool
