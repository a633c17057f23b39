/* Requantisation: the one place where an int32 accumulator becomes a value of
 * another scale. Every integer kernel calls rp_requantize_s32 and nothing else.
 *
 *   real scale  = multiplier / 2^31 * 2^shift      (multiplier in Q31, |m| < 2^31)
 *   result      = floor(acc * multiplier * 2^(shift - 31) + 1/2)
 *
 * Rounding: ONE rounding of the exact 64-bit product, half-way cases toward
 * +infinity ("round half up"), i.e. an arithmetic right shift of
 * acc * multiplier + 2^(n-1) by n = 31 - shift. This differs from gemmlowp's
 * SaturatingRoundingDoublingHighMul + RoundingDivideByPOT (two roundings,
 * ties away from zero); it is exact and is tested against a long-double
 * formula (tests/core/integer/requantize_test.cpp). The shift must lie in
 * [-31, 30]; the result saturates to the int32 range.
 *
 * Portable C11, no float; usable from C++ (extern "C" not needed: inline).
 *
 *   int32_t v = rp_requantize_s32(acc, q.multiplier[c], q.shift[c]) + zero_point;
 *   out[i] = (int8_t)rp_clamp_s32(v, -128, 127);
 */
#ifndef RNNPOOL_INTEGER_REQUANTIZE_H
#define RNNPOOL_INTEGER_REQUANTIZE_H

#include <stdint.h>

#define RP_REQUANT_MIN_SHIFT (-31)
#define RP_REQUANT_MAX_SHIFT 30

static inline int32_t rp_requantize_s32(int32_t acc, int32_t multiplier, int32_t shift)
{
    const int64_t product = (int64_t)acc * (int64_t)multiplier;
    const int32_t n = 31 - shift; /* in [1, 62] */
    if (n > 32) {
        /* Scales below 1/4 (the usual case): the rounding term 2^(n-1) is a
         * multiple of 2^32, so it adds to the product's high word alone, and
         * floors of powers of two compose: the result is
         * floor((floor(product / 2^32) + 2^(r-1)) / 2^r), r = n - 32. The high
         * word is at most 2^30 in magnitude and 2^(r-1) <= 2^29: int32 holds
         * it, no saturation is possible. On a Cortex-M4: SMULL, ADD, ASR. */
        const int32_t r = n - 32;
        return ((int32_t)(product >> 32) + ((int32_t)1 << (r - 1))) >> r;
    }
    const int64_t rounded = (product + ((int64_t)1 << (n - 1))) >> n;
    if (rounded > INT32_MAX)
        return INT32_MAX;
    if (rounded < INT32_MIN)
        return INT32_MIN;
    return (int32_t)rounded;
}

static inline int32_t rp_clamp_s32(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* A requantised int32 accumulator as an int8 output value. */
static inline int8_t rp_output_s8(int32_t acc, int32_t multiplier, int32_t shift, int32_t zero_point, int32_t lo, int32_t hi)
{
    return (int8_t)rp_clamp_s32(rp_requantize_s32(acc, multiplier, shift) + zero_point, lo, hi);
}

#endif
