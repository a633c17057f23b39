/* The cell of our float-trained models for 16 hidden units on x86 with AVX2:
 * the reference's bits (rp_fastgrnn_q15_step_pre) in 32-bit vector lanes.
 *
 * Why 32 bits are enough, for a cell that rp_fastgrnn_q15_pairs16_usable()
 * accepts:
 *  - U.h: h = 256 hh + hl with hh = h >> 8 in [-128, 127] and hl = h & 255,
 *    so A = sum U hh (|A| <= 2^26) and L = sum U hl (|L| < 2^27) are exact in
 *    int32 (VPMADDWD pairs cannot overflow: one factor is below 2^8). The
 *    multiplier m / 2^S (S >= 8) then runs in int64 lanes (VPMULDQ):
 *    floor((256 A m + L m + 2^(S-1)) / 2^S)
 *      = floor((A m + floor((L m + 2^(S-1)) / 2^8)) / 2^(S-8)),
 *    every term below 2^62; the result is below 2^30 by the bound below, so
 *    it never saturates.
 *  - W.x + U.h + bias is below 2^30 by the bound checked once per cell, so
 *    neither the int32 sums nor tanh's doubling saturate.
 *  - gain * cand < 2^31 (gain <= 65534, |cand| <= 2^15), and its rounding
 *    floor((P + 2^(c-1)) / 2^c) = ((P >> 1) + 2^(c-2)) >> (c - 1), c >= 15.
 * Elsewhere (no AVX2, or a cell outside those bounds) the step is the
 * reference itself. rnnpool_quantizer_test compares both, step by step. */
#include <string.h>

#include "integer/fastgrnn_q15.h"
#include "integer/q15_arith.h"

#if defined(__AVX2__)
#include <immintrin.h>

/* The sigmoid table of fastgrnn_q15.c (T) packed for one gather per lookup: entry k is
 * T[k] | (T[k+1] - T[k]) << 16 (T[k] <= 2^15, the step <= 512), k = 0..192.
 * Pairs16CellEqualsReferenceCell checks it against the table, entry by entry. */
const int32_t rp_sigmoid_pairs_q15[193] = {
    33570816, 33505792, 33375231, 33113596, 32917493, 32590315, 32263132, 31804872,
    31281069, 30822794, 30167904, 29578540, 28923631, 28268712, 27548247, 26762235,
    26041747, 25255712, 24469665, 23683606, 22831999, 22045915, 21259819, 20408175,
    19687590, 18835922, 18115313, 17329157, 16542989, 15887881, 15167227, 14446562,
    13791422, 13136272, 12481112, 11957014, 11301836, 10712184, 10253595, 9663927,
    9205322, 8746710, 8222555, 7829464, 7436367, 6977728, 6650154, 6257039,
    5929454, 5601864, 5274269, 5012205, 4684601, 4488064, 4160452, 3963907,
    3767359, 3505272, 3374253, 3112160, 2981135, 2784572, 2588006, 2522509,
    2325939, 2194902, 2063863, 1932822, 1867315, 1736271, 1605225, 1539713,
    1474200, 1343150, 1277634, 1212117, 1146599, 1081080, 1015560, 950039,
    884517, 818994, 819006, 753482, 687957, 687967, 622441, 622450,
    556923, 491395, 491402, 491409, 425880, 425886, 425892, 360362,
    360367, 294836, 360376, 294845, 294849, 229317, 294856, 229324,
    229327, 229330, 163797, 229335, 163802, 163804, 163806, 163808,
    163810, 163812, 98278, 163815, 98281, 98282, 163819, 98285,
    98286, 98287, 98288, 98289, 98290, 98291, 32756, 98292,
    98293, 32758, 98294, 32759, 98295, 32760, 98296, 32761,
    98297, 32762, 32762, 98298, 32763, 32763, 98299, 32764,
    32764, 32764, 98300, 32765, 32765, 32765, 32765, 98301,
    32766, 32766, 32766, 32766, 32766, 32766, 32766, 98302,
    32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767,
    32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767,
    32767, 98303, 32768, 32768, 32768, 32768, 32768, 32768,
    32768, 32768, 32768, 32768, 32768, 32768, 32768, 32768,
    32768,
};

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }
#endif

