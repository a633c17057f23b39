#include "io/dtype.h"

#include <array>
#include <bit>
#include <cmath>
#include <cstring>

namespace rnnpool {
namespace {

struct DTypeInfo {
    DType type;
    std::string_view name;
    size_t size;
};

constexpr std::array<DTypeInfo, 13> kDTypes{{
    {DType::F64, "F64", 8},
    {DType::F32, "F32", 4},
    {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2},
    {DType::I64, "I64", 8},
    {DType::I32, "I32", 4},
    {DType::I16, "I16", 2},
    {DType::I8, "I8", 1},
    {DType::U64, "U64", 8},
    {DType::U32, "U32", 4},
    {DType::U16, "U16", 2},
    {DType::U8, "U8", 1},
    {DType::Bool, "BOOL", 1},
}};

const DTypeInfo& info(DType type) { return kDTypes[static_cast<size_t>(type)]; }

} // namespace

std::string_view dtypeName(DType type) { return info(type).name; }
size_t dtypeSize(DType type) { return info(type).size; }

std::optional<DType> dtypeFromName(std::string_view name)
{
    for (const DTypeInfo& d : kDTypes)
        if (d.name == name)
            return d.type;
    return std::nullopt;
}

float halfToFloat(uint16_t bits)
{
    const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
    const uint32_t exponent = (bits >> 10) & 0x1fu;
    const uint32_t mantissa = bits & 0x3ffu;
    if (exponent == 0) {
        // Zero or subnormal: the value is mantissa * 2^-24, exact in float.
        const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 0x1f) // infinity or NaN, keeping the NaN payload
        return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
    return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

float bfloat16ToFloat(uint16_t bits) { return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16); }

float loadAsFloat(DType type, const uint8_t* src)
{
    switch (type) {
    case DType::F64: return static_cast<float>(std::bit_cast<double>(loadLe64(src)));
    case DType::F32: return std::bit_cast<float>(loadLe32(src));
    case DType::F16: return halfToFloat(loadLe16(src));
    case DType::BF16: return bfloat16ToFloat(loadLe16(src));
    case DType::I64: return static_cast<float>(static_cast<int64_t>(loadLe64(src)));
    case DType::I32: return static_cast<float>(static_cast<int32_t>(loadLe32(src)));
    case DType::I16: return static_cast<float>(static_cast<int16_t>(loadLe16(src)));
    case DType::I8: return static_cast<float>(static_cast<int8_t>(src[0]));
    case DType::U64: return static_cast<float>(loadLe64(src));
    case DType::U32: return static_cast<float>(loadLe32(src));
    case DType::U16: return static_cast<float>(loadLe16(src));
    case DType::U8: return static_cast<float>(src[0]);
    case DType::Bool: return src[0] ? 1.0f : 0.0f;
    }
    return 0.0f;
}

void convertToFloat(DType type, const uint8_t* src, size_t count, float* dst)
{
    if (count == 0)
        return;
    if (type == DType::F32 && std::endian::native == std::endian::little) {
        // The common case, and the only one worth a fast path: weights are F32.
        std::memcpy(dst, src, count * sizeof(float));
        return;
    }
    const size_t step = dtypeSize(type);
    for (size_t i = 0; i < count; ++i)
        dst[i] = loadAsFloat(type, src + i * step);
}

} // namespace rnnpool
