/* Int8 convolutions: scalar references and the fast portable paths.
 * The fast paths differ from the references only in the order of exact
 * integer additions (no int32 overflow is possible for kernels up to
 * 2^16 taps x channels), so they give the same bits. */
#include "conv_s8.h"

#include <string.h>

#include "dot_s8.h"
#include "requantize.h"

int32_t rp_conv_out_height(const rp_conv_shape_t* s)
{
    return (s->in_height + 2 * s->pad_h - s->kernel_h) / s->stride_h + 1;
}

int32_t rp_conv_out_width(const rp_conv_shape_t* s)
{
    return (s->in_width + 2 * s->pad_w - s->kernel_w) / s->stride_w + 1;
}

/* ---------------------------------------------------------------- KxK ---- */

#ifdef RP_USE_DSP
/* Cortex-M4: four output channels at a time over the gathered window. Each
 * group of four weights loads as the pairs (w0, w2) and (w1, w3)
 * (rp_load_pairs); the window is int16, so its groups are first reordered
 * into the same pairs, in place: (x0, x1, x2, x3) -> (x0, x2, x1, x3).
 * Returns the number of channels done (a multiple of 4); the caller does the
 * rest, on the window as it was. The same exact int32 sums as the loop. */
static void swap_middle(int16_t* window, int32_t groups)
{
    for (int32_t g = 0; g < groups; ++g) {
        const int16_t t = window[4 * g + 1];
        window[4 * g + 1] = window[4 * g + 2];
        window[4 * g + 2] = t;
    }
}

static int32_t conv_dot4_dsp(int16_t* window, const int8_t* weights, const int32_t* bias, const rp_conv_quant_t* q,
                             int32_t filter, int32_t cout, int8_t* out, int reorder)
{
    const int32_t groups = filter / 4;
    if (cout < 4 || groups == 0)
        return 0;
    if (reorder)
        swap_middle(window, groups);
    int32_t o = 0;
    for (; o + 4 <= cout; o += 4) {
        const int8_t* w0 = weights + o * filter;
        const int8_t* w1 = w0 + filter;
        const int8_t* w2 = w1 + filter;
        const int8_t* w3 = w2 + filter;
        int32_t s0 = bias ? bias[o] : 0, s1 = bias ? bias[o + 1] : 0, s2 = bias ? bias[o + 2] : 0,
                s3 = bias ? bias[o + 3] : 0;
        int32_t k = 0;
        for (int32_t g = 0; g < groups; ++g, k += 4) {
            uint32_t xe, xo;
            memcpy(&xe, window + k, 4);
            memcpy(&xo, window + k + 2, 4);
            int16x2_t we, wo;
            rp_load_pairs(w0 + k, &we, &wo);
            s0 = rp_smlad((int16x2_t)xo, wo, rp_smlad((int16x2_t)xe, we, s0));
            rp_load_pairs(w1 + k, &we, &wo);
            s1 = rp_smlad((int16x2_t)xo, wo, rp_smlad((int16x2_t)xe, we, s1));
            rp_load_pairs(w2 + k, &we, &wo);
            s2 = rp_smlad((int16x2_t)xo, wo, rp_smlad((int16x2_t)xe, we, s2));
            rp_load_pairs(w3 + k, &we, &wo);
            s3 = rp_smlad((int16x2_t)xo, wo, rp_smlad((int16x2_t)xe, we, s3));
        }
        for (; k < filter; ++k) {
            const int32_t x = window[k];
            s0 += x * w0[k];
            s1 += x * w1[k];
            s2 += x * w2[k];
            s3 += x * w3[k];
        }
        const int32_t sums[4] = {s0, s1, s2, s3};
        for (int32_t j = 0; j < 4; ++j)
            out[o + j] = rp_output_s8(sums[j], q->multiplier[o + j], q->shift[o + j], q->output_offset,
                                      q->activation_min, q->activation_max);
    }
    if (reorder)
        swap_middle(window, groups); /* back, for the remaining channels */
    return o;
}
#endif

