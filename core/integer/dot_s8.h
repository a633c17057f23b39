/* Int8 dot products and sums, the inner loops of the convolutions. The
 * portable loops vectorise on x86; with the Arm DSP extension (Cortex-M4)
 * pairs of int8 are widened with SXTB16 and summed with SMLAD, which gives
 * the same exact int32 sums in another order. Internal to core/integer. */
#ifndef RNNPOOL_INTEGER_DOT_S8_H
#define RNNPOOL_INTEGER_DOT_S8_H

#include <stdint.h>
#include <string.h>

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define RP_USE_DSP 1
#define rp_sxtb16 __sxtb16
#define rp_smlad __smlad
#define rp_sadd16 __sadd16
#define rp_smlabb __smlabb
#define rp_smlatt __smlatt
#elif defined(RP_EMULATE_DSP)
/* Host tests only: the DSP path with C models of the two instructions
 * (Arm ARM: SXTB16 sign-extends bytes 0 and 2 into the two halfwords; SMLAD
 * adds both halfword products to the accumulator). */
typedef uint32_t int16x2_t;
static inline int16x2_t rp_sxtb16(uint32_t x)
{
    const uint32_t lo = (uint32_t)(uint16_t)(int16_t)(int8_t)(x & 0xFFu);
    const uint32_t hi = (uint32_t)(uint16_t)(int16_t)(int8_t)((x >> 16) & 0xFFu);
    return lo | (hi << 16);
}
static inline int32_t rp_smlad(int16x2_t a, int16x2_t b, int32_t acc)
{
    const int32_t p0 = (int32_t)(int16_t)(a & 0xFFFFu) * (int32_t)(int16_t)(b & 0xFFFFu);
    const int32_t p1 = (int32_t)(int16_t)(a >> 16) * (int32_t)(int16_t)(b >> 16);
    return (int32_t)((uint32_t)acc + (uint32_t)p0 + (uint32_t)p1);
}
/* SADD16: halfword-wise add, each wrapping; SMLABB / SMLATT: the bottom
 * (top) halfwords' product added to the accumulator. */
static inline int16x2_t rp_sadd16(int16x2_t a, int16x2_t b)
{
    const uint32_t lo = (a + b) & 0xFFFFu;
    const uint32_t hi = ((a >> 16) + (b >> 16)) & 0xFFFFu;
    return lo | (hi << 16);
}
static inline int32_t rp_smlabb(int16x2_t a, int16x2_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)((int32_t)(int16_t)(a & 0xFFFFu) * (int32_t)(int16_t)(b & 0xFFFFu)));
}
static inline int32_t rp_smlatt(int16x2_t a, int16x2_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)((int32_t)(int16_t)(a >> 16) * (int32_t)(int16_t)(b >> 16)));
}
#define RP_USE_DSP 1
#endif

static inline int32_t rp_sum_s8(const int8_t* a, int32_t n)
{
    int32_t s = 0;
    for (int32_t i = 0; i < n; ++i)
        s += a[i];
    return s;
}

#ifdef RP_USE_DSP
/* Four int8 from memory as two pairs of int16: (a0, a2) and (a1, a3). */
static inline void rp_load_pairs(const int8_t* p, int16x2_t* even, int16x2_t* odd)
{
    uint32_t word;
    memcpy(&word, p, 4);
    *even = rp_sxtb16(word);
    *odd = rp_sxtb16((word >> 8) | (word << 24));
}
#endif

static inline int32_t rp_dot_s8(const int8_t* a, const int8_t* b, int32_t n)
{
    int32_t s = 0;
    int32_t i = 0;
#ifdef RP_USE_DSP
    for (; i + 4 <= n; i += 4) {
        int16x2_t ae, ao, be, bo;
        rp_load_pairs(a + i, &ae, &ao);
        rp_load_pairs(b + i, &be, &bo);
        s = rp_smlad(ae, be, s);
        s = rp_smlad(ao, bo, s);
    }
#endif
    for (; i < n; ++i)
        s += (int32_t)a[i] * b[i];
    return s;
}

/* Two dot products of one row `w` with two vectors, a0 . w and a1 . w: the
 * weights are widened once for both. */
static inline void rp_dot2_s8(const int8_t* a0, const int8_t* a1, const int8_t* w, int32_t n, int32_t* s0, int32_t* s1)
{
    int32_t t0 = 0, t1 = 0;
    int32_t i = 0;
#ifdef RP_USE_DSP
    for (; i + 4 <= n; i += 4) {
        int16x2_t we, wo, xe, xo;
        rp_load_pairs(w + i, &we, &wo);
        rp_load_pairs(a0 + i, &xe, &xo);
        t0 = rp_smlad(xo, wo, rp_smlad(xe, we, t0));
        rp_load_pairs(a1 + i, &xe, &xo);
        t1 = rp_smlad(xo, wo, rp_smlad(xe, we, t1));
    }
#endif
    for (; i < n; ++i) {
        t0 += (int32_t)a0[i] * w[i];
        t1 += (int32_t)a1[i] * w[i];
    }
    *s0 = t0;
    *s1 = t1;
}

/* Four dot products of one vector `x` with four consecutive rows of `w`. */
static inline void rp_dot4_s8(const int8_t* x, const int8_t* w, int32_t n, int32_t acc[4])
{
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    const int8_t* w0 = w;
    const int8_t* w1 = w + n;
    const int8_t* w2 = w + 2 * n;
    const int8_t* w3 = w + 3 * n;
    int32_t i = 0;
#ifdef RP_USE_DSP
    for (; i + 4 <= n; i += 4) {
        int16x2_t xe, xo, we, wo;
        rp_load_pairs(x + i, &xe, &xo);
        rp_load_pairs(w0 + i, &we, &wo);
        s0 = rp_smlad(xo, wo, rp_smlad(xe, we, s0));
        rp_load_pairs(w1 + i, &we, &wo);
        s1 = rp_smlad(xo, wo, rp_smlad(xe, we, s1));
        rp_load_pairs(w2 + i, &we, &wo);
        s2 = rp_smlad(xo, wo, rp_smlad(xe, we, s2));
        rp_load_pairs(w3 + i, &we, &wo);
        s3 = rp_smlad(xo, wo, rp_smlad(xe, we, s3));
    }
#endif
    for (; i < n; ++i) {
        const int32_t v = x[i];
        s0 += v * w0[i];
        s1 += v * w1[i];
        s2 += v * w2[i];
        s3 += v * w3[i];
    }
    acc[0] = s0;
    acc[1] = s1;
    acc[2] = s2;
    acc[3] = s3;
}

#endif
