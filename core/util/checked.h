// Checked arithmetic for shapes and sizes that come from files, specs and
// users: every product and sum either fits in int64 or says it does not, so a
// hostile shape (2^31 x 2^31, a kernel of 3 x 2^62) is refused instead of
// wrapping into a small or negative count.
//
//   std::optional<int64_t> n = checkedNumel(shape);   // nullopt: negative or overflow
//   if (!n || *n > limit) return makeError(...);
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace rnnpool {

inline std::optional<int64_t> checkedMul(int64_t a, int64_t b)
{
    int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r))
        return std::nullopt;
    return r;
}

inline std::optional<int64_t> checkedAdd(int64_t a, int64_t b)
{
    int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r))
        return std::nullopt;
    return r;
}

// The element count of a shape; nullopt for a negative extent or an overflow.
inline std::optional<int64_t> checkedNumel(std::span<const int64_t> shape)
{
    int64_t n = 1;
    for (int64_t d : shape)
        if (d < 0 || __builtin_mul_overflow(n, d, &n))
            return std::nullopt;
    return n;
}

// Whether a shape's extents are each at least 0 and, zeros counted as 1,
// multiply to at most `limit`: then every stride and partial product of the
// shape fits in int64 even when a zero extent makes the element count 0.
inline bool boundedExtent(std::span<const int64_t> shape, int64_t limit)
{
    int64_t n = 1;
    for (int64_t d : shape)
        if (d < 0 || __builtin_mul_overflow(n, d > 0 ? d : 1, &n) || n > limit)
            return false;
    return true;
}

} // namespace rnnpool
