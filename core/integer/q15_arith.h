/* Integer helpers shared by the FastGRNN/RNNPool Q15 kernels (internal).
 * Everything is defined for every input: no signed overflow, no shift of a
 * negative value, no reliance on implementation-defined conversions. */
#ifndef RNNPOOL_INTEGER_Q15_ARITH_H
#define RNNPOOL_INTEGER_Q15_ARITH_H

#include <stdint.h>

#include "integer/fastgrnn_q15.h"

/* The low 16 bits as a two's-complement value: what gcc's conversion to
 * int16_t does, written so that it does not depend on the compiler. */
static inline int16_t rp_wrap16(int64_t v)
{
    int32_t low = (int32_t)((uint64_t)v & 0xFFFFu);
    return (int16_t)(low >= 0x8000 ? low - 0x10000 : low);
}

static inline int16_t rp_sat16(int64_t v)
{
    return (int16_t)(v > INT16_MAX ? INT16_MAX : (v < INT16_MIN ? INT16_MIN : v));
}

static inline int32_t rp_sat32(int64_t v)
{
    return (int32_t)(v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : v));
}

/* floor(x / 2^s), what >> does on a signed value with gcc and clang. */
static inline int64_t rp_asr64(int64_t x, int32_t s)
{
    s = s > 63 ? 63 : s;
    return x >= 0 ? (x >> s) : ~((~x) >> s);
}

/* x * 2^s (EdgeML's << on a promoted int16, before the int16 store). */
static inline int64_t rp_shl64(int64_t x, int32_t s)
{
    return x * ((int64_t)1 << s);
}

/* EdgeML's "reduce x by s": C division (truncation toward zero) in div
 * mode, an arithmetic right shift in shift mode. */
static inline int64_t rp_reduce(int64_t x, int64_t s, rp_scale_mode mode)
{
    return mode == RP_SCALE_DIV ? x / s : rp_asr64(x, (int32_t)s);
}

/* Two scale fields combined as EdgeML combines them: a product of divisors
 * or a sum of shift counts. */
static inline int64_t rp_combine(int64_t a, int64_t b, rp_scale_mode mode)
{
    return mode == RP_SCALE_DIV ? a * b : a + b;
}

#endif