int rp_fastgrnn_q15_pairs16_usable(const rp_fastgrnn_q15_cell* c, int32_t x_max)
{
#if defined(__AVX2__)
    if (!c || rp_fastgrnn_q15_check(c) != RP_Q15_OK || c->hidden_dims != 16 || x_max < 0)
        return 0;
    if (c->uh.shift < 8 || c->wx.shift < 8 || (int64_t)c->input_dims * 32768 * (x_max > 255 ? 0 : 255) >= INT32_MAX)
        return 0;
    for (int32_t i = 0; i < 16; ++i) {
        int64_t sw = 0, su = 0;
        for (int32_t j = 0; j < c->input_dims; ++j)
            sw += abs64(c->W[(size_t)i * (size_t)c->input_dims + (size_t)j]) * x_max;
        for (int32_t j = 0; j < 16; ++j)
            su += abs64(c->U[(size_t)i * 16u + (size_t)j]) * 32768;
        const int64_t bw = (int64_t)rp_q15_apply_multiplier(sw, c->wx) + 1;
        const int64_t bu = (int64_t)rp_q15_apply_multiplier(su, c->uh) + 1;
        const int64_t bb = abs64(c->bias_gate[i]) > abs64(c->bias_update[i]) ? abs64(c->bias_gate[i])
                                                                                : abs64(c->bias_update[i]);
        if (bw + bu + bb >= ((int64_t)1 << 30))
            return 0;
    }
    return 1;
#else
    (void)c;
    (void)x_max;
    return 0;
#endif
}

void rp_fastgrnn_q15_pairs16_layout(const int16_t* U, int16_t* Up)
{
    for (int32_t p = 0; p < 8; ++p)
        for (int32_t i = 0; i < 16; ++i)
            for (int32_t e = 0; e < 2; ++e)
                Up[((size_t)p * 16u + (size_t)i) * 2u + (size_t)e] = U[(size_t)i * 16u + (size_t)(2 * p + e)];
}

#if defined(__AVX2__)
/* sigmoid_q15 of eight Q12 arguments below 2^31 in magnitude. */
static inline __m256i sigmoid8(__m256i x)
{
    const __m256i a = _mm256_min_epi32(_mm256_abs_epi32(x), _mm256_set1_epi32(192 * 256));
    const __m256i k = _mm256_srai_epi32(a, 8);
    const __m256i frac = _mm256_and_si256(a, _mm256_set1_epi32(255));
    const __m256i packed = _mm256_i32gather_epi32((const int*)rp_sigmoid_pairs_q15, k, 4);
    const __m256i y0 = _mm256_and_si256(packed, _mm256_set1_epi32(0xFFFF));
    const __m256i d = _mm256_mullo_epi32(_mm256_srli_epi32(packed, 16), frac);
    const __m256i y = _mm256_add_epi32(y0, _mm256_srai_epi32(_mm256_add_epi32(d, _mm256_set1_epi32(128)), 8));
    const __m256i negative = _mm256_cmpgt_epi32(_mm256_setzero_si256(), x);
    return _mm256_blendv_epi8(y, _mm256_sub_epi32(_mm256_set1_epi32(32768), y), negative);
}

/* floor(x / 2^k) in int64 lanes (AVX2 has no arithmetic 64-bit shift). */
static inline __m256i sra64(__m256i x, __m128i k)
{
    const __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), x);
    return _mm256_xor_si256(_mm256_srl_epi64(_mm256_xor_si256(x, sign), k), sign);
}

/* round((256 a + l) m / 2^S) half up for the int32 lanes a, l that sit in the
 * low halves of the 64-bit lanes. */
static inline __m256i mulshift_low(__m256i a, __m256i l, __m256i m, __m256i r, __m128i eight, __m128i rest)
{
    const __m256i y = _mm256_add_epi64(_mm256_mul_epi32(l, m), r);
    return sra64(_mm256_add_epi64(_mm256_mul_epi32(a, m), sra64(y, eight)), rest);
}

/* The same for eight int32 lanes. */
static inline __m256i mulshift8(__m256i a, __m256i l, __m256i m, __m256i r, __m128i eight, __m128i rest)
{
    const __m256i even = mulshift_low(a, l, m, r, eight, rest);
    const __m256i odd = mulshift_low(_mm256_srli_epi64(a, 32), _mm256_srli_epi64(l, 32), m, r, eight, rest);
    return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

/* round(acc m / 2^S) half up for eight int32 lanes (no saturation: the
 * callers' bounds keep the result below 2^30). */
static inline __m256i mulshift32x8(__m256i acc, __m256i m, __m256i r, __m128i shift)
{
    const __m256i even = sra64(_mm256_add_epi64(_mm256_mul_epi32(acc, m), r), shift);
    const __m256i odd = sra64(_mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(acc, 32), m), r), shift);
    return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