void rp_conv_s8_ref(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input, const int8_t* weights,
                    const int32_t* bias, int8_t* output)
{
    const int32_t oh = rp_conv_out_height(s), ow = rp_conv_out_width(s);
    const int32_t cin = s->in_channels;
    for (int32_t oy = 0; oy < oh; ++oy)
        for (int32_t ox = 0; ox < ow; ++ox)
            for (int32_t o = 0; o < s->out_channels; ++o) {
                int32_t acc = bias ? bias[o] : 0;
                for (int32_t ky = 0; ky < s->kernel_h; ++ky)
                    for (int32_t kx = 0; kx < s->kernel_w; ++kx) {
                        const int32_t iy = oy * s->stride_h - s->pad_h + ky;
                        const int32_t ix = ox * s->stride_w - s->pad_w + kx;
                        if (iy < 0 || iy >= s->in_height || ix < 0 || ix >= s->in_width)
                            continue; /* the zero point: (zp + offset) * w == 0 */
                        for (int32_t c = 0; c < cin; ++c) {
                            const int32_t x = input[(iy * s->in_width + ix) * cin + c] + q->input_offset;
                            const int32_t w = weights[((o * s->kernel_h + ky) * s->kernel_w + kx) * cin + c];
                            acc += x * w;
                        }
                    }
                output[(oy * ow + ox) * s->out_channels + o] = rp_output_s8(
                    acc, q->multiplier[o], q->shift[o], q->output_offset, q->activation_min, q->activation_max);
            }
}

int32_t rp_conv_s8_scratch_size(const rp_conv_shape_t* s)
{
    return s->kernel_h * s->kernel_w * s->in_channels * (int32_t)sizeof(int16_t);
}

void rp_conv_s8(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input, const int8_t* weights,
                const int32_t* bias, void* scratch, int8_t* output)
{
    const int32_t oh = rp_conv_out_height(s), ow = rp_conv_out_width(s);
    const int32_t cin = s->in_channels, kh = s->kernel_h, kw = s->kernel_w;
    const int32_t filter = kh * kw * cin;
    /* The window of each output pixel, offset added, gathered once into
     * [kh][kw][cin] (the filter's order; padding is 0 there, which is the
     * zero point plus the offset), then one dot product per output channel:
     * one gather serves every output channel, and a 1-channel stem runs dot
     * products of kh * kw instead of calls of length kw. */
    int16_t* window = (int16_t*)scratch;
#if defined(__AVX2__)
    if (rp_conv_s8_c1_avx2(s, q, input, weights, bias, output))
        return;
#endif
#ifdef RP_USE_DSP
    /* With whole groups of four channels a pixel, each pixel's values are
     * gathered straight into the pair order (SXTB16's), not reordered after. */
    const int widened = cin % 4 == 0;
#endif
    for (int32_t oy = 0; oy < oh; ++oy) {
        const int32_t iy0 = oy * s->stride_h - s->pad_h;
        for (int32_t ox = 0; ox < ow; ++ox) {
            const int32_t ix0 = ox * s->stride_w - s->pad_w;
            for (int32_t ky = 0; ky < kh; ++ky) {
                const int32_t iy = iy0 + ky;
                int16_t* row = window + ky * kw * cin;
                if (iy < 0 || iy >= s->in_height) {
                    memset(row, 0, (size_t)(kw * cin) * sizeof(int16_t));
                    continue;
                }
                for (int32_t kx = 0; kx < kw; ++kx) {
                    const int32_t ix = ix0 + kx;
                    int16_t* dst = row + kx * cin;
                    if (ix < 0 || ix >= s->in_width) {
                        memset(dst, 0, (size_t)cin * sizeof(int16_t));
                        continue;
                    }
                    const int8_t* src = input + (iy * s->in_width + ix) * cin;
#ifdef RP_USE_DSP
                    if (widened) { /* in rp_widen_s8's order, ready for the pairs */
                        rp_widen_s8(src, cin, q->input_offset, dst);
                        continue;
                    }
#endif
                    for (int32_t c = 0; c < cin; ++c)
                        dst[c] = (int16_t)(src[c] + q->input_offset);
                }
            }
            int8_t* out = output + (oy * ow + ox) * s->out_channels;
            int32_t o = 0;
#ifdef RP_USE_DSP
            if (widened) {
                /* Four channels a pass over the widened window, the rest one by one. */
                o = conv_dot4_dsp(window, weights, bias, q, filter, s->out_channels, out, 0);
                for (; o < s->out_channels; ++o)
                    out[o] = rp_output_s8((bias ? bias[o] : 0) + rp_dot_wide_s8(weights + o * filter, window, filter),
                                          q->multiplier[o], q->shift[o], q->output_offset, q->activation_min,
                                          q->activation_max);
                continue;
            }
            o = conv_dot4_dsp(window, weights, bias, q, filter, s->out_channels, out, 1);
#endif
            for (; o < s->out_channels; ++o) {
                const int8_t* w = weights + o * filter;
                int32_t acc = bias ? bias[o] : 0;
                for (int32_t k = 0; k < filter; ++k)
                    acc += (int32_t)window[k] * w[k];
                out[o] = rp_output_s8(acc, q->multiplier[o], q->shift[o], q->output_offset, q->activation_min,
                                      q->activation_max);
            }
        }
    }
}

