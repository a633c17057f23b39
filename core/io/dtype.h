// DType: the element types that model files store, and their conversion to
// the engine's float32. Names follow safetensors ("F32", "BF16", "I64", ...),
// which is also how Checkpoint reports the type a tensor was stored in.
//
//   std::optional<DType> t = dtypeFromName("BF16");
//   std::vector<float> out(count);
//   convertToFloat(*t, bytes.data(), count, out.data());
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "util/checked.h"

namespace rnnpool {

enum class DType : uint8_t { F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, Bool };

// "F32", "F64", "F16", "BF16", "I64", "I32", "I16", "I8", "U64", "U32", "U16", "U8", "BOOL".
std::string_view dtypeName(DType type);
std::optional<DType> dtypeFromName(std::string_view name);
size_t dtypeSize(DType type);

float halfToFloat(uint16_t bits);
float bfloat16ToFloat(uint16_t bits);

// checkedNumel() (util/checked.h): shapes from files go through it before a
// Tensor is made of them.

// One little-endian element at `src`, converted to float (integers round to the
// nearest float; a checkpoint's int64 counters such as num_batches_tracked are
// small enough to stay exact).
float loadAsFloat(DType type, const uint8_t* src);

// `count` consecutive little-endian elements at `src`, converted to float.
void convertToFloat(DType type, const uint8_t* src, size_t count, float* dst);

// Little-endian loads that do not depend on alignment or host byte order.
inline uint16_t loadLe16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t loadLe32(const uint8_t* p)
{
    return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16)
        | (static_cast<uint32_t>(p[3]) << 24);
}
inline uint64_t loadLe64(const uint8_t* p)
{
    return static_cast<uint64_t>(loadLe32(p)) | (static_cast<uint64_t>(loadLe32(p + 4)) << 32);
}
inline void storeLe32(uint8_t* p, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void storeLe64(uint8_t* p, uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        p[i] = static_cast<uint8_t>(v >> (8 * i));
}

} // namespace rnnpool
