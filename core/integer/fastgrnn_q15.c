/* FastGRNN in 16-bit fixed point: the EdgeML-compatible cell (fused: one pass
 * over the hidden units after the two matrix products, the same int16 stores
 * as EdgeML's vector primitives) and our cell for float-trained weights.
 * fastgrnn_q15_ref.c keeps the EdgeML cell as a sequence of whole-vector
 * primitives; rnnpool_q15_test checks that both give the same bits. */
#include "integer/fastgrnn_q15.h"

#include <string.h>

#include "integer/q15_arith.h"

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#endif

/* ---- dot products --------------------------------------------------------
 * sum_j a[j] b[j] with each product in int32 and the sum in int64, as EdgeML's
 * q15_m_mulvec does. The order of an exact int64 sum does not matter, so the
 * DSP path's pairs (SMLALD) give the same bits. */
/* Two int16 as one word (one unaligned-capable load on the M4). */
static inline uint32_t pair16(const int16_t* p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

#if defined(__ARM_FEATURE_DSP)
/* One row of matvec16_q15 from a word-aligned M: four LDRDs and eight
 * SMLALDs against v's pairs in registers (GCC neither pairs the loads nor
 * keeps the eight pairs in registers when this is written in C). */
#if defined(__GNUC__)
#define RP_MATVEC16_ROW(M, i, out)                                                                                    \
    do {                                                                                                              \
        uint32_t lo, hi, t0, t1;                                                                                      \
        __asm__("ldrd %[t0], %[t1], [%[m], #" #i "*32]\n\t"                                                          \
                "movs %[lo], #0\n\t"                                                                                 \
                "movs %[hi], #0\n\t"                                                                                 \
                "smlald %[lo], %[hi], %[t0], %[v0]\n\t"                                                              \
                "smlald %[lo], %[hi], %[t1], %[v1]\n\t"                                                              \
                "ldrd %[t0], %[t1], [%[m], #" #i "*32+8]\n\t"                                                        \
                "smlald %[lo], %[hi], %[t0], %[v2]\n\t"                                                              \
                "smlald %[lo], %[hi], %[t1], %[v3]\n\t"                                                              \
                "ldrd %[t0], %[t1], [%[m], #" #i "*32+16]\n\t"                                                       \
                "smlald %[lo], %[hi], %[t0], %[v4]\n\t"                                                              \
                "smlald %[lo], %[hi], %[t1], %[v5]\n\t"                                                              \
                "ldrd %[t0], %[t1], [%[m], #" #i "*32+24]\n\t"                                                       \
                "smlald %[lo], %[hi], %[t0], %[v6]\n\t"                                                              \
                "smlald %[lo], %[hi], %[t1], %[v7]"                                                                   \
                : [lo] "=&r"(lo), [hi] "=&r"(hi), [t0] "=&r"(t0), [t1] "=&r"(t1)                                      \
                : [m] "r"(M), [v0] "r"(v0), [v1] "r"(v1), [v2] "r"(v2), [v3] "r"(v3), [v4] "r"(v4), [v5] "r"(v5),     \
                  [v6] "r"(v6), [v7] "r"(v7)                                                                          \
                : "memory");                                                                                          \
        (out)[i] = (int64_t)(((uint64_t)hi << 32) | lo);                                                              \
    } while (0)
#endif

/* out[i] = sum_j M[i*16 + j] v[j] for a 16 x 16 matrix: v's eight pairs stay
 * in registers, each row is eight SMLALDs; a word-aligned M (the firmware's
 * arrays, the desktop's allocations) is read in double words, the rows
 * unrolled. */
static void matvec16_q15(const int16_t* M, const int16_t* v, int64_t out[16])
{
    const uint32_t v0 = pair16(v), v1 = pair16(v + 2), v2 = pair16(v + 4), v3 = pair16(v + 6);
    const uint32_t v4 = pair16(v + 8), v5 = pair16(v + 10), v6 = pair16(v + 12), v7 = pair16(v + 14);
#if defined(__GNUC__)
    if (((uintptr_t)M & 3u) == 0) {
        RP_MATVEC16_ROW(M, 0, out);
        RP_MATVEC16_ROW(M, 1, out);
        RP_MATVEC16_ROW(M, 2, out);
        RP_MATVEC16_ROW(M, 3, out);
        RP_MATVEC16_ROW(M, 4, out);
        RP_MATVEC16_ROW(M, 5, out);
        RP_MATVEC16_ROW(M, 6, out);
        RP_MATVEC16_ROW(M, 7, out);
        RP_MATVEC16_ROW(M, 8, out);
        RP_MATVEC16_ROW(M, 9, out);
        RP_MATVEC16_ROW(M, 10, out);
        RP_MATVEC16_ROW(M, 11, out);
        RP_MATVEC16_ROW(M, 12, out);
        RP_MATVEC16_ROW(M, 13, out);
        RP_MATVEC16_ROW(M, 14, out);
        RP_MATVEC16_ROW(M, 15, out);
        return;
    }
#endif
    for (int32_t i = 0; i < 16; ++i, M += 16) {
        int64_t acc = __smlald(pair16(M), v0, 0);
        acc = __smlald(pair16(M + 2), v1, acc);
        acc = __smlald(pair16(M + 4), v2, acc);
        acc = __smlald(pair16(M + 6), v3, acc);
        acc = __smlald(pair16(M + 8), v4, acc);
        acc = __smlald(pair16(M + 10), v5, acc);
        acc = __smlald(pair16(M + 12), v6, acc);
        out[i] = __smlald(pair16(M + 14), v7, acc);
    }
}
#undef RP_MATVEC16_ROW


/* The same for an 8 x 8 matrix (the 8-unit cells): four pairs of v in registers. */
static void matvec8_q15(const int16_t* M, const int16_t* v, int64_t out[8])
{
    const uint32_t v0 = pair16(v), v1 = pair16(v + 2), v2 = pair16(v + 4), v3 = pair16(v + 6);
    for (int32_t i = 0; i < 8; ++i, M += 8) {
        int64_t acc = __smlald(pair16(M), v0, 0);
        acc = __smlald(pair16(M + 2), v1, acc);
        acc = __smlald(pair16(M + 4), v2, acc);
        out[i] = __smlald(pair16(M + 6), v3, acc);
    }
}
#endif

static int64_t dot_q15(const int16_t* a, const int16_t* b, int32_t n)
{
    int64_t acc = 0;
    int32_t j = 0;
#if defined(__ARM_FEATURE_DSP)
    for (; j + 1 < n; j += 2) {
        int32_t pa, pb;
        memcpy(&pa, a + j, sizeof pa);
        memcpy(&pb, b + j, sizeof pb);
        acc = __smlald(pa, pb, acc);
    }
#endif
    for (; j < n; ++j)
        acc += (int32_t)a[j] * (int32_t)b[j];
    return acc;
}

/* sum_j a[j] b[j] in int32, for sums known to fit (int16 weights times
 * int16 values of at most 9 bits, over at most 128 terms: < 2^31). SMLAD
 * pairs on the DSP extension; the same exact sum either way. */
static int32_t dot_q15_32(const int16_t* a, const int16_t* b, int32_t n)
{
    int32_t acc = 0;
    int32_t j = 0;
#if defined(__ARM_FEATURE_DSP)
    for (; j + 1 < n; j += 2) {
        int32_t pa, pb;
        memcpy(&pa, a + j, sizeof pa);
        memcpy(&pb, b + j, sizeof pb);
        acc = __smlad(pa, pb, acc);
    }
#endif
    for (; j < n; ++j)
        acc += (int32_t)a[j] * (int32_t)b[j];
    return acc;
}

/* int16 weights times int8 inputs, summed in int32 with two's-complement wrap
 * (EdgeML's q15xq7_q15_m_mulvec keeps an int32 sum; it cannot wrap for
 * int16 x int8 with fewer than 2^16 inputs, the wrap only keeps this defined). */
static int32_t dot_q15_q7(const int16_t* w, const int8_t* x, int32_t n)
{
    uint32_t acc = 0;
    for (int32_t j = 0; j < n; ++j)
        acc += (uint32_t)((int32_t)w[j] * (int32_t)x[j]);
    return (int32_t)(acc <= INT32_MAX ? (int64_t)acc : (int64_t)acc - 4294967296LL);
}

/* ---- 1. EdgeML-compatible cell ------------------------------------------ */

void rp_edgeml_scales_from_fields(rp_edgeml_fastgrnn_scales* s, const int32_t f[RP_EDGEML_SCALE_FIELDS],
                                  rp_scale_mode mode)
{
    int32_t* dst[RP_EDGEML_SCALE_FIELDS] = {
        &s->input, &s->mean, &s->meanSub, &s->stdDev, &s->normFeaturesHDStdDev,
        &s->w, &s->normFeaturesMVW, &s->mVWOut,
        &s->u, &s->hiddenStateMVU, &s->mVUOut,
        &s->mV1AddMV2, &s->mV2AddMV1, &s->mV1AddMV2Out, &s->mV1AddMV2Demote,
        &s->pC1AddBg, &s->bg, &s->pC1AddBgOut, &s->pC1AddBgDemote,
        &s->sigmoidScaleIn, &s->sigmoidScaleOut,
        &s->pC1AddBh, &s->bh, &s->pC1AddBhOut, &s->pC1AddBhDemote,
        &s->tanhScaleIn, &s->tanhScaleOut,
        &s->gateHDHiddenState, &s->hiddenStateHDGate,
        &s->qOneScale, &s->qOneSubGate, &s->qOneSubGateOut,
        &s->sigmoidZeta, &s->sigmoidZetaMulQOneSubGate,
        &s->sigmoidNu, &s->sigmoidNuAddQOneSubGate, &s->sigmoidNuAddQOneSubGateOut,
        &s->sigmoidNuAddQOneSubGateHDUpdate, &s->updateHDSigmoidNuAddQOneSubGate,
        &s->pC3AddPC1, &s->pC1AddPC3, &s->hiddenStateOut, &s->hiddenStateDemote,
        &s->div, &s->add, &s->sigmoidLimit, &s->qOne,
        &s->useTableSigmoid, &s->useTableTanH,
    };
    s->mode = mode;
    for (int i = 0; i < RP_EDGEML_SCALE_FIELDS; ++i)
        *dst[i] = f[i];
}

int rp_edgeml_fastgrnn_check(const rp_edgeml_fastgrnn_params* p, const rp_edgeml_fastgrnn_scales* s)
{
    if (!p || !s || !p->W || !p->U || !p->Bg || !p->Bh || p->input_dims <= 0 || p->hidden_dims <= 0)
        return RP_Q15_EARG;
    if (s->useTableSigmoid || s->useTableTanH)
        return RP_Q15_EUNSUPPORTED;
    if (s->mode != RP_SCALE_DIV && s->mode != RP_SCALE_SHIFT)
        return RP_Q15_EARG;
    /* Every field used as a divisor or shift count. Divisors up to 2^20 keep
     * a product of three inside int64; shifts beyond 62 are not meaningful. */
    const int32_t reducers[] = {
        s->w, s->normFeaturesMVW, s->mVWOut, s->u, s->hiddenStateMVU, s->mVUOut,
        s->mV1AddMV2, s->mV2AddMV1, s->mV1AddMV2Out, s->mV1AddMV2Demote,
        s->pC1AddBg, s->bg, s->pC1AddBgOut, s->pC1AddBgDemote,
        s->pC1AddBh, s->bh, s->pC1AddBhOut, s->pC1AddBhDemote,
        s->gateHDHiddenState, s->hiddenStateHDGate, s->qOneScale, s->qOneSubGate, s->qOneSubGateOut,
        s->sigmoidZeta, s->sigmoidZetaMulQOneSubGate, s->sigmoidNu, s->sigmoidNuAddQOneSubGate,
        s->sigmoidNuAddQOneSubGateOut, s->sigmoidNuAddQOneSubGateHDUpdate, s->updateHDSigmoidNuAddQOneSubGate,
        s->pC3AddPC1, s->pC1AddPC3, s->hiddenStateOut, s->hiddenStateDemote,
    };
    for (size_t i = 0; i < sizeof reducers / sizeof reducers[0]; ++i) {
        const int32_t v = reducers[i];
        if (s->mode == RP_SCALE_DIV ? (v < 1 || v > (1 << 20)) : (v < 0 || v > 62))
            return RP_Q15_EUNSUPPORTED;
    }
    if (s->div == 0 || s->sigmoidScaleIn < 0 || s->sigmoidScaleIn > 30 || s->sigmoidScaleOut < 0 ||
        s->sigmoidScaleOut > 30 || s->tanhScaleIn < 0 || s->tanhScaleIn > 30 || s->tanhScaleOut < 0 ||
        s->tanhScaleOut > 30)
        return RP_Q15_EUNSUPPORTED;
    return RP_Q15_OK;
}

size_t rp_edgeml_fastgrnn_scratch_bytes(int32_t hidden_dims)
{
    return hidden_dims > 0 ? 2u * (size_t)hidden_dims * sizeof(int16_t) : 0u;
}

/* x << k for k >= 0, floor(x / 2^-k) for k < 0 (EdgeML's scale-out shift). */
static int64_t shift_by(int64_t x, int32_t k)
{
    return k >= 0 ? rp_shl64(x, k) : rp_asr64(x, -k);
}

/* The element-wise part of one step, for hidden unit i, given the stored
 * int16 W.x and U.h. Each line is one of EdgeML's primitives and ends in the
 * same int16 store. */
static int16_t edgeml_update(const rp_edgeml_fastgrnn_params* p, const rp_edgeml_fastgrnn_scales* s, int32_t i,
                             int16_t wx, int16_t uh, int16_t h)
{
    const rp_scale_mode m = s->mode;
    const int16_t pre = rp_wrap16(rp_reduce(rp_reduce(wx, rp_combine(s->mV1AddMV2, s->mV1AddMV2Out, m), m) +
                                                rp_reduce(uh, rp_combine(s->mV2AddMV1, s->mV1AddMV2Out, m), m),
                                            s->mV1AddMV2Demote, m));
    const int16_t zin = rp_wrap16(rp_reduce(rp_reduce(pre, rp_combine(s->pC1AddBg, s->pC1AddBgOut, m), m) +
                                                rp_reduce(p->Bg[i], rp_combine(s->bg, s->pC1AddBgOut, m), m),
                                            s->pC1AddBgDemote, m));
    const int16_t t = rp_wrap16((int64_t)zin / s->div + s->add);
    const int64_t zc = t <= 0 ? 0 : (t >= s->sigmoidLimit ? s->sigmoidLimit : t);
    const int16_t z = rp_wrap16(shift_by(zc, s->sigmoidScaleOut - s->sigmoidScaleIn));
    const int16_t cin = rp_wrap16(rp_reduce(rp_reduce(pre, rp_combine(s->pC1AddBh, s->pC1AddBhOut, m), m) +
                                                rp_reduce(p->Bh[i], rp_combine(s->bh, s->pC1AddBhOut, m), m),
                                            s->pC1AddBhDemote, m));
    const int64_t limit = (int64_t)1 << s->tanhScaleIn;
    const int64_t cc = cin < -limit ? -limit : (cin > limit ? limit : cin);
    const int16_t c = rp_wrap16(shift_by(cc, s->tanhScaleOut - s->tanhScaleIn));
    const int16_t zh = rp_wrap16(rp_reduce((int32_t)z * h, rp_combine(s->gateHDHiddenState, s->hiddenStateHDGate, m), m));
    int16_t v = rp_wrap16(rp_reduce(s->qOne, rp_combine(s->qOneScale, s->qOneSubGateOut, m), m) -
                          rp_reduce(z, rp_combine(s->qOneSubGate, s->qOneSubGateOut, m), m));
    v = rp_wrap16(rp_reduce((int32_t)p->sigmoid_zeta * v, rp_combine(s->sigmoidZeta, s->sigmoidZetaMulQOneSubGate, m), m));
    v = rp_wrap16(rp_reduce(p->sigmoid_nu, rp_combine(s->sigmoidNu, s->sigmoidNuAddQOneSubGateOut, m), m) +
                  rp_reduce(v, rp_combine(s->sigmoidNuAddQOneSubGate, s->sigmoidNuAddQOneSubGateOut, m), m));
    const int16_t vc = rp_wrap16(rp_reduce((int32_t)v * c,
                                           rp_combine(s->sigmoidNuAddQOneSubGateHDUpdate, s->updateHDSigmoidNuAddQOneSubGate, m), m));
    return rp_wrap16(rp_reduce(rp_reduce(zh, rp_combine(s->pC3AddPC1, s->hiddenStateOut, m), m) +
                                   rp_reduce(vc, rp_combine(s->pC1AddPC3, s->hiddenStateOut, m), m),
                               s->hiddenStateDemote, m));
}

/* U.h for every unit (old h), then the element-wise update in place. */
static void edgeml_finish(const rp_edgeml_fastgrnn_params* p, const rp_edgeml_fastgrnn_scales* s, int16_t* wx,
                          int16_t* uh, int16_t* h)
{
    const int32_t n = p->hidden_dims;
    const int64_t uScale = rp_combine(rp_combine(s->u, s->hiddenStateMVU, s->mode), s->mVUOut, s->mode);
    for (int32_t i = 0; i < n; ++i)
        uh[i] = rp_wrap16(rp_reduce(dot_q15(p->U + (size_t)i * (size_t)n, h, n), uScale, s->mode));
    for (int32_t i = 0; i < n; ++i)
        h[i] = edgeml_update(p, s, i, wx[i], uh[i], h[i]);
}

void rp_edgeml_fastgrnn_q15_step(const rp_edgeml_fastgrnn_params* p, const rp_edgeml_fastgrnn_scales* s,
                                 const int16_t* x, int16_t* h, void* scratch)
{
    int16_t* wx = (int16_t*)scratch;
    int16_t* uh = wx + p->hidden_dims;
    const int64_t wScale = rp_combine(rp_combine(s->w, s->normFeaturesMVW, s->mode), s->mVWOut, s->mode);
    for (int32_t i = 0; i < p->hidden_dims; ++i)
        wx[i] = rp_wrap16(rp_reduce(dot_q15(p->W + (size_t)i * (size_t)p->input_dims, x, p->input_dims), wScale, s->mode));
    edgeml_finish(p, s, wx, uh, h);
}

void rp_edgeml_fastgrnn_q7xq15_step(const rp_edgeml_fastgrnn_params* p, const rp_edgeml_fastgrnn_scales* s,
                                    const int8_t* x, int16_t* h, void* scratch)
{
    int16_t* wx = (int16_t*)scratch;
    int16_t* uh = wx + p->hidden_dims;
    const int64_t wScale = rp_combine(rp_combine(s->w, s->normFeaturesMVW, s->mode), s->mVWOut, s->mode);
    for (int32_t i = 0; i < p->hidden_dims; ++i) {
        const int32_t acc = dot_q15_q7(p->W + (size_t)i * (size_t)p->input_dims, x, p->input_dims);
        /* int32 sum, reduced as an int32 (the division or shift of EdgeML's int). */
        wx[i] = rp_wrap16(rp_reduce(acc, wScale, s->mode));
    }
    edgeml_finish(p, s, wx, uh, h);
}

/* ---- 2. Our cell, for float-trained weights ------------------------------ */

/* The general case: any x, any multiplier. */
static int32_t apply_multiplier_wide(int64_t x, rp_q15_multiplier m)
{
    /* x * mult needs up to 95 bits; split x = hi * 2^32 + lo (lo unsigned) so
     * that both partial products fit in 64 bits. */
    const int64_t mult = m.mult;
    const int32_t s = m.shift;
    if (mult == 0)
        return 0;
    const int64_t hi = rp_asr64(x, 32);
    const uint64_t lo = (uint64_t)x & 0xFFFFFFFFu;
    if (s >= 32) {
        /* floor((hi * 2^32 + lo * mult + 2^(s-1)) / 2^s), with hi * mult first. */
        const int64_t hiProd = hi * mult;                 /* |.| < 2^62 */
        const uint64_t loProd = lo * (uint64_t)mult + ((uint64_t)1 << (s - 1)); /* < 2^64 */
        const int64_t top = hiProd + (int64_t)(loProd >> 32);
        return rp_sat32(rp_asr64(top, s - 32));
    }
    /* Small shifts: the result only fits int32 when |x| < 2^32. */
    if (hi != 0 && hi != -1)
        return (x < 0) == (mult < 0) ? INT32_MAX : INT32_MIN;
    const int64_t prod = x * mult; /* |x| <= 2^32, |mult| < 2^31 */
    return rp_sat32(rp_asr64(prod + (s > 0 ? ((int64_t)1 << (s - 1)) : 0), s));
}

/* The exported functions are wrappers so that the kernels inline the bodies
 * (a PIC build may not inline an exported function into its callers). */
static inline int32_t apply_multiplier(int64_t x, rp_q15_multiplier m)
{
    /* |x| < 2^31: x * mult fits in 63 bits, one product and one shift; the
     * same floor of the same exact value as the wide path. */
    if (x >= -((int64_t)1 << 31) && x < ((int64_t)1 << 31) && m.shift >= 1)
        return rp_sat32(rp_asr64(x * m.mult + ((int64_t)1 << (m.shift - 1)), m.shift));
    return apply_multiplier_wide(x, m);
}

int32_t rp_q15_apply_multiplier(int64_t x, rp_q15_multiplier m)
{
    return apply_multiplier(x, m);
}

/* sigmoid(k / 16) * 2^15, rounded, k = 0..192 (the table reaches x = 12),
 * and a copy of the last entry so that x = 12 interpolates without a branch.
 * int32 entries let vector units gather them. */
static const int32_t kSigmoidTable[194] = {
    16384, 16896, 17407, 17916, 18421, 18923, 19420, 19912, 20397, 20874, 21344, 21804,
    22255, 22696, 23127, 23547, 23955, 24352, 24737, 25110, 25471, 25819, 26155, 26479,
    26790, 27090, 27377, 27653, 27917, 28169, 28411, 28642, 28862, 29072, 29272, 29462,
    29644, 29816, 29979, 30135, 30282, 30422, 30555, 30680, 30799, 30912, 31018, 31119,
    31214, 31304, 31389, 31469, 31545, 31616, 31684, 31747, 31807, 31864, 31917, 31968,
    32015, 32060, 32102, 32141, 32179, 32214, 32247, 32278, 32307, 32335, 32361, 32385,
    32408, 32430, 32450, 32469, 32487, 32504, 32520, 32535, 32549, 32562, 32574, 32586,
    32597, 32607, 32617, 32626, 32635, 32643, 32650, 32657, 32664, 32670, 32676, 32682,
    32687, 32692, 32696, 32701, 32705, 32709, 32712, 32716, 32719, 32722, 32725, 32727,
    32730, 32732, 32734, 32736, 32738, 32740, 32742, 32743, 32745, 32746, 32747, 32749,
    32750, 32751, 32752, 32753, 32754, 32755, 32756, 32756, 32757, 32758, 32758, 32759,
    32759, 32760, 32760, 32761, 32761, 32762, 32762, 32762, 32763, 32763, 32763, 32764,
    32764, 32764, 32764, 32765, 32765, 32765, 32765, 32765, 32766, 32766, 32766, 32766,
    32766, 32766, 32766, 32766, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767,
    32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32768, 32768,
    32768, 32768, 32768, 32768, 32768, 32768, 32768, 32768, 32768, 32768, 32768, 32768,
    32768, 32768,
};

static inline int32_t sigmoid_q15(int32_t x_q12)
{
    /* |x| in Q12, clamped at 12 (where the table reaches 1 within 2^-17);
     * 256 units per table step. Branch-free so that compilers vectorise it. */
    const int64_t a64 = x_q12 < 0 ? -(int64_t)x_q12 : (int64_t)x_q12;
    const int32_t a = (int32_t)(a64 < 192 * 256 ? a64 : 192 * 256);
    const int32_t k = a >> 8, frac = a & 255;
    const int32_t y0 = kSigmoidTable[k], y1 = kSigmoidTable[k + 1];
    const int32_t y = y0 + (((y1 - y0) * frac + 128) >> 8); /* y1 >= y0: no negative shift */
    return x_q12 < 0 ? 32768 - y : y;
}

static inline int32_t tanh_q15(int32_t x_q12)
{
    const int64_t twice = 2 * (int64_t)x_q12;
    const int32_t arg = (int32_t)(twice > INT32_MAX ? INT32_MAX : (twice < -INT32_MAX ? -INT32_MAX : twice));
    return 2 * sigmoid_q15(arg) - 32768;
}

int32_t rp_sigmoid_q15(int32_t x_q12)
{
    return sigmoid_q15(x_q12);
}

int32_t rp_tanh_q15(int32_t x_q12)
{
    return tanh_q15(x_q12);
}

int rp_fastgrnn_q15_check(const rp_fastgrnn_q15_cell* c)
{
    if (!c || !c->W || !c->U || !c->bias_gate || !c->bias_update || c->input_dims <= 0 || c->hidden_dims <= 0)
        return RP_Q15_EARG;
    if (c->h_frac_bits < 0 || c->h_frac_bits > 15 || c->zeta_q15 < 0 || c->nu_q15 < 0)
        return RP_Q15_EARG;
    if (c->wx.shift < 0 || c->wx.shift > 62 || c->uh.shift < 0 || c->uh.shift > 62 || c->wx.mult < 0 ||
        c->uh.mult < 0)
        return RP_Q15_EARG;
    return RP_Q15_OK;
}

size_t rp_fastgrnn_q15_scratch_bytes(int32_t hidden_dims)
{
    return hidden_dims > 0 ? (size_t)hidden_dims * sizeof(int32_t) : 0u;
}

void rp_fastgrnn_q15_wx_q15(const rp_fastgrnn_q15_cell* c, const int16_t* x, int32_t* wx_q12)
{
    for (int32_t i = 0; i < c->hidden_dims; ++i)
        wx_q12[i] = apply_multiplier(dot_q15(c->W + (size_t)i * (size_t)c->input_dims, x, c->input_dims), c->wx);
}

void rp_fastgrnn_q15_wx_s8(const rp_fastgrnn_q15_cell* c, const int8_t* x, int32_t x_stride, int32_t zero_point,
                           int32_t* wx_q12)
{
    const int32_t n = c->input_dims;
    for (int32_t i = 0; i < c->hidden_dims; ++i) {
        const int16_t* w = c->W + (size_t)i * (size_t)n;
        int64_t acc = 0;
        for (int32_t j = 0; j < n; ++j)
            acc += (int32_t)w[j] * ((int32_t)x[(size_t)j * (size_t)x_stride] - zero_point);
        wx_q12[i] = apply_multiplier(acc, c->wx);
    }
}

/* The update below uses >> on negative int32 values for speed; every target
 * compiler (gcc, clang, arm-none-eabi-gcc) shifts arithmetically. */
_Static_assert((-7 >> 1) == -4, "the Q15 kernels need an arithmetic right shift");

/* The element-wise part of a step, given W.x and U.h in Q12. */
static inline void update_q15(const rp_fastgrnn_q15_cell* c, const int32_t* wx_q12, const int32_t* uh, int16_t* h,
                              int32_t n)
{
    const int32_t q = c->h_frac_bits;
    const int32_t zeta = c->zeta_q15, nu = c->nu_q15;
    const int32_t cShift = 30 - q, cRound = 1 << (29 - q);
    for (int32_t i = 0; i < n; ++i) {
        const int64_t pre = (int64_t)wx_q12[i] + uh[i];
        const int32_t z = sigmoid_q15(rp_sat32(pre + c->bias_gate[i]));   /* Q15, [0, 2^15] */
        const int32_t cand = tanh_q15(rp_sat32(pre + c->bias_update[i])); /* Q15, [-2^15, 2^15] */
        /* h' = z h + (zeta (1 - z) + nu) c in int32, three roundings (half up):
         * z h is Q(15+q) (|.| <= 2^30) -> Qq; the gain zeta (1 - z) + nu is Q15
         * (< 2^16); gain c is Q30 (|.| < 2^31) -> Qq. */
        const int32_t gain = ((zeta * (32768 - z) + (1 << 14)) >> 15) + nu;
        const int32_t zh = (z * h[i] + (1 << 14)) >> 15;
        const int32_t gc = (int32_t)(((int64_t)gain * cand + cRound) >> cShift);
        h[i] = rp_sat16((int64_t)zh + gc);
    }
}

void rp_fastgrnn_q15_step_pre(const rp_fastgrnn_q15_cell* c, const int32_t* wx_q12, int16_t* h, void* scratch)
{
    const int32_t n = c->hidden_dims;
    int32_t* uh = (int32_t*)scratch;
    for (int32_t i = 0; i < n; ++i)
        uh[i] = apply_multiplier(dot_q15(c->U + (size_t)i * (size_t)n, h, n), c->uh);
    update_q15(c, wx_q12, uh, h, n);
}

size_t rp_fastgrnn_q15_t_scratch_bytes(int32_t hidden_dims)
{
    return hidden_dims > 0 ? (size_t)hidden_dims * (sizeof(int64_t) + sizeof(int32_t)) : 0u;
}

/* The transposed step for n hidden units; inlined with a constant n for the
 * common sizes, where compilers unroll and vectorise it completely. */
static inline void step_pre_t(const rp_fastgrnn_q15_cell* c, const int16_t* Ut, const int32_t* wx_q12, int16_t* h,
                              void* scratch, int32_t n)
{
    int64_t* acc = (int64_t*)scratch;
    int32_t* uh = (int32_t*)(acc + n);
    /* U.h as a sum of columns: every unit's sum at once, exact in int64. */
    for (int32_t i = 0; i < n; ++i)
        acc[i] = 0;
    for (int32_t j = 0; j < n; ++j) {
        const int32_t hj = h[j];
        const int16_t* col = Ut + (size_t)j * (size_t)n;
        for (int32_t i = 0; i < n; ++i)
            acc[i] += (int64_t)(col[i] * hj);
    }
    const rp_q15_multiplier m = c->uh;
    if (m.mult == (1 << 30) && m.shift >= 31) {
        /* A power of two: floor((x 2^30 + 2^(s-1)) / 2^s) == floor((x + 2^(s-31)) / 2^(s-30)). */
        const int64_t round = (int64_t)1 << (m.shift - 31);
        const int32_t s = m.shift - 30;
        for (int32_t i = 0; i < n; ++i)
            uh[i] = rp_sat32((acc[i] + round) >> s);
    } else {
        for (int32_t i = 0; i < n; ++i)
            uh[i] = apply_multiplier(acc[i], m);
    }
    update_q15(c, wx_q12, uh, h, n);
}

void rp_fastgrnn_q15_step_pre_t(const rp_fastgrnn_q15_cell* c, const int16_t* Ut, const int32_t* wx_q12, int16_t* h,
                                void* scratch)
{
    switch (c->hidden_dims) {
    case 8: step_pre_t(c, Ut, wx_q12, h, scratch, 8); break;
    case 16: step_pre_t(c, Ut, wx_q12, h, scratch, 16); break;
    case 32: step_pre_t(c, Ut, wx_q12, h, scratch, 32); break;
    default: step_pre_t(c, Ut, wx_q12, h, scratch, c->hidden_dims); break;
    }
}

void rp_fastgrnn_q15_wx_s8_t(const rp_fastgrnn_q15_cell* c, const int16_t* Wt, const int8_t* x, int32_t x_stride,
                             int32_t zero_point, int32_t* wx_q12)
{
    const int32_t n = c->hidden_dims, in = c->input_dims;
    /* int16 x (int8 - zero point) summed over at most 2^14 inputs fits int32 exactly
     * when in <= 128; wider inputs take the reference's int64 sum. */
    if (in > 128) {
        rp_fastgrnn_q15_wx_s8(c, x, x_stride, zero_point, wx_q12);
        return;
    }
    int32_t acc[256];
    int32_t* a = n <= 256 ? acc : wx_q12;
    for (int32_t i = 0; i < n; ++i)
        a[i] = 0;
    for (int32_t j = 0; j < in; ++j) {
        const int32_t xj = (int32_t)x[(size_t)j * (size_t)x_stride] - zero_point;
        const int16_t* col = Wt + (size_t)j * (size_t)n;
        for (int32_t i = 0; i < n; ++i)
            a[i] += col[i] * xj;
    }
    for (int32_t i = 0; i < n; ++i)
        wx_q12[i] = apply_multiplier(a[i], c->wx);
}

/* ---- The row-major fast cell (DSP-extension cores) ------------------------
 * The element-wise update of update_q15 in 32-bit arithmetic, for a core
 * without vector units, where update_q15's int64 sums and saturations cost
 * more than the products. Exact, because:
 * - sigmoid_q15 clamps |x| at 49152 (12.0 in Q12) and tanh_q15 its doubled
 *   argument likewise, so sigmoid(sat32(v)) = sigmoid(clamp(v, +-49152)) and
 *   tanh(sat32(v)) = 2 sigmoid(2 clamp(v, +-24576)) - 2^15 for every int64 v;
 *   when W.x, U.h and both biases lie within +-2^29 the sums fit int32 and are
 *   clamped there (otherwise the int64 sums, clamped, as before);
 * - gain < 2^16 and |c| <= 2^15, so gain c fits int32, and
 *   floor((p + 2^(s-1)) / 2^s) = floor((floor(p / 2) + 2^(s-2)) / 2^(s-1))
 *   for s >= 2 (here s = 30 - q >= 15) keeps the rounding term inside int32. */
static inline int32_t clamp32(int32_t v, int32_t lim)
{
    return v < -lim ? -lim : (v > lim ? lim : v);
}

static inline int32_t clamp64(int64_t v, int32_t lim)
{
    return v < -lim ? -lim : (v > lim ? lim : (int32_t)v);
}

static inline void update_q15_rows(const rp_fastgrnn_q15_cell* c, const int32_t* wx_q12, const int32_t* uh, int16_t* h,
                                   int32_t n)
{
    const int32_t q = c->h_frac_bits;
    const int32_t zeta = c->zeta_q15, nu = c->nu_q15;
    const int32_t s1 = 29 - q, round1 = 1 << (28 - q);
    const int32_t small = 1 << 29;
    for (int32_t i = 0; i < n; ++i) {
        const int32_t a = wx_q12[i], b = uh[i], bg = c->bias_gate[i], bu = c->bias_update[i];
        int32_t zin, cin;
        if ((uint32_t)a + (uint32_t)small < 2u * (uint32_t)small && (uint32_t)b + (uint32_t)small < 2u * (uint32_t)small &&
            (uint32_t)bg + (uint32_t)small < 2u * (uint32_t)small && (uint32_t)bu + (uint32_t)small < 2u * (uint32_t)small) {
            const int32_t pre = a + b;
            zin = clamp32(pre + bg, 49152);
            cin = clamp32(pre + bu, 24576);
        } else {
            const int64_t pre = (int64_t)a + b;
            zin = clamp64(pre + bg, 49152);
            cin = clamp64(pre + bu, 24576);
        }
        const int32_t z = sigmoid_q15(zin);
        const int32_t cand = 2 * sigmoid_q15(2 * cin) - 32768;
        const int32_t gain = ((zeta * (32768 - z) + (1 << 14)) >> 15) + nu;
        const int32_t zh = (z * h[i] + (1 << 14)) >> 15;
        const int32_t gc = ((gain * cand >> 1) + round1) >> s1;
        const int32_t sum = zh + gc;
        h[i] = (int16_t)(sum > INT16_MAX ? INT16_MAX : (sum < INT16_MIN ? INT16_MIN : sum));
    }
}

/* The row-major step: U.h row by row with the pairs of dot_q15 (SMLALD on a Cortex-M4: two
 * products into an int64 sum per instruction), with the power-of-two
 * shortcut of step_pre_t; W.x with the centred inputs gathered once as
 * int16 and summed in int32. The same bits as the reference step and W.x
 * (rnnpool_quantizer_test; on the chip, rnnpool m4 check-int8). */
static inline void step_pre_rows(const rp_fastgrnn_q15_cell* c, const int32_t* wx_q12, int16_t* h, int32_t* uh,
                                 int32_t n)
{
    const rp_q15_multiplier m = c->uh;
    const int pow2 = m.mult == (1 << 30) && m.shift >= 31;
    const int64_t round = pow2 ? (int64_t)1 << (m.shift - 31) : 0;
    const int32_t s = pow2 ? m.shift - 30 : 0;
#if defined(__ARM_FEATURE_DSP)
    if (n == 16) {
        /* h's eight pairs stay in registers for all 16 rows; each row is
         * eight word loads and eight SMLALDs, unrolled. */
        int64_t acc[16];
        matvec16_q15(c->U, h, acc);
        for (int32_t i = 0; i < 16; ++i)
            uh[i] = pow2 ? rp_sat32((acc[i] + round) >> s) : apply_multiplier(acc[i], m);
        update_q15_rows(c, wx_q12, uh, h, n);
        return;
    }
#endif
    for (int32_t i = 0; i < n; ++i) {
        const int64_t acc = dot_q15(c->U + (size_t)i * (size_t)n, h, n);
        uh[i] = pow2 ? rp_sat32((acc + round) >> s) : apply_multiplier(acc, m);
    }
    update_q15_rows(c, wx_q12, uh, h, n);
}

void rp_fastgrnn_q15_step_pre_rows(const rp_fastgrnn_q15_cell* c, const int32_t* wx_q12, int16_t* h, void* scratch)
{
    int32_t* uh = (int32_t*)scratch;
    switch (c->hidden_dims) {
    case 8: step_pre_rows(c, wx_q12, h, uh, 8); break;
    case 16: step_pre_rows(c, wx_q12, h, uh, 16); break;
    default: step_pre_rows(c, wx_q12, h, uh, c->hidden_dims); break;
    }
}

/* ---- The saturating row-major step -------------------------------------
 * For biases within +-(2^31 - 2^16): sigmoid reads its argument clamped to
 * +-49152 and tanh to +-24576, and for such a clamp
 *   clamp(sat32(sat32(wx + uh) + b)) = clamp(wx + uh + b)   (exact sums)
 * because when wx + uh saturates its true value is beyond +-(2^31 - 1), and
 * adding |b| < 2^31 - 2^16 keeps it beyond the clamp on the same side, while
 * an unsaturated sum saturates at most once, outside the clamp. */
int rp_fastgrnn_q15_rows_sat_usable(const rp_fastgrnn_q15_cell* c)
{
    if (!c || rp_fastgrnn_q15_check(c) != RP_Q15_OK)
        return 0;
    const int32_t limit = INT32_MAX - 65535;
    for (int32_t i = 0; i < c->hidden_dims; ++i)
        if (c->bias_gate[i] < -limit || c->bias_gate[i] > limit || c->bias_update[i] < -limit ||
            c->bias_update[i] > limit)
            return 0;
    return 1;
}

static inline int32_t qadd32(int32_t a, int32_t b)
{
#if defined(__ARM_FEATURE_DSP)
    return __qadd(a, b);
#else
    const int64_t s = (int64_t)a + b;
    return s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : (int32_t)s);
#endif
}

