/* The 1x1 and depthwise convolutions on x86 with AVX2.
 *
 * 1x1: eight output channels at a time,
 * each a VPMADDWD dot product over 16 input channels (int8 widened to int16:
 * the int32 sums are the reference's exact sums), the eight sums gathered by
 * horizontal adds; requantisation in lanes as rp_requantize_s32 does it for
 * scales below 1/4 (the product's high word, a rounding add, a per-channel
 * arithmetic shift). It applies when cin is a multiple of 16, cout a
 * multiple of 8 (at most 1024) and every channel's scale is below 1/4;
 * otherwise the portable path runs.
 *
 * Depthwise: eight channels in int32 lanes over the window (the offset added,
 * one VPMULLD per tap: the reference's exact products and sums), the same
 * requantisation; when the channel count is a multiple of 8.
 *
 * One-channel KxK (a grey stem): eight output pixels of a row in int32
 * lanes (stride 2 takes the even bytes of one load), each output channel's
 * weight broadcast per tap; the pixels whose window leaves the picture, and
 * a row's last few, as the reference sums them. Requantisation as
 * rp_output_s8.
 *
 * conv_s8_test compares all three with the scalar references bit for bit. */
#include "conv_s8.h"
#include "requantize.h"

#if defined(__AVX2__)
#include <immintrin.h>

static inline __m256i hsum8x8_s32(const __m256i v[8])
{
    const __m256i s01 = _mm256_hadd_epi32(v[0], v[1]), s23 = _mm256_hadd_epi32(v[2], v[3]);
    const __m256i s45 = _mm256_hadd_epi32(v[4], v[5]), s67 = _mm256_hadd_epi32(v[6], v[7]);
    const __m256i s0123 = _mm256_hadd_epi32(s01, s23), s4567 = _mm256_hadd_epi32(s45, s67);
    return _mm256_add_epi32(_mm256_permute2x128_si256(s0123, s4567, 0x20), _mm256_permute2x128_si256(s0123, s4567, 0x31));
}


/* rp_output_s8 of eight accumulators (channels o..o+7 of the arrays), for
 * scales below 1/4: the high words of the int64 products, the rounding add
 * and the per-channel shift, the zero point, the clamp; stored as int8. */
static inline void store_requantized8(__m256i a, const int32_t* multiplier, const int32_t* rshift, const int32_t* round,
                                      __m256i zero, __m256i lo, __m256i hi, int8_t* out)
{
    const __m256i m = _mm256_loadu_si256((const __m256i*)(const void*)multiplier);
    const __m256i even = _mm256_mul_epi32(a, m);
    const __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(a, 32), _mm256_srli_epi64(m, 32));
    /* The high words of the eight int64 products, in channel order. */
    const __m256i high = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
    const __m256i r = _mm256_loadu_si256((const __m256i*)(const void*)rshift);
    const __m256i rounded =
        _mm256_srav_epi32(_mm256_add_epi32(high, _mm256_loadu_si256((const __m256i*)(const void*)round)), r);
    const __m256i v = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(rounded, zero), lo), hi);
    const __m128i v16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    _mm_storel_epi64((__m128i*)(void*)out, _mm_packs_epi16(v16, v16));
}

/* Each channel's shift as n - 32 and its rounding term; 0 when a scale is
 * 1/4 or more (or there are more than 1024 channels). */
static int requant_tables(const rp_conv_quant_t* q, int32_t channels, int32_t rshift[1024], int32_t round[1024])
{
    if (channels > 1024)
        return 0;
    for (int32_t o = 0; o < channels; ++o) {
        if (q->shift[o] > -2 || q->shift[o] < -31)
            return 0;
        rshift[o] = -1 - q->shift[o]; /* n - 32, n = 31 - shift, in [1, 30] */
        round[o] = (int32_t)1 << (rshift[o] - 1);
    }
    return 1;
}

