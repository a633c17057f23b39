#include "io/picture_header.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>
#include <string_view>

#include "util/checked.h"
#include "util/limits.h"

namespace rnnpool {

namespace {

uint32_t be16(const uint8_t* p) { return static_cast<uint32_t>(p[0]) << 8 | p[1]; }
uint32_t be32(const uint8_t* p) { return be16(p) << 16 | be16(p + 2); }
uint32_t le16(const uint8_t* p) { return static_cast<uint32_t>(p[1]) << 8 | p[0]; }
uint32_t le24(const uint8_t* p) { return le16(p) | static_cast<uint32_t>(p[2]) << 16; }
uint32_t le32(const uint8_t* p) { return le16(p) | le16(p + 2) << 16; }

bool startsWith(std::span<const uint8_t> bytes, std::string_view magic)
{
    return bytes.size() >= magic.size() && std::memcmp(bytes.data(), magic.data(), magic.size()) == 0;
}

// Where the JPEG's first scan's data starts, and the frame size, walking the
// marker segments by their lengths (so an EXIF thumbnail's own markers are skipped).
struct JpegLayout {
    int64_t width = 0, height = 0;
    size_t scanStart = 0;
};

Expected<JpegLayout> walkJpeg(std::span<const uint8_t> b)
{
    JpegLayout layout;
    bool haveFrame = false;
    size_t pos = 2;
    while (true) {
        if (pos >= b.size())
            return makeError("the JPEG ends inside its headers (cut short)");
        if (b[pos] != 0xFF)
            return makeError("the JPEG has no marker at byte " + std::to_string(pos) + " (damaged)");
        while (pos < b.size() && b[pos] == 0xFF)
            ++pos;
        if (pos >= b.size())
            return makeError("the JPEG ends inside its headers (cut short)");
        const uint8_t marker = b[pos++];
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            continue; // markers without a length
        if (marker == 0xD9)
            return makeError("the JPEG ends before its picture data");
        if (pos + 2 > b.size())
            return makeError("the JPEG ends inside its headers (cut short)");
        const size_t length = be16(b.data() + pos);
        if (length < 2 || pos + length > b.size())
            return makeError("the JPEG ends inside its headers (cut short)");
        const bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (frame) {
            if (length < 7)
                return makeError("the JPEG's frame header is malformed");
            layout.height = be16(b.data() + pos + 3);
            layout.width = be16(b.data() + pos + 5);
            haveFrame = true;
        }
        if (marker == 0xDA) {
            if (!haveFrame)
                return makeError("the JPEG has picture data before its frame header (damaged)");
            layout.scanStart = pos + length;
            return layout;
        }
        pos += length;
    }
}

// "P6\n# comment\n640 480\n255\n": the width and height of a PNM header.
std::optional<std::pair<int64_t, int64_t>> pnmSize(std::span<const uint8_t> b)
{
    size_t pos = 2;
    int64_t values[2] = {0, 0};
    for (int64_t& v : values) {
        while (pos < b.size() && (std::isspace(b[pos]) || b[pos] == '#')) {
            if (b[pos] == '#')
                while (pos < b.size() && b[pos] != '\n')
                    ++pos;
            else
                ++pos;
        }
        size_t digits = 0;
        while (pos < b.size() && std::isdigit(b[pos]) && digits < 10) {
            v = v * 10 + (b[pos++] - '0');
            ++digits;
        }
        if (digits == 0 || digits == 10)
            return std::nullopt;
    }
    return std::pair{values[0], values[1]};
}

// Tags 256 and 257 (ImageWidth, ImageLength) of a classic TIFF's first IFD.
std::optional<std::pair<int64_t, int64_t>> tiffSize(std::span<const uint8_t> b)
{
    const bool little = b[0] == 'I';
    const auto u16 = [&](size_t at) { return little ? le16(b.data() + at) : be16(b.data() + at); };
    const auto u32 = [&](size_t at) { return little ? le32(b.data() + at) : be32(b.data() + at); };
    const size_t ifd = u32(4);
    if (ifd + 2 > b.size())
        return std::nullopt;
    const size_t count = u16(ifd);
    if (ifd + 2 + count * 12 > b.size())
        return std::nullopt;
    int64_t width = 0, height = 0;
    for (size_t i = 0; i < count; ++i) {
        const size_t e = ifd + 2 + i * 12;
        const uint32_t tag = u16(e), type = u16(e + 2);
        const int64_t value = type == 3 ? u16(e + 8) : u32(e + 8);
        if (tag == 256)
            width = value;
        else if (tag == 257)
            height = value;
    }
    return std::pair{width, height};
}

} // namespace

Expected<std::optional<PictureHeader>> readPictureHeader(std::span<const uint8_t> b)
{
    if (startsWith(b, "\x89PNG\r\n\x1a\n")) {
        if (b.size() < 24 || std::memcmp(b.data() + 12, "IHDR", 4) != 0)
            return makeError("the PNG header is cut short or lacks IHDR");
        return std::optional<PictureHeader>{{"png", be32(b.data() + 16), be32(b.data() + 20)}};
    }
    if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) {
        auto layout = walkJpeg(b);
        if (!layout)
            return std::move(layout).takeError();
        return std::optional<PictureHeader>{{"jpeg", layout->width, layout->height}};
    }
    if (startsWith(b, "BM")) {
        if (b.size() < 26)
            return makeError("the BMP header is cut short");
        const int64_t width = static_cast<int32_t>(le32(b.data() + 18));
        const int64_t height = static_cast<int32_t>(le32(b.data() + 22));
        return std::optional<PictureHeader>{{"bmp", std::abs(width), std::abs(height)}};
    }
    if (startsWith(b, "GIF87a") || startsWith(b, "GIF89a")) {
        if (b.size() < 10)
            return makeError("the GIF header is cut short");
        return std::optional<PictureHeader>{{"gif", le16(b.data() + 6), le16(b.data() + 8)}};
    }
    if (startsWith(b, "RIFF") && b.size() >= 16 && std::memcmp(b.data() + 8, "WEBP", 4) == 0) {
        const std::string_view chunk(reinterpret_cast<const char*>(b.data() + 12), 4);
        if (chunk == "VP8X" && b.size() >= 30)
            return std::optional<PictureHeader>{{"webp", le24(b.data() + 24) + 1, le24(b.data() + 27) + 1}};
        if (chunk == "VP8L" && b.size() >= 25) {
            const uint32_t bits = le32(b.data() + 21);
            return std::optional<PictureHeader>{{"webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1}};
        }
        if (chunk == "VP8 " && b.size() >= 30)
            return std::optional<PictureHeader>{{"webp", le16(b.data() + 26) & 0x3FFF, le16(b.data() + 28) & 0x3FFF}};
        return makeError("the WebP header is cut short or of an unknown kind");
    }
    if (b.size() >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6' && std::isspace(b[2])) {
        const auto size = pnmSize(b);
        if (!size)
            return makeError("the PNM header is cut short or malformed");
        return std::optional<PictureHeader>{{"pnm", size->first, size->second}};
    }
    if (startsWith(b, "II*\0") || startsWith(b, "MM\0*")) {
        const auto size = b.size() >= 8 ? tiffSize(b) : std::nullopt;
        if (!size)
            return makeError("the TIFF header is cut short or malformed");
        return std::optional<PictureHeader>{{"tiff", size->first, size->second}};
    }
    return std::optional<PictureHeader>{};
}

Status checkPictureHeader(std::span<const uint8_t> bytes)
{
    using namespace limits;
    auto header = readPictureHeader(bytes);
    if (!header)
        return makeError(header.error());
    if (!*header)
        return makeError("not a PNG, JPEG, BMP, WebP, TIFF or PNM picture (the formats whose size is checked before "
                         "decoding)");
    const PictureHeader& h = **header;
    if (h.width <= 0 || h.height <= 0)
        return makeError("the " + h.format + " header declares an empty picture (" + std::to_string(h.width) + "x" +
                         std::to_string(h.height) + ")");
    // A header may declare up to 2^32-1 a side: the product is checked.
    const std::optional<int64_t> pixels = checkedMul(h.width, h.height);
    if (h.width > kMaxPictureSide || h.height > kMaxPictureSide || !pixels || *pixels > kMaxPicturePixels)
        return makeError("declares " + std::to_string(h.width) + "x" + std::to_string(h.height) + " pixels (" +
                         (pixels ? megapixels(*pixels) : std::string("beyond int64")) + "), beyond the limit of " +
                         megapixels(kMaxPicturePixels) +
                         " and " + std::to_string(kMaxPictureSide) +
                         " a side (kMaxPicturePixels, kMaxPictureSide in core/util/limits.h); not decoded");
    if (h.format == "jpeg") {
        // Entropy-coded data never holds FF D9 (FF is stuffed), so its absence
        // after the first scan means the file was cut short.
        const size_t scanStart = walkJpeg(bytes)->scanStart;
        static constexpr uint8_t kEnd[] = {0xFF, 0xD9};
        const auto end = std::search(bytes.begin() + static_cast<ptrdiff_t>(scanStart), bytes.end(), kEnd, kEnd + 2);
        if (end == bytes.end())
            return makeError("the JPEG ends without its end marker: cut short or damaged (" + std::to_string(bytes.size()) +
                             " bytes)");
    }
    if (h.format == "png") {
        static constexpr char kIend[] = {'I', 'E', 'N', 'D'};
        const auto end = std::find_end(bytes.begin(), bytes.end(), kIend, kIend + 4);
        if (end == bytes.end())
            return makeError("the PNG has no IEND chunk: cut short or damaged (" + std::to_string(bytes.size()) + " bytes)");
    }
    return Status::ok();
}

} // namespace rnnpool
