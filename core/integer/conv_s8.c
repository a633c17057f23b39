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
                    for (int32_t c = 0; c < cin; ++c)
                        dst[c] = (int16_t)(src[c] + q->input_offset);
                }
            }
            int8_t* out = output + (oy * ow + ox) * s->out_channels;
            for (int32_t o = 0; o < s->out_channels; ++o) {
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
    for (int32_t oy = 0; oy < oh; ++oy) {
        const int32_t iy0 = oy * s->stride_h - s->pad_h;
        const int32_t ky0 = iy0 < 0 ? -iy0 : 0;
        const int32_t ky1 = iy0 + kh > s->in_height ? s->in_height - iy0 : kh;
        for (int32_t ox = 0; ox < ow; ++ox) {
            const int32_t ix0 = ox * s->stride_w - s->pad_w;
            const int32_t kx0 = ix0 < 0 ? -ix0 : 0;
            const int32_t kx1 = ix0 + kw > s->in_width ? s->in_width - ix0 : kw;
            for (int32_t c = 0; c < ch; ++c)
                acc[c] = bias ? bias[c] : 0;
            for (int32_t ky = ky0; ky < ky1; ++ky)
                for (int32_t kx = kx0; kx < kx1; ++kx) {
                    const int8_t* x = input + ((iy0 + ky) * s->in_width + ix0 + kx) * ch;
                    const int8_t* w = weights + (ky * kw + kx) * ch;
                    for (int32_t c = 0; c < ch; ++c)
                        acc[c] += (int32_t)(int16_t)(x[c] + offset) * w[c];
                }
            int8_t* out = output + (oy * ow + ox) * ch;
            for (int32_t c = 0; c < ch; ++c)
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
