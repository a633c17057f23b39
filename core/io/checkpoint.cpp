#include "io/checkpoint.h"

#include <cstdio>
#include <cstring>
#include <string_view>

#include "io/file_io.h"
#include "io/pth_reader.h"
#include "io/safetensors.h"

namespace rnnpool {
namespace {

bool startsWith(std::span<const uint8_t> bytes, std::string_view prefix, size_t at = 0)
{
    return bytes.size() >= at + prefix.size() && std::memcmp(bytes.data() + at, prefix.data(), prefix.size()) == 0;
}

// Text files are the most common wrong pick (a README, a config, a Git LFS
// pointer in place of the real weights), so show how they start.
bool looksLikeText(std::span<const uint8_t> bytes)
{
    const size_t n = std::min<size_t>(bytes.size(), 512);
    for (size_t i = 0; i < n; ++i) {
        const uint8_t c = bytes[i];
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t')
            return false;
        if (c == 0x7f)
            return false;
    }
    return true;
}

std::string quoteStart(std::span<const uint8_t> bytes)
{
    std::string start;
    for (size_t i = 0; i < bytes.size() && start.size() < 40; ++i) {
        const char c = static_cast<char>(bytes[i]);
        if (c == '\n' || c == '\r')
            break;
        start += (static_cast<uint8_t>(c) >= 0x20 && static_cast<uint8_t>(c) < 0x7f) ? c : '?';
    }
    return start;
}

} // namespace

TensorMap Checkpoint::tensorMap() const
{
    TensorMap map;
    for (const auto& [name, stored] : tensors)
        map.emplace(name, stored.values);
    return map;
}

std::string describeContent(std::span<const uint8_t> bytes)
{
    if (bytes.empty())
        return "the file is empty";
    if (startsWith(bytes, "\x89PNG\r\n\x1a\n"))
        return "it is a PNG image, not a model file";
    if (startsWith(bytes, "\xff\xd8\xff"))
        return "it is a JPEG image, not a model file";
    if (startsWith(bytes, "GIF87a") || startsWith(bytes, "GIF89a"))
        return "it is a GIF image, not a model file";
    if (startsWith(bytes, "%PDF"))
        return "it is a PDF document, not a model file";
    if (startsWith(bytes, "\x93NUMPY"))
        return "it is a NumPy .npy array, not a checkpoint";
    if (startsWith(bytes, "\x89HDF\r\n\x1a\n"))
        return "it is an HDF5 file (a Keras .h5 model?), not a PyTorch or safetensors checkpoint";
    if (startsWith(bytes, "\x1f\x8b"))
        return "it is gzip-compressed; decompress it first";
    if (startsWith(bytes, "TFL3", 4))
        return "it is a TensorFlow Lite model, not a PyTorch or safetensors checkpoint";
    if (startsWith(bytes, "ustar", 257))
        return "it is a tar archive (PyTorch before 0.4 saved tar checkpoints; re-save it with a newer torch)";
    if (startsWith(bytes, "version https://git-lfs"))
        return "it is a Git LFS pointer, not the model itself (run 'git lfs pull')";
    if (startsWith(bytes, "PK\x03\x04") || startsWith(bytes, "PK\x05\x06"))
        return "it is a zip archive";
    if (looksLikeText(bytes))
        return "it is a text file starting \"" + quoteStart(bytes) + "\"";
    char start[32];
    std::snprintf(start, sizeof start, "%02x %02x %02x %02x", bytes[0], bytes.size() > 1 ? bytes[1] : 0,
        bytes.size() > 2 ? bytes[2] : 0, bytes.size() > 3 ? bytes[3] : 0);
    return std::string("its content is not a format this reader knows (it starts with bytes ") + start + ")";
}

Expected<Checkpoint> parseCheckpoint(std::span<const uint8_t> bytes, const std::string& label)
{
    if (bytes.empty())
        return makeError(label + ": the file is empty");
    if (looksLikeZip(bytes))
        return parsePthZip(bytes, label);
    if (looksLikePickle(bytes))
        return parsePthLegacy(bytes, label);
    if (looksLikeSafetensors(bytes))
        return parseSafetensors(bytes, label);
    return makeError(label + ": not a PyTorch or safetensors checkpoint: " + describeContent(bytes));
}

Expected<Checkpoint> readCheckpoint(const std::filesystem::path& path)
{
    Expected<std::vector<uint8_t>> bytes = readFileBytes(path, "checkpoint");
    if (!bytes)
        return std::move(bytes).takeError();
    return parseCheckpoint(*bytes, fileLabel("checkpoint", path));
}

} // namespace rnnpool