/* sigmoid_q15(x) for any x from the full table: x saturated to 17 bits
 * (SSAT; beyond +-49152 the sigmoid is flat), one pair of loads, one MLA.
 * `mid` is the table's middle entry (rp_sigmoid_full_q15 + 256). */
static inline int32_t sigmoid_full(const int32_t (*mid)[2], int32_t x)
{
#if defined(__ARM_FEATURE_DSP)
    const int32_t v = __ssat(x, 17);
#else
    const int32_t v = x < -65536 ? -65536 : (x > 65535 ? 65535 : x);
#endif
    const int32_t* e = mid[v >> 8];
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__)
    /* The entry's two words in one LDRD (GCC loads them one by one). */
    int32_t e0, e1;
    __asm__("ldrd %0, %1, [%2]" : "=r"(e0), "=r"(e1) : "r"(e), "m"(*(const int32_t(*)[2])e));
    return (e0 + e1 * (v & 255)) >> 8;
#else
    return (e[0] + e[1] * (v & 255)) >> 8;
#endif
}

static inline int16_t sat16(int32_t v)
{
#if defined(__ARM_FEATURE_DSP)
    return (int16_t)__ssat(v, 16);
#else
    return (int16_t)(v > INT16_MAX ? INT16_MAX : (v < INT16_MIN ? INT16_MIN : v));
#endif
}