int rp_pointwise_conv_s8_avx2(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input,
                              const int8_t* weights, const int32_t* full_bias, int8_t* output)
{
    const int32_t pixels = s->in_height * s->in_width, cin = s->in_channels, cout = s->out_channels;
    if (cin <= 0 || cin % 16 != 0 || cout <= 0 || cout % 8 != 0 || cout > 1024)
        return 0;
    int32_t rshift[1024], round[1024];
    if (!requant_tables(q, cout, rshift, round))
        return 0;
    const __m256i zero = _mm256_set1_epi32(q->output_offset);
    const __m256i lo = _mm256_set1_epi32(q->activation_min), hi = _mm256_set1_epi32(q->activation_max);
    for (int32_t p = 0; p < pixels; ++p) {
        const int8_t* x = input + (size_t)p * (size_t)cin;
        int8_t* out = output + (size_t)p * (size_t)cout;
        for (int32_t o = 0; o < cout; o += 8) {
            __m256i acc[8];
            for (int32_t j = 0; j < 8; ++j)
                acc[j] = _mm256_setzero_si256();
            for (int32_t c = 0; c < cin; c += 16) {
                const __m256i xv = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*)(const void*)(x + c)));
                for (int32_t j = 0; j < 8; ++j) {
                    const int8_t* w = weights + (size_t)(o + j) * (size_t)cin + (size_t)c;
                    const __m256i wv = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*)(const void*)w));
                    acc[j] = _mm256_add_epi32(acc[j], _mm256_madd_epi16(xv, wv));
                }
            }
            const __m256i a = _mm256_add_epi32(hsum8x8_s32(acc), _mm256_loadu_si256((const __m256i*)(const void*)(full_bias + o)));
            store_requantized8(a, q->multiplier + o, rshift + o, round + o, zero, lo, hi, out + o);
        }
    }
    return 1;
}
int rp_depthwise_conv_s8_avx2(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input,
                              const int8_t* weights, const int32_t* bias, int8_t* output)
{
    const int32_t ch = s->in_channels, kh = s->kernel_h, kw = s->kernel_w;
    if (ch <= 0 || ch % 8 != 0)
        return 0;
    int32_t rshift[1024], round[1024];
    if (!requant_tables(q, ch, rshift, round))
        return 0;
    const int32_t oh = rp_conv_out_height(s), ow = rp_conv_out_width(s);
    const __m256i offset = _mm256_set1_epi32(q->input_offset);
    const __m256i zero = _mm256_set1_epi32(q->output_offset);
    const __m256i lo = _mm256_set1_epi32(q->activation_min), hi = _mm256_set1_epi32(q->activation_max);
    for (int32_t oy = 0; oy < oh; ++oy) {
        const int32_t iy0 = oy * s->stride_h - s->pad_h;
        const int32_t ky0 = iy0 < 0 ? -iy0 : 0;
        const int32_t ky1 = iy0 + kh > s->in_height ? s->in_height - iy0 : kh;
        for (int32_t ox = 0; ox < ow; ++ox) {
            const int32_t ix0 = ox * s->stride_w - s->pad_w;
            const int32_t kx0 = ix0 < 0 ? -ix0 : 0;
            const int32_t kx1 = ix0 + kw > s->in_width ? s->in_width - ix0 : kw;
            int8_t* out = output + ((size_t)oy * (size_t)ow + (size_t)ox) * (size_t)ch;
            for (int32_t c = 0; c < ch; c += 8) {
                __m256i acc = bias ? _mm256_loadu_si256((const __m256i*)(const void*)(bias + c)) : _mm256_setzero_si256();
                for (int32_t ky = ky0; ky < ky1; ++ky)
                    for (int32_t kx = kx0; kx < kx1; ++kx) {
                        const int8_t* x = input + ((size_t)(iy0 + ky) * (size_t)s->in_width + (size_t)(ix0 + kx)) * (size_t)ch + (size_t)c;
                        const int8_t* w = weights + ((size_t)ky * (size_t)kw + (size_t)kx) * (size_t)ch + (size_t)c;
                        const __m256i xv = _mm256_add_epi32(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i*)(const void*)x)), offset);
                        const __m256i wv = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i*)(const void*)w));
                        acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(xv, wv));
                    }
                store_requantized8(acc, q->multiplier + c, rshift + c, round + c, zero, lo, hi, out + c);
            }
        }
    }
    return 1;
}
/* One output pixel of a one-channel KxK convolution, as the reference sums it. */
static int32_t c1_pixel(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input, const int8_t* w,
                        int32_t acc, int32_t iy0, int32_t ix0)
{
    for (int32_t ky = 0; ky < s->kernel_h; ++ky)
        for (int32_t kx = 0; kx < s->kernel_w; ++kx) {
            const int32_t iy = iy0 + ky, ix = ix0 + kx;
            if (iy < 0 || iy >= s->in_height || ix < 0 || ix >= s->in_width)
                continue;
            acc += (input[iy * s->in_width + ix] + q->input_offset) * w[ky * s->kernel_w + kx];
        }
    return acc;
}