/* The eight lane sums of v0..v7, in order, as one vector. */
static inline __m256i hsum8x8(__m256i v0, __m256i v1, __m256i v2, __m256i v3, __m256i v4, __m256i v5, __m256i v6,
                              __m256i v7)
{
    const __m256i s01 = _mm256_hadd_epi32(v0, v1), s23 = _mm256_hadd_epi32(v2, v3);
    const __m256i s45 = _mm256_hadd_epi32(v4, v5), s67 = _mm256_hadd_epi32(v6, v7);
    const __m256i s0123 = _mm256_hadd_epi32(s01, s23), s4567 = _mm256_hadd_epi32(s45, s67);
    /* s0123 = [v0 v1 v2 v3 | v0 v1 v2 v3] halves (low 128 / high 128), likewise s4567. */
    const __m256i lo = _mm256_permute2x128_si256(s0123, s4567, 0x20);
    const __m256i hi = _mm256_permute2x128_si256(s0123, s4567, 0x31);
    return _mm256_add_epi32(lo, hi);
}

/* h' for eight units, given the pre-activation without bias. */
static inline __m256i update8(const rp_fastgrnn_q15_cell* c, __m256i pre, const int32_t* bg, const int32_t* bh,
                              __m256i h)
{
    const __m256i z = sigmoid8(_mm256_add_epi32(pre, _mm256_loadu_si256((const __m256i*)(const void*)bg)));
    const __m256i u = _mm256_add_epi32(pre, _mm256_loadu_si256((const __m256i*)(const void*)bh));
    const __m256i cand = _mm256_sub_epi32(_mm256_slli_epi32(sigmoid8(_mm256_add_epi32(u, u)), 1),
                                          _mm256_set1_epi32(32768));
    const __m256i half = _mm256_set1_epi32(1 << 14);
    const __m256i zetaPart = _mm256_srai_epi32(
        _mm256_add_epi32(_mm256_mullo_epi32(_mm256_set1_epi32(c->zeta_q15), _mm256_sub_epi32(_mm256_set1_epi32(32768), z)),
                         half),
        15);
    const __m256i gain = _mm256_add_epi32(zetaPart, _mm256_set1_epi32(c->nu_q15));
    const __m256i zh = _mm256_srai_epi32(_mm256_add_epi32(_mm256_mullo_epi32(z, h), half), 15);
    const int32_t cs = 30 - c->h_frac_bits;
    const __m256i p = _mm256_srai_epi32(_mm256_mullo_epi32(gain, cand), 1);
    const __m256i gc = _mm256_sra_epi32(_mm256_add_epi32(p, _mm256_set1_epi32(1 << (cs - 2))), _mm_cvtsi32_si128(cs - 1));
    return _mm256_add_epi32(zh, gc);
}
#endif

void rp_fastgrnn_q15_step_pre_pairs16_from_zero(const rp_fastgrnn_q15_cell* c, const int32_t* wx_q12, int16_t* h)
{
#if defined(__AVX2__)
    /* h = 0: U.h is 0 (its rounding of 0 is 0), and so is z h. */
    const __m256i zero = _mm256_setzero_si256();
    const __m256i n0 = update8(c, _mm256_loadu_si256((const __m256i*)(const void*)wx_q12), c->bias_gate, c->bias_update, zero);
    const __m256i n1 =
        update8(c, _mm256_loadu_si256((const __m256i*)(const void*)(wx_q12 + 8)), c->bias_gate + 8, c->bias_update + 8, zero);
    _mm256_storeu_si256((__m256i*)(void*)h, _mm256_permute4x64_epi64(_mm256_packs_epi32(n0, n1), 0xD8));
#else
    int32_t scratch[16];
    memset(h, 0, 16 * sizeof(int16_t));
    rp_fastgrnn_q15_step_pre(c, wx_q12, h, scratch);
#endif
}