/* apply_multiplier for a sum that is most often an int32: one 32 x 32
 * product and the high word when the shift is at least 32 (the same floor,
 * the result below 2^30: no saturation). */
static inline int32_t apply_multiplier_sum(int64_t acc, rp_q15_multiplier m, int64_t round, int32_t down)
{
    const int32_t lo = (int32_t)acc;
    if (m.shift >= 32 && acc == lo)
        return (int32_t)(((int64_t)lo * m.mult + round) >> 32) >> down;
    return apply_multiplier(acc, m);
}

/* The cell's constants for the update, read once per step (h's int16 stores
 * could alias the cell's int16 fields, so the compiler would read them again
 * for every unit). */
typedef struct {
    const int32_t* bias_gate;
    const int32_t* bias_update;
    int32_t zeta, nu;
} sat_consts;

/* The element-wise update of unit i given the saturated W.x + U.h; tanh as
 * tanh_q15 computes it, 2 sigmoid(sat32(2x)) - 2^15. s1 = 29 - h_frac_bits
 * and round1 = 2^(s1 - 1) are arguments so that the callers can pass the
 * usual Q14 state's constants as literals. */
static inline int16_t update_sat(const sat_consts* k, const int32_t (*mid)[2], int32_t i, int32_t pre, int32_t h,
                                 int32_t s1, int32_t round1)
{
    const int32_t zin = qadd32(pre, k->bias_gate[i]);
    const int32_t cin = qadd32(pre, k->bias_update[i]);
    const int32_t z = sigmoid_full(mid, zin);
    const int32_t cand = 2 * sigmoid_full(mid, qadd32(cin, cin)) - 32768;
    const int32_t gain = ((k->zeta * (32768 - z) + (1 << 14)) >> 15) + k->nu;
    const int32_t zh = (z * h + (1 << 14)) >> 15;
    const int32_t gc = ((gain * cand >> 1) + round1) >> s1;
    return sat16(zh + gc);
}

