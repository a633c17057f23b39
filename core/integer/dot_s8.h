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
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__GNUC__)
    /* SXTB16 rotates its operand itself (GCC emits a separate ROR). */
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(*odd) : "r"(word));
#else
    *odd = rp_sxtb16((word >> 8) | (word << 24));
#endif
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


/* Int8 vectors widened once to int16 for many dot products with int8
 * weights (a 1x1 convolution's pixels, each met by every output channel).
 * Groups of four are stored (x0, x2, x1, x3), the order in which SXTB16
 * widens a word of weights, so the DSP path loads a weight word, widens it
 * into two pairs and meets two int16 pairs with two SMLADs; the tail
 * (n % 4) follows in order. The portable path reads the same layout. */
static inline void rp_widen_s8(const int8_t* x, int32_t n, int32_t offset, int16_t* out)
{
    /* x + offset, offset in [-128, 128] (a tensor's -zero point): int16 holds it. */
    int32_t i = 0;
#ifdef RP_USE_DSP
    /* A word of four bytes becomes the pairs (x0, x2) and (x1, x3) with SXTB16,
     * the offset added to both halves with SADD16 (no wrap: |x + offset| <= 256). */
    const int16x2_t off2 = (int16x2_t)(((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16));
    for (; i + 4 <= n; i += 4) {
        int16x2_t even, odd;
        rp_load_pairs(x + i, &even, &odd);
        even = rp_sadd16(even, off2);
        odd = rp_sadd16(odd, off2);
        memcpy(out + i, &even, 4);
        memcpy(out + i + 2, &odd, 4);
    }
#endif
    for (; i + 4 <= n; i += 4) {
        out[i] = (int16_t)(x[i] + offset);
        out[i + 1] = (int16_t)(x[i + 2] + offset);
        out[i + 2] = (int16_t)(x[i + 1] + offset);
        out[i + 3] = (int16_t)(x[i + 3] + offset);
    }
    for (; i < n; ++i)
        out[i] = (int16_t)(x[i] + offset);
}

/* Four int32 sums carried by value, so that compilers keep them in registers. */
typedef struct {
    int32_t c0, c1, c2, c3;
} rp_acc4;

/* acc.cN += (v[N] + offset) w[N] for the four channels of one depthwise tap.
 * The DSP path widens a word of each into two pairs (SXTB16), adds the
 * offset to both halves (SADD16, no wrap: |v + offset| <= 256) and
 * multiplies halfword by halfword (SMLABB, SMLATT). */
static inline rp_acc4 rp_mac4_offset_s8(const int8_t* v, const int8_t* w, int32_t offset, rp_acc4 acc)
{
#ifdef RP_USE_DSP
    int16x2_t ve, vo, we, wo;
    rp_load_pairs(v, &ve, &vo);
    rp_load_pairs(w, &we, &wo);
    const int16x2_t off2 = (int16x2_t)(((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16));
    ve = rp_sadd16(ve, off2);
    vo = rp_sadd16(vo, off2);
    acc.c0 = rp_smlabb(ve, we, acc.c0);
    acc.c2 = rp_smlatt(ve, we, acc.c2);
    acc.c1 = rp_smlabb(vo, wo, acc.c1);
    acc.c3 = rp_smlatt(vo, wo, acc.c3);
#else
    acc.c0 += (v[0] + offset) * w[0];
    acc.c1 += (v[1] + offset) * w[1];
    acc.c2 += (v[2] + offset) * w[2];
    acc.c3 += (v[3] + offset) * w[3];
#endif
    return acc;
}

#ifdef RP_USE_DSP
static inline int16x2_t rp_pair16(const int16_t* p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return (int16x2_t)v;
}
#endif

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__GNUC__)
#define RP_DOT_WIDE_ASM 1
/* The M4 loops' shared steps: the next weight word widened into (w0, w2)
 * and (w1, w3); one vector's group (a pair of words) met by them. */
#define RP_ASM_NEXT_WEIGHTS "ldr %[v], [%[w]], #4\n\t"
#define RP_ASM_WIDEN_WEIGHTS "sxtb16 %[we], %[v]\n\t" "sxtb16 %[wo], %[v], ror #8\n\t"
#define RP_ASM_SMLAD_GROUP(s) "smlad %[" s "], %[we], %[t0], %[" s "]\n\t" "smlad %[" s "], %[wo], %[t1], %[" s "]\n\t"
#define RP_ASM_LOOP "cmp %[w], %[end]\n\t" "bne 1b"
/* The groups of one (rp_dot_wide_s8) or two consecutive widened vectors
 * (rp_dot2_wide_s8) on a Cortex-M4, from word-aligned vectors: a weight word
 * widened by two SXTB16 (the second with its rotation), each vector's group
 * in one LDRD, two SMLADs a vector. */
static inline int32_t rp_dot1_wide_groups_m4(const int8_t* w, const int16_t* x, int32_t groups, int32_t s)
{
    uint32_t v, we, wo, t0, t1;
    const int8_t* end = w + 4 * groups;
    __asm__("1:\n\t"
            RP_ASM_NEXT_WEIGHTS
            "ldrd %[t0], %[t1], [%[x]], #8\n\t"
            RP_ASM_WIDEN_WEIGHTS
            RP_ASM_SMLAD_GROUP("s")
            RP_ASM_LOOP
            : [s] "+r"(s), [w] "+r"(w), [x] "+r"(x), [v] "=&r"(v), [we] "=&r"(we), [wo] "=&r"(wo), [t0] "=&r"(t0),
              [t1] "=&r"(t1)
            : [end] "r"(end)
            : "cc", "memory");
    return s;
}

/* The vectors x and x + stride (int16 elements). */
static inline void rp_dot2_wide_groups_m4(const int8_t* w, const int16_t* x, int32_t stride, int32_t groups,
                                          int32_t s[2])
{
    int32_t s0 = 0, s1 = 0;
    uint32_t v, we, wo, t0, t1;
    const int8_t* end = w + 4 * groups;
    const int16_t* y = x + stride;
    __asm__("1:\n\t"
            RP_ASM_NEXT_WEIGHTS
            "ldrd %[t0], %[t1], [%[x]], #8\n\t"
            RP_ASM_WIDEN_WEIGHTS
            RP_ASM_SMLAD_GROUP("s0")
            "ldrd %[t0], %[t1], [%[y]], #8\n\t"
            RP_ASM_SMLAD_GROUP("s1")
            RP_ASM_LOOP
            : [s0] "+r"(s0), [s1] "+r"(s1), [w] "+r"(w), [x] "+r"(x), [y] "+r"(y), [v] "=&r"(v), [we] "=&r"(we),
              [wo] "=&r"(wo), [t0] "=&r"(t0), [t1] "=&r"(t1)
            : [end] "r"(end)
            : "cc", "memory");
    s[0] = s0;
    s[1] = s1;
}
#endif

/* w . x for int8 weights w and a widened vector x (rp_widen_s8). */
static inline int32_t rp_dot_wide_s8(const int8_t* w, const int16_t* x, int32_t n)
{
    int32_t s = 0;
    int32_t i = 0;
#ifdef RP_DOT_WIDE_ASM
    if (n >= 4 && ((uintptr_t)x & 3u) == 0) {
        s = rp_dot1_wide_groups_m4(w, x, n / 4, 0);
        i = n & ~3;
    }
#endif
    for (; i + 4 <= n; i += 4) {
#ifdef RP_USE_DSP
        int16x2_t we, wo;
        rp_load_pairs(w + i, &we, &wo);
        s = rp_smlad(wo, rp_pair16(x + i + 2), rp_smlad(we, rp_pair16(x + i), s));
#else
        s += w[i] * x[i] + w[i + 2] * x[i + 1] + w[i + 1] * x[i + 2] + w[i + 3] * x[i + 3];
#endif
    }
    for (; i < n; ++i)
        s += (int32_t)w[i] * x[i];
    return s;
}

/* w . x and w . y for y = x + stride (two vectors in rp_widen_s8's layout,
 * one after another): the weights loaded and widened once for both. */
static inline void rp_dot2_wide_s8(const int8_t* w, const int16_t* x, int32_t stride, int32_t n, int32_t acc[2])
{
#ifdef RP_DOT_WIDE_ASM
    if (n >= 4 && ((uintptr_t)x & 3u) == 0 && (stride & 1) == 0) {
        rp_dot2_wide_groups_m4(w, x, stride, n / 4, acc);
        for (int32_t i = n & ~3; i < n; ++i) {
            acc[0] += (int32_t)w[i] * x[i];
            acc[1] += (int32_t)w[i] * x[stride + i];
        }
        return;
    }
#endif
    acc[0] = rp_dot_wide_s8(w, x, n);
    acc[1] = rp_dot_wide_s8(w, x + stride, n);
}

/* Four vectors widened together (rp_widen4_s8) into one block of 4n int16,
 * interleaved so that one pass reads it front to back: for each group g of
 * four elements, the four vectors' groups in turn (16 values), then the
 * n % 4 tail elements of each vector. rp_wide_group / rp_wide_tail say where
 * a vector's values sit in a buffer whose first vectors are in such blocks
 * and the rest (fewer than four) one after another in rp_widen_s8's layout. */
static inline int16_t* rp_wide_group(int16_t* wide, int32_t p, int32_t count, int32_t n, int32_t g)
{
    if (p < (count & ~3))
        return wide + (p & ~3) * n + g * 16 + (p & 3) * 4;
    return wide + p * n + g * 4;
}

static inline int16_t* rp_wide_tail(int16_t* wide, int32_t p, int32_t count, int32_t n)
{
    const int32_t groups = n / 4, tail = n % 4;
    if (p < (count & ~3))
        return wide + (p & ~3) * n + 16 * groups + (p & 3) * tail;
    return wide + p * n + 4 * groups;
}

/* The vectors x, x + n, x + 2n, x + 3n (int8, offset added) as one block. */
static inline void rp_widen4_s8(const int8_t* x, int32_t n, int32_t offset, int16_t* block)
{
    for (int32_t v = 0; v < 4; ++v) {
        const int8_t* xv = x + v * n;
        for (int32_t g = 0; g < n / 4; ++g) {
            int16_t* o = block + g * 16 + v * 4;
            o[0] = (int16_t)(xv[4 * g] + offset);
            o[1] = (int16_t)(xv[4 * g + 2] + offset);
            o[2] = (int16_t)(xv[4 * g + 1] + offset);
            o[3] = (int16_t)(xv[4 * g + 3] + offset);
        }
        int16_t* t = rp_wide_tail(block, v, 4, n);
        for (int32_t r = 0; r < n % 4; ++r)
            t[r] = (int16_t)(xv[4 * (n / 4) + r] + offset);
    }
}

#ifdef RP_DOT_WIDE_ASM
/* The groups of rp_dot4_wide_s8 on a Cortex-M4, from a word-aligned block:
 * per group one weight word widened by two SXTB16 (the second with its
 * rotation), four LDRDs of the four vectors' pairs and eight SMLADs; the
 * same sums as the C loop (GCC neither rotates inside SXTB16 nor pairs the
 * loads). */
static inline void rp_dot4_wide_groups_m4(const int8_t* w, const int16_t* b, int32_t groups, int32_t s[4])
{
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    uint32_t v, we, wo, t0, t1;
    const int8_t* end = w + 4 * groups;
    __asm__("1:\n\t"
            RP_ASM_NEXT_WEIGHTS
            "ldrd %[t0], %[t1], [%[b]], #32\n\t"
            RP_ASM_WIDEN_WEIGHTS
            RP_ASM_SMLAD_GROUP("s0")
            "ldrd %[t0], %[t1], [%[b], #-24]\n\t"
            RP_ASM_SMLAD_GROUP("s1")
            "ldrd %[t0], %[t1], [%[b], #-16]\n\t"
            RP_ASM_SMLAD_GROUP("s2")
            "ldrd %[t0], %[t1], [%[b], #-8]\n\t"
            RP_ASM_SMLAD_GROUP("s3")
            RP_ASM_LOOP
            : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3), [w] "+r"(w), [b] "+r"(b), [v] "=&r"(v),
              [we] "=&r"(we), [wo] "=&r"(wo), [t0] "=&r"(t0), [t1] "=&r"(t1)
            : [end] "r"(end)
            : "cc", "memory");
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
}
#endif