int rp_conv_s8_c1_avx2(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input, const int8_t* weights,
                       const int32_t* bias, int8_t* output)
{
    const int32_t cout = s->out_channels, kh = s->kernel_h, kw = s->kernel_w, sw = s->stride_w;
    if (s->in_channels != 1 || cout <= 0 || cout > 8 || (sw != 1 && sw != 2) || kh > 7 || kw > 7)
        return 0;
    int32_t rshift[1024], round[1024];
    if (!requant_tables(q, cout, rshift, round))
        return 0;
    const int32_t oh = rp_conv_out_height(s), ow = rp_conv_out_width(s), W = s->in_width;
    const __m256i offset = _mm256_set1_epi32(q->input_offset);
    const __m128i even = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, -1, -1, -1, -1, -1, -1, -1, -1);
    /* Bytes a vector of eight pixels reads past its first tap: 8 (stride 1) or 16 (stride 2). */
    const int32_t span = sw == 1 ? 8 : 16;
    for (int32_t oy = 0; oy < oh; ++oy) {
        const int32_t iy0 = oy * s->stride_h - s->pad_h;
        const int32_t ky0 = iy0 < 0 ? -iy0 : 0;
        const int32_t ky1 = iy0 + kh > s->in_height ? s->in_height - iy0 : kh;
        int32_t ox = 0;
        while (ox < ow) {
            const int32_t ix0 = ox * sw - s->pad_w;
            int8_t* out = output + ((size_t)oy * (size_t)ow + (size_t)ox) * (size_t)cout;
            if (ox + 8 > ow || ix0 < 0 || ix0 + kw - 1 + span > W) {
                for (int32_t o = 0; o < cout; ++o)
                    out[o] = rp_output_s8(c1_pixel(s, q, input, weights + o * kh * kw, bias ? bias[o] : 0, iy0, ix0),
                                          q->multiplier[o], q->shift[o], q->output_offset, q->activation_min,
                                          q->activation_max);
                ++ox;
                continue;
            }
            __m256i acc[8];
            for (int32_t o = 0; o < cout; ++o)
                acc[o] = _mm256_set1_epi32(bias ? bias[o] : 0);
            for (int32_t ky = ky0; ky < ky1; ++ky)
                for (int32_t kx = 0; kx < kw; ++kx) {
                    const int8_t* base = input + (size_t)(iy0 + ky) * (size_t)W + (size_t)(ix0 + kx);
                    const __m128i bytes = sw == 1 ? _mm_loadl_epi64((const __m128i*)(const void*)base)
                                                  : _mm_shuffle_epi8(_mm_loadu_si128((const __m128i*)(const void*)base), even);
                    const __m256i x = _mm256_add_epi32(_mm256_cvtepi8_epi32(bytes), offset);
                    for (int32_t o = 0; o < cout; ++o)
                        acc[o] = _mm256_add_epi32(acc[o], _mm256_mullo_epi32(x, _mm256_set1_epi32(weights[(o * kh + ky) * kw + kx])));
                }
            for (int32_t o = 0; o < cout; ++o) {
                int32_t v[8];
                _mm256_storeu_si256((__m256i*)(void*)v, acc[o]);
                for (int32_t j = 0; j < 8; ++j)
                    out[(size_t)j * (size_t)cout + (size_t)o] =
                        rp_output_s8(v[j], q->multiplier[o], q->shift[o], q->output_offset, q->activation_min, q->activation_max);
            }
            ox += 8;
        }
    }
    return 1;
}
#else
int rp_pointwise_conv_s8_avx2(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input,
                              const int8_t* weights, const int32_t* full_bias, int8_t* output)
{
    (void)s;
    (void)q;
    (void)input;
    (void)weights;
    (void)full_bias;
    (void)output;
    return 0;
}

int rp_conv_s8_c1_avx2(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input, const int8_t* weights,
                       const int32_t* bias, int8_t* output)
{
    (void)s;
    (void)q;
    (void)input;
    (void)weights;
    (void)bias;
    (void)output;
    return 0;
}

int rp_depthwise_conv_s8_avx2(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input,
                              const int8_t* weights, const int32_t* bias, int8_t* output)
{
    (void)s;
    (void)q;
    (void)input;
    (void)weights;
    (void)bias;
    (void)output;
    return 0;
}
#endif
