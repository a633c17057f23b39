#include "mcu/c_emitter.h"

#include <cstdint>
#include <limits>

namespace rnnpool {

namespace {

// INT32_MIN and INT64_MIN have no literal of their own in C.
std::string literal(const std::string& type, int64_t v)
{
    if (type == "int32_t" && v == std::numeric_limits<int32_t>::min())
        return "(-2147483647 - 1)";
    if (v == std::numeric_limits<int64_t>::min())
        return "(-9223372036854775807LL - 1)";
    return std::to_string(v);
}

} // namespace

std::string cArray(const std::string& type, const std::string& name, const std::vector<int64_t>& values, int align)
{
    std::string out = "const " + type + " " + name + "[" + std::to_string(values.empty() ? 1 : values.size()) + "]";
    if (align > 1)
        out += " __attribute__((aligned(" + std::to_string(align) + ")))";
    out += " = {";
    const size_t perLine = type == "int8_t" || type == "uint8_t" ? 20 : 12;
    if (values.empty())
        out += "0";
    for (size_t i = 0; i < values.size(); ++i) {
        if (i % perLine == 0)
            out += "\n    ";
        out += literal(type, values[i]);
        if (i + 1 < values.size())
            out += (i + 1) % perLine == 0 ? "," : ", ";
    }
    out += "\n};\n";
    return out;
}

std::string cArrayDeclaration(const std::string& type, const std::string& name, size_t count)
{
    return "extern const " + type + " " + name + "[" + std::to_string(count == 0 ? 1 : count) + "];\n";
}

std::string cStringLiteral(const std::string& text)
{
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

} // namespace rnnpool