/* w . x_v for the four vectors of a block: the weights are loaded and
 * widened once for the four, the block read front to back. */
static inline void rp_dot4_wide_s8(const int8_t* w, const int16_t* block, int32_t n, int32_t acc[4])
{
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    const int32_t groups = n / 4, tail = n % 4;
    const int16_t* b = block;
    int32_t g = 0;
#ifdef RP_DOT_WIDE_ASM
    if (groups > 0 && ((uintptr_t)b & 3u) == 0) {
        int32_t s[4];
        rp_dot4_wide_groups_m4(w, b, groups, s);
        s0 = s[0];
        s1 = s[1];
        s2 = s[2];
        s3 = s[3];
        g = groups;
        b += 16 * groups;
    }
#endif
    for (; g < groups; ++g, b += 16) {
#ifdef RP_USE_DSP
        int16x2_t we, wo;
        rp_load_pairs(w + 4 * g, &we, &wo);
        s0 = rp_smlad(wo, rp_pair16(b + 2), rp_smlad(we, rp_pair16(b), s0));
        s1 = rp_smlad(wo, rp_pair16(b + 6), rp_smlad(we, rp_pair16(b + 4), s1));
        s2 = rp_smlad(wo, rp_pair16(b + 10), rp_smlad(we, rp_pair16(b + 8), s2));
        s3 = rp_smlad(wo, rp_pair16(b + 14), rp_smlad(we, rp_pair16(b + 12), s3));
#else
        const int32_t w0 = w[4 * g], w2 = w[4 * g + 2], w1 = w[4 * g + 1], w3 = w[4 * g + 3];
        s0 += w0 * b[0] + w2 * b[1] + w1 * b[2] + w3 * b[3];
        s1 += w0 * b[4] + w2 * b[5] + w1 * b[6] + w3 * b[7];
        s2 += w0 * b[8] + w2 * b[9] + w1 * b[10] + w3 * b[11];
        s3 += w0 * b[12] + w2 * b[13] + w1 * b[14] + w3 * b[15];
#endif
    }
    for (int32_t r = 0; r < tail; ++r) {
        const int32_t v = w[4 * groups + r];
        s0 += v * b[r];
        s1 += v * b[tail + r];
        s2 += v * b[2 * tail + r];
        s3 += v * b[3 * tail + r];
    }
    acc[0] = s0;
    acc[1] = s1;
    acc[2] = s2;
    acc[3] = s3;
}

#endif