/* U.h requantised (multiplier shift s >= 33) and the update of the n units.
 * When the int64 sum is an int32 lo: floor((lo mult + 2^(s-1)) / 2^s) =
 * floor((floor(lo mult / 2^32) + 2^(s-33)) / 2^(s-32)), since adding an
 * integer and flooring by powers of two commute with the floor: the product's
 * high word (one SMULL), an add and a shift. Other sums take apply_multiplier. */
static inline void update_rows_sat(const rp_fastgrnn_q15_cell* c, const int32_t* wx_q12, int16_t* h, const int64_t* acc,
                                   int32_t n, int32_t s1, int32_t round1)
{
    const rp_q15_multiplier m = c->uh;
    const sat_consts k = {c->bias_gate, c->bias_update, c->zeta_q15, c->nu_q15};
    const int32_t (*mid)[2] = rp_sigmoid_full_q15 + 256;
    const int32_t r = (int32_t)1 << (m.shift - 33), d = m.shift - 32;
    for (int32_t i = 0; i < n; ++i) {
        const int64_t a = acc[i];
        const int32_t lo = (int32_t)a;
        const int32_t uh = a == lo ? ((int32_t)(((int64_t)lo * m.mult) >> 32) + r) >> d : apply_multiplier(a, m);
        h[i] = update_sat(&k, mid, i, qadd32(wx_q12[i], uh), h[i], s1, round1);
    }
}