void rp_fastgrnn_q15_step_pre_pairs16(const rp_fastgrnn_q15_cell* c, const int16_t* Up, const int32_t* wx_q12,
                                      int16_t* h)
{
#if defined(__AVX2__)
    const __m256i hv = _mm256_loadu_si256((const __m256i*)(const void*)h);
    const __m256i hl = _mm256_and_si256(hv, _mm256_set1_epi16(255));
    const __m256i hh = _mm256_srai_epi16(hv, 8);
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, l0 = a0, l1 = a0;
    for (int32_t p = 0; p < 8; ++p) {
        const __m256i idx = _mm256_set1_epi32(p);
        const __m256i bh = _mm256_permutevar8x32_epi32(hh, idx), bl = _mm256_permutevar8x32_epi32(hl, idx);
        const __m256i w0 = _mm256_loadu_si256((const __m256i*)(const void*)(Up + (size_t)p * 32u));
        const __m256i w1 = _mm256_loadu_si256((const __m256i*)(const void*)(Up + (size_t)p * 32u + 16u));
        a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(w0, bh));
        a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(w1, bh));
        l0 = _mm256_add_epi32(l0, _mm256_madd_epi16(w0, bl));
        l1 = _mm256_add_epi32(l1, _mm256_madd_epi16(w1, bl));
    }
    const __m256i m = _mm256_set1_epi64x(c->uh.mult);
    const __m256i r = _mm256_set1_epi64x((int64_t)1 << (c->uh.shift - 1));
    const __m128i eight = _mm_cvtsi32_si128(8), rest = _mm_cvtsi32_si128(c->uh.shift - 8);
    const __m256i u0 = mulshift8(a0, l0, m, r, eight, rest), u1 = mulshift8(a1, l1, m, r, eight, rest);
    const __m256i pre0 = _mm256_add_epi32(u0, _mm256_loadu_si256((const __m256i*)(const void*)wx_q12));
    const __m256i pre1 = _mm256_add_epi32(u1, _mm256_loadu_si256((const __m256i*)(const void*)(wx_q12 + 8)));
    const __m256i h0 = _mm256_cvtepi16_epi32(_mm256_castsi256_si128(hv));
    const __m256i h1 = _mm256_cvtepi16_epi32(_mm256_extracti128_si256(hv, 1));
    const __m256i n0 = update8(c, pre0, c->bias_gate, c->bias_update, h0);
    const __m256i n1 = update8(c, pre1, c->bias_gate + 8, c->bias_update + 8, h1);
    const __m256i packed = _mm256_permute4x64_epi64(_mm256_packs_epi32(n0, n1), 0xD8);
    _mm256_storeu_si256((__m256i*)(void*)h, packed);
#else
    (void)Up;
    int32_t scratch[16];
    rp_fastgrnn_q15_step_pre(c, wx_q12, h, scratch);
#endif
}

void rp_fastgrnn_q15_wx_q15_16(const rp_fastgrnn_q15_cell* c, const int16_t* x, int32_t* wx_q12)
{
#if defined(__AVX2__)
    const __m256i xv = _mm256_loadu_si256((const __m256i*)(const void*)x);
    const __m256i xl = _mm256_and_si256(xv, _mm256_set1_epi16(255));
    const __m256i xh = _mm256_srai_epi16(xv, 8);
    const __m256i m = _mm256_set1_epi64x(c->wx.mult);
    const __m256i r = _mm256_set1_epi64x((int64_t)1 << (c->wx.shift - 1));
    const __m128i eight = _mm_cvtsi32_si128(8), rest = _mm_cvtsi32_si128(c->wx.shift - 8);
    for (int32_t half = 0; half < 2; ++half) {
        __m256i a[8], l[8];
        for (int32_t i = 0; i < 8; ++i) {
            const __m256i w = _mm256_loadu_si256((const __m256i*)(const void*)(c->W + (size_t)(half * 8 + i) * 16u));
            a[i] = _mm256_madd_epi16(w, xh);
            l[i] = _mm256_madd_epi16(w, xl);
        }
        const __m256i A = hsum8x8(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
        const __m256i L = hsum8x8(l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7]);
        _mm256_storeu_si256((__m256i*)(void*)(wx_q12 + half * 8), mulshift8(A, L, m, r, eight, rest));
    }
#else
    rp_fastgrnn_q15_wx_q15(c, x, wx_q12);
#endif
}

void rp_fastgrnn_q15_wx_s8_16(const rp_fastgrnn_q15_cell* c, const int16_t* Wt, const int8_t* x, int32_t x_stride,
                              int32_t zero_point, int32_t* wx_q12)
{
#if defined(__AVX2__)
    __m256i acc0 = _mm256_setzero_si256(), acc1 = acc0;
    for (int32_t j = 0; j < c->input_dims; ++j) {
        const __m256i v = _mm256_set1_epi32((int32_t)x[(size_t)j * (size_t)x_stride] - zero_point);
        const int16_t* col = Wt + (size_t)j * 16u;
        acc0 = _mm256_add_epi32(acc0, _mm256_mullo_epi32(_mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i*)(const void*)col)), v));
        acc1 = _mm256_add_epi32(acc1,
                                _mm256_mullo_epi32(_mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i*)(const void*)(col + 8))), v));
    }
    const __m256i m = _mm256_set1_epi64x(c->wx.mult);
    const __m256i r = _mm256_set1_epi64x((int64_t)1 << (c->wx.shift - 1));
    const __m128i shift = _mm_cvtsi32_si128(c->wx.shift);
    _mm256_storeu_si256((__m256i*)(void*)wx_q12, mulshift32x8(acc0, m, r, shift));
    _mm256_storeu_si256((__m256i*)(void*)(wx_q12 + 8), mulshift32x8(acc1, m, r, shift));
#else
    rp_fastgrnn_q15_wx_s8_t(c, Wt, x, x_stride, zero_point, wx_q12);
#endif
}