/* ---------------------------------------------------------- depthwise ---- */

void rp_depthwise_conv_s8_ref(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input,
                              const int8_t* weights, const int32_t* bias, int8_t* output)
{
    const int32_t oh = rp_conv_out_height(s), ow = rp_conv_out_width(s);
    const int32_t ch = s->in_channels;
    for (int32_t oy = 0; oy < oh; ++oy)
        for (int32_t ox = 0; ox < ow; ++ox)
            for (int32_t c = 0; c < ch; ++c) {
                int32_t acc = bias ? bias[c] : 0;
                for (int32_t ky = 0; ky < s->kernel_h; ++ky)
                    for (int32_t kx = 0; kx < s->kernel_w; ++kx) {
                        const int32_t iy = oy * s->stride_h - s->pad_h + ky;
                        const int32_t ix = ox * s->stride_w - s->pad_w + kx;
                        if (iy < 0 || iy >= s->in_height || ix < 0 || ix >= s->in_width)
                            continue;
                        acc += (input[(iy * s->in_width + ix) * ch + c] + q->input_offset)
                             * weights[(ky * s->kernel_w + kx) * ch + c];
                    }
                output[(oy * ow + ox) * ch + c] = rp_output_s8(acc, q->multiplier[c], q->shift[c], q->output_offset,
                                                               q->activation_min, q->activation_max);
            }
}

int32_t rp_depthwise_conv_s8_scratch_size(const rp_conv_shape_t* s)
{
    return s->in_channels * (int32_t)sizeof(int32_t);
}

void rp_depthwise_conv_s8(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input, const int8_t* weights,
                          const int32_t* bias, void* scratch, int8_t* output)
{
    const int32_t oh = rp_conv_out_height(s), ow = rp_conv_out_width(s);
    const int32_t ch = s->in_channels, kh = s->kernel_h, kw = s->kernel_w;
    const int32_t offset = q->input_offset;
    int32_t* acc = (int32_t*)scratch; /* one accumulator per channel: loops run along contiguous channels */
#if defined(__AVX2__)
    if (rp_depthwise_conv_s8_avx2(s, q, input, weights, bias, output))
        return;
#endif
    for (int32_t oy = 0; oy < oh; ++oy) {
        const int32_t iy0 = oy * s->stride_h - s->pad_h;
        const int32_t ky0 = iy0 < 0 ? -iy0 : 0;
        const int32_t ky1 = iy0 + kh > s->in_height ? s->in_height - iy0 : kh;
        for (int32_t ox = 0; ox < ow; ++ox) {
            const int32_t ix0 = ox * s->stride_w - s->pad_w;
            const int32_t kx0 = ix0 < 0 ? -ix0 : 0;
            const int32_t kx1 = ix0 + kw > s->in_width ? s->in_width - ix0 : kw;
            int8_t* out = output + (oy * ow + ox) * ch;
            int32_t c0 = 0;
#ifdef RP_USE_DSP
            /* Cortex-M4: four channels at a time in registers, over the whole
             * window: one word of inputs and one of weights per tap, widened
             * in pairs (x0, x2), (x1, x3), the offset added to both halves at
             * once (x + offset lies in [-255, 255]), and one SMLABB or SMLATT
             * per channel: the reference's products, summed in its order. */
            const int16x2_t offset2 = (int16x2_t)(((uint32_t)(uint16_t)(int16_t)offset << 16) | (uint16_t)(int16_t)offset);
            for (; c0 + 4 <= ch; c0 += 4) {
                int32_t a0 = bias ? bias[c0] : 0, a1 = bias ? bias[c0 + 1] : 0, a2 = bias ? bias[c0 + 2] : 0,
                        a3 = bias ? bias[c0 + 3] : 0;
                for (int32_t ky = ky0; ky < ky1; ++ky)
                    for (int32_t kx = kx0; kx < kx1; ++kx) {
                        int16x2_t xe, xo, we, wo;
                        rp_load_pairs(input + ((iy0 + ky) * s->in_width + ix0 + kx) * ch + c0, &xe, &xo);
                        rp_load_pairs(weights + (ky * kw + kx) * ch + c0, &we, &wo);
                        xe = rp_sadd16(xe, offset2);
                        xo = rp_sadd16(xo, offset2);
                        a0 = rp_smlabb(xe, we, a0);
                        a2 = rp_smlatt(xe, we, a2);
                        a1 = rp_smlabb(xo, wo, a1);
                        a3 = rp_smlatt(xo, wo, a3);
                    }
                out[c0] = rp_output_s8(a0, q->multiplier[c0], q->shift[c0], q->output_offset, q->activation_min,
                                       q->activation_max);
                out[c0 + 1] = rp_output_s8(a1, q->multiplier[c0 + 1], q->shift[c0 + 1], q->output_offset,
                                           q->activation_min, q->activation_max);
                out[c0 + 2] = rp_output_s8(a2, q->multiplier[c0 + 2], q->shift[c0 + 2], q->output_offset,
                                           q->activation_min, q->activation_max);
                out[c0 + 3] = rp_output_s8(a3, q->multiplier[c0 + 3], q->shift[c0 + 3], q->output_offset,
                                           q->activation_min, q->activation_max);
            }
#endif
            for (int32_t c = c0; c < ch; ++c)
                acc[c] = bias ? bias[c] : 0;
            for (int32_t ky = ky0; ky < ky1; ++ky)
                for (int32_t kx = kx0; kx < kx1; ++kx) {
                    const int8_t* x = input + ((iy0 + ky) * s->in_width + ix0 + kx) * ch;
                    const int8_t* w = weights + (ky * kw + kx) * ch;
                    for (int32_t c = c0; c < ch; ++c)
                        acc[c] += (int32_t)(int16_t)(x[c] + offset) * w[c];
                }
            for (int32_t c = c0; c < ch; ++c)
                out[c] = rp_output_s8(acc[c], q->multiplier[c], q->shift[c], q->output_offset, q->activation_min,
                                      q->activation_max);
        }
    }
}