static inline void step_rows_sat(const rp_fastgrnn_q15_cell* c, const int32_t* wx_q12, int16_t* h, int64_t* acc,
                                 int32_t n)
{
#if defined(__ARM_FEATURE_DSP)
    if (n == 16)
        matvec16_q15(c->U, h, acc);
    else if (n == 8)
        matvec8_q15(c->U, h, acc);
    else
#endif
        for (int32_t i = 0; i < n; ++i)
            acc[i] = dot_q15(c->U + (size_t)i * (size_t)n, h, n);
    const rp_q15_multiplier m = c->uh;
    const int32_t s1 = 29 - c->h_frac_bits, round1 = 1 << (28 - c->h_frac_bits);
    if (m.shift >= 33) {
        if (c->h_frac_bits == 14)
            update_rows_sat(c, wx_q12, h, acc, n, 15, 1 << 14);
        else
            update_rows_sat(c, wx_q12, h, acc, n, s1, round1);
        return;
    }
    const sat_consts k = {c->bias_gate, c->bias_update, c->zeta_q15, c->nu_q15};
    const int32_t (*mid)[2] = rp_sigmoid_full_q15 + 256;
    for (int32_t i = 0; i < n; ++i)
        h[i] = update_sat(&k, mid, i, qadd32(wx_q12[i], apply_multiplier(acc[i], m)), h[i], s1, round1);
}

