#include "io/pickle_text.h"

#include <charconv>
#include <cstdint>

namespace rnnpool {
namespace {

void appendUtf8(std::string& out, uint32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

} // namespace

std::optional<std::string> decodePythonRepr(std::string_view repr)
{
    if (repr.size() < 2 || (repr.front() != '\'' && repr.front() != '"') || repr.back() != repr.front())
        return std::nullopt;
    repr = repr.substr(1, repr.size() - 2);
    std::string out;
    for (size_t i = 0; i < repr.size(); ++i) {
        if (repr[i] != '\\') {
            out += repr[i];
            continue;
        }
        if (++i >= repr.size())
            return std::nullopt;
        switch (repr[i]) {
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case 'x': {
            unsigned value = 0;
            if (i + 2 >= repr.size())
                return std::nullopt;
            const auto [end, ec] = std::from_chars(repr.data() + i + 1, repr.data() + i + 3, value, 16);
            if (ec != std::errc() || end != repr.data() + i + 3)
                return std::nullopt;
            out += static_cast<char>(value);
            i += 2;
            break;
        }
        default: return std::nullopt; // octal and the rarer escapes never occur in model files
        }
    }
    return out;
}

std::optional<std::string> decodeRawUnicodeEscape(std::string_view raw)
{
    std::string out;
    for (size_t i = 0; i < raw.size(); ++i) {
        size_t width = 0;
        if (raw[i] == '\\' && i + 1 < raw.size())
            width = raw[i + 1] == 'u' ? 4 : raw[i + 1] == 'U' ? 8 : 0;
        if (width == 0 || i + 2 + width > raw.size()) {
            appendUtf8(out, static_cast<unsigned char>(raw[i])); // a Latin-1 byte
            continue;
        }
        uint32_t cp = 0;
        const auto [end, ec] = std::from_chars(raw.data() + i + 2, raw.data() + i + 2 + width, cp, 16);
        if (ec != std::errc() || end != raw.data() + i + 2 + width || cp > 0x10ffff)
            return std::nullopt;
        appendUtf8(out, cp);
        i += 1 + width;
    }
    return out;
}

} // namespace rnnpool