/* ---------------------------------------------------------- pointwise ---- */

void rp_pointwise_conv_s8_ref(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input,
                              const int8_t* weights, const int32_t* bias, int8_t* output)
{
    const int32_t pixels = s->in_height * s->in_width, cin = s->in_channels, cout = s->out_channels;
    for (int32_t p = 0; p < pixels; ++p)
        for (int32_t o = 0; o < cout; ++o) {
            int32_t acc = bias ? bias[o] : 0;
            for (int32_t c = 0; c < cin; ++c)
                acc += (input[p * cin + c] + q->input_offset) * weights[o * cin + c];
            output[p * cout + o] = rp_output_s8(acc, q->multiplier[o], q->shift[o], q->output_offset,
                                                q->activation_min, q->activation_max);
        }
}

int32_t rp_pointwise_conv_s8_scratch_size(const rp_conv_shape_t* s)
{
    return s->out_channels * (int32_t)sizeof(int32_t);
}

void rp_pointwise_conv_s8(const rp_conv_shape_t* s, const rp_conv_quant_t* q, const int8_t* input, const int8_t* weights,
                          const int32_t* bias, void* scratch, int8_t* output)
{
    const int32_t pixels = s->in_height * s->in_width, cin = s->in_channels, cout = s->out_channels;
    int32_t* full_bias = (int32_t*)scratch; /* bias + offset * sum(w): the dot products are then plain int8 */
    for (int32_t o = 0; o < cout; ++o)
        full_bias[o] = (bias ? bias[o] : 0) + q->input_offset * rp_sum_s8(weights + o * cin, cin);
#if defined(__AVX2__)
    if (rp_pointwise_conv_s8_avx2(s, q, input, weights, full_bias, output))
        return;
#endif
    for (int32_t p = 0; p < pixels; ++p) {
        const int8_t* x = input + p * cin;
        int8_t* out = output + p * cout;
        int32_t o = 0;
        for (; o + 4 <= cout; o += 4) {
            int32_t acc[4];
            rp_dot4_s8(x, weights + o * cin, cin, acc);
            for (int32_t j = 0; j < 4; ++j)
                out[o + j] = rp_output_s8(acc[j] + full_bias[o + j], q->multiplier[o + j], q->shift[o + j],
                                          q->output_offset, q->activation_min, q->activation_max);
        }
        for (; o < cout; ++o)
            out[o] = rp_output_s8(rp_dot_s8(x, weights + o * cin, cin) + full_bias[o], q->multiplier[o], q->shift[o],
                                  q->output_offset, q->activation_min, q->activation_max);
    }
}