void rp_fastgrnn_q15_step_rows_sat_from_zero(const rp_fastgrnn_q15_cell* c, const int32_t* wx_q12, int16_t* h)
{
    /* U.h = 0 requantises to 0 (floor(2^(s-1) / 2^s) = 0), and z h = 0. */
    const sat_consts k = {c->bias_gate, c->bias_update, c->zeta_q15, c->nu_q15};
    const int32_t (*mid)[2] = rp_sigmoid_full_q15 + 256;
    const int32_t s1 = 29 - c->h_frac_bits, round1 = 1 << (28 - c->h_frac_bits);
    for (int32_t i = 0; i < c->hidden_dims; ++i)
        h[i] = update_sat(&k, mid, i, wx_q12[i], 0, s1, round1);
}

void rp_fastgrnn_q15_step_rows_sat(const rp_fastgrnn_q15_cell* c, const int32_t* wx_q12, int16_t* h, void* scratch)
{
    int64_t* acc = (int64_t*)scratch;
    switch (c->hidden_dims) {
    case 8: step_rows_sat(c, wx_q12, h, acc, 8); break;
    case 16: step_rows_sat(c, wx_q12, h, acc, 16); break;
    default: step_rows_sat(c, wx_q12, h, acc, c->hidden_dims); break;
    }
}

void rp_fastgrnn_q15_wx_q15_rows(const rp_fastgrnn_q15_cell* c, const int16_t* x, int32_t* wx_q12)
{
#if defined(__ARM_FEATURE_DSP)
    const int32_t n = c->hidden_dims;
    if ((n == 16 || n == 8) && c->input_dims == n) {
        int64_t acc[16];
        if (n == 16)
            matvec16_q15(c->W, x, acc);
        else
            matvec8_q15(c->W, x, acc);
        const rp_q15_multiplier m = c->wx;
        const int64_t round = m.shift >= 32 ? (int64_t)1 << (m.shift - 1) : 0;
        const int32_t down = m.shift >= 32 ? m.shift - 32 : 0;
        for (int32_t i = 0; i < n; ++i)
            wx_q12[i] = apply_multiplier_sum(acc[i], m, round, down);
        return;
    }
#endif
    rp_fastgrnn_q15_wx_q15(c, x, wx_q12);
}

void rp_fastgrnn_q15_wx_s8_rows(const rp_fastgrnn_q15_cell* c, const int8_t* x, int32_t x_stride, int32_t zero_point,
                                int32_t* wx_q12)
{
    const int32_t in = c->input_dims;
    if (in > 128) {
        rp_fastgrnn_q15_wx_s8(c, x, x_stride, zero_point, wx_q12);
        return;
    }
    /* x - zero_point lies in [-255, 255]: int16, and |w (x - zp)| < 2^23 sums
     * exactly in int32 over at most 128 inputs. */
    int16_t xs[128];
    for (int32_t j = 0; j < in; ++j)
        xs[j] = (int16_t)((int32_t)x[(size_t)j * (size_t)x_stride] - zero_point);
    const rp_q15_multiplier m = c->wx;
#if defined(__ARM_FEATURE_DSP)
    if (m.shift >= 32 && in == 4) {
        /* Four channels (the face detectors' stems): two SMLADs an output. */
        const uint32_t x01 = pair16(xs), x23 = pair16(xs + 2);
        const int64_t round = (int64_t)1 << (m.shift - 1);
        const int32_t down = m.shift - 32;
        const int16_t* w = c->W;
        for (int32_t i = 0; i < c->hidden_dims; ++i, w += 4) {
            const int32_t acc = __smlad(pair16(w + 2), x23, __smlad(pair16(w), x01, 0));
            wx_q12[i] = (int32_t)(((int64_t)acc * m.mult + round) >> 32) >> down;
        }
        return;
    }
#endif
    if (m.shift >= 32) {
        /* floor((v mult + 2^(s-1)) / 2^s) as the high word of the 64-bit sum,
         * shifted by s - 32: |v mult| < 2^62, so it fits int32 unsaturated. */
        const int64_t round = (int64_t)1 << (m.shift - 1);
        for (int32_t i = 0; i < c->hidden_dims; ++i) {
            const int64_t prod = (int64_t)dot_q15_32(c->W + (size_t)i * (size_t)in, xs, in) * m.mult + round;
            wx_q12[i] = (int32_t)(prod >> 32) >> (m.shift - 32);
        }
        return;
    }
    for (int32_t i = 0; i < c->hidden_dims; ++i)
        wx_q12[i] = apply_multiplier(dot_q15_32(c->W + (size_t)i * (size_t)in, xs, in), m);
}
