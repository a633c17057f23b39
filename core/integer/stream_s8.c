/* Streaming int8 kernels (stream_s8.h). Every value is computed by the same
 * integer formula as the layer kernels' scalar references (conv_s8.c): an
 * exact int32 sum of (input + offset) * weight over the window, padding
 * skipped (it is the zero point, whose term is 0), then rp_output_s8. */
#include "integer/stream_s8.h"

#include <string.h>

#include "integer/dot_s8.h"
#include "integer/requantize.h"

static int32_t out_extent(int32_t in, int32_t kernel, int32_t stride, int32_t pad)
{
    return (in + 2 * pad - kernel) / stride + 1;
}

/* ---- 1. Inverted residual, one output row ------------------------------- */

int32_t rp_ir_s8_out_height(const rp_ir_s8_block* b, int32_t in_h)
{
    const rp_conv_shape_t* d = b->depthwise.shape;
    return out_extent(in_h, d->kernel_h, d->stride_h, d->pad_h);
}

int32_t rp_ir_s8_out_width(const rp_ir_s8_block* b, int32_t in_w)
{
    const rp_conv_shape_t* d = b->depthwise.shape;
    return out_extent(in_w, d->kernel_w, d->stride_w, d->pad_w);
}

int32_t rp_ir_s8_scratch_size(const rp_ir_s8_block* b, int32_t in_w)
{
    const rp_conv_shape_t* d = b->depthwise.shape;
    const int32_t expanded = b->expand.weights ? d->kernel_h * in_w : 0;
    return expanded + d->in_channels * rp_ir_s8_out_width(b, in_w);
}

/* Channel j of input row iy through the 1x1 expansion. The offset's term is
 * summed apart: sum((x + off) * w) = sum(x * w) + off * sum(w), exact in int32. */
static void expand_row(const rp_conv_s8_layer* e, const int8_t* input, int32_t in_w, int32_t iy, int32_t j, int8_t* row)
{
    const int32_t cin = e->shape->in_channels;
    const rp_conv_quant_t* q = e->quant;
    const int8_t* w = e->weights + j * cin;
    const int32_t base = (e->bias ? e->bias[j] : 0) + q->input_offset * rp_sum_s8(w, cin);
    const int8_t* px = input + iy * in_w * cin;
    int32_t x = 0;
    for (; x + 2 <= in_w; x += 2) { /* two pixels a pass: the channel's weights widened once */
        int32_t a0, a1;
        rp_dot2_s8(px + x * cin, px + (x + 1) * cin, w, cin, &a0, &a1);
        row[x] = rp_output_s8(base + a0, q->multiplier[j], q->shift[j], q->output_offset, q->activation_min, q->activation_max);
        row[x + 1] =
            rp_output_s8(base + a1, q->multiplier[j], q->shift[j], q->output_offset, q->activation_min, q->activation_max);
    }
    for (; x < in_w; ++x)
        row[x] = rp_output_s8(base + rp_dot_s8(px + x * cin, w, cin), q->multiplier[j], q->shift[j], q->output_offset,
                              q->activation_min, q->activation_max);
}

void rp_ir_s8_row(const rp_ir_s8_block* b, const int8_t* input, int32_t in_h, int32_t in_w, int32_t oy, void* scratch,
                  int8_t* out_row)
{
    const rp_conv_shape_t* d = b->depthwise.shape;
    const rp_conv_quant_t* dq = b->depthwise.quant;
    const int32_t hidden = d->in_channels, kh = d->kernel_h, kw = d->kernel_w;
    const int32_t ow = rp_ir_s8_out_width(b, in_w);
    const int32_t cin = b->expand.weights ? b->expand.shape->in_channels : hidden;
    int8_t* expanded = (int8_t*)scratch;                               /* kh rows of one channel */
    int8_t* dw = expanded + (b->expand.weights ? kh * in_w : 0);       /* [ow][hidden] */

    for (int32_t j = 0; j < hidden; ++j) {
        /* The rows of channel j the filter reads: made by the expansion, or the input's own. */
        for (int32_t ky = 0; ky < kh && b->expand.weights; ++ky) {
            const int32_t iy = oy * d->stride_h - d->pad_h + ky;
            if (iy >= 0 && iy < in_h)
                expand_row(&b->expand, input, in_w, iy, j, expanded + ky * in_w);
        }
        for (int32_t ox = 0; ox < ow; ++ox) {
            int32_t acc = b->depthwise.bias ? b->depthwise.bias[j] : 0;
            for (int32_t ky = 0; ky < kh; ++ky) {
                const int32_t iy = oy * d->stride_h - d->pad_h + ky;
                if (iy < 0 || iy >= in_h)
                    continue;
                for (int32_t kx = 0; kx < kw; ++kx) {
                    const int32_t ix = ox * d->stride_w - d->pad_w + kx;
                    if (ix < 0 || ix >= in_w)
                        continue;
                    const int32_t v = b->expand.weights ? expanded[ky * in_w + ix] : input[(iy * in_w + ix) * cin + j];
                    acc += (v + dq->input_offset) * b->depthwise.weights[(ky * kw + kx) * hidden + j];
                }
            }
            dw[ox * hidden + j] =
                rp_output_s8(acc, dq->multiplier[j], dq->shift[j], dq->output_offset, dq->activation_min, dq->activation_max);
        }
    }

    /* The projection, four output channels a pass (the offset's term apart, as above). */
    const rp_conv_quant_t* pq = b->project.quant;
    const int32_t cout = b->project.shape->out_channels;
    for (int32_t o0 = 0; o0 < cout; o0 += 4) {
        const int32_t n = cout - o0 < 4 ? cout - o0 : 4;
        int32_t base[4];
        for (int32_t i = 0; i < n; ++i)
            base[i] = (b->project.bias ? b->project.bias[o0 + i] : 0) +
                      pq->input_offset * rp_sum_s8(b->project.weights + (o0 + i) * hidden, hidden);
        for (int32_t ox = 0; ox < ow; ++ox) {
            const int8_t* px = dw + ox * hidden;
            int32_t acc[4];
            if (n == 4)
                rp_dot4_s8(px, b->project.weights + o0 * hidden, hidden, acc);
            else
                for (int32_t i = 0; i < n; ++i)
                    acc[i] = rp_dot_s8(px, b->project.weights + (o0 + i) * hidden, hidden);
            for (int32_t i = 0; i < n; ++i) {
                const int32_t o = o0 + i;
                out_row[ox * cout + o] = rp_output_s8(base[i] + acc[i], pq->multiplier[o], pq->shift[o], pq->output_offset,
                                                      pq->activation_min, pq->activation_max);
            }
        }
    }
    if (b->add) /* the shortcut: stride 1, cin == cout, so input row oy lines up */
        rp_add_s8(b->add, input + oy * in_w * cin, out_row, ow * cout, out_row);
}

/* ---- 2. RNNPool on a chain of convolutions, patch row by patch row ------- */

/* Input extents of conv `level` (the picture for level 0). */
static void level_input(const rp_rnnpool_s8_stream* s, int32_t level, int32_t* h, int32_t* w)
{
    *h = s->rows.height;
    *w = s->rows.width;
    for (int32_t l = 0; l < level; ++l) {
        const rp_conv_shape_t* c = s->convs[l].shape;
        *h = out_extent(*h, c->kernel_h, c->stride_h, c->pad_h);
        *w = out_extent(*w, c->kernel_w, c->stride_w, c->pad_w);
    }
}

void rp_rnnpool_s8_stream_map(const rp_rnnpool_s8_stream* s, int32_t* map_h, int32_t* map_w)
{
    level_input(s, s->conv_count, map_h, map_w);
}

void rp_rnnpool_s8_stream_rows(const rp_rnnpool_s8_stream* s, int32_t gy, int32_t* first, int32_t* last)
{
    int32_t lo = gy * s->cfg->stride, hi = lo + s->cfg->patch - 1;
    for (int32_t l = s->conv_count - 1; l >= 0; --l) {
        const rp_conv_shape_t* c = s->convs[l].shape;
        lo = lo * c->stride_h - c->pad_h;
        hi = hi * c->stride_h - c->pad_h + c->kernel_h - 1;
    }
    *first = lo < 0 ? 0 : lo;
    *last = hi >= s->rows.height ? s->rows.height - 1 : hi;
}

/* Window bytes of each convolution above the first, before `level`. */
static size_t windows_before(const rp_rnnpool_s8_stream* s, int32_t level)
{
    size_t bytes = 0;
    for (int32_t l = 1; l < level; ++l) {
        const rp_conv_shape_t* c = s->convs[l].shape;
        bytes += (size_t)(c->kernel_h * c->kernel_w * c->in_channels);
    }
    return bytes;
}

/* [map kernel scratch][CHW band of patch rows][windows], from a 4-aligned base. */
static size_t band_at(const rp_rnnpool_s8_stream* s, int32_t map_w)
{
    return (rp_rnnpool_s8q15_map_scratch_bytes(s->cfg, map_w) + 3u) & ~(size_t)3u;
}
static size_t windows_at(const rp_rnnpool_s8_stream* s, int32_t map_w)
{
    const size_t k = (size_t)s->cfg->patch;
    return band_at(s, map_w) + k * (size_t)map_w * (size_t)s->cfg->channels;
}

size_t rp_rnnpool_s8_stream_scratch_size(const rp_rnnpool_s8_stream* s)
{
    int32_t map_h, map_w;
    rp_rnnpool_s8_stream_map(s, &map_h, &map_w);
    if (map_w < 0)
        map_w = 0;
    return 3u + windows_at(s, map_w) + windows_before(s, s->conv_count);
}

/* All channels of pixel (y, x) of conv `level`'s output into dst[o * stride]. */
static void conv_pixel(const rp_rnnpool_s8_stream* s, int32_t level, int32_t y, int32_t x, int8_t* dst, int32_t stride,
                       int8_t* windows)
{
    const rp_conv_s8_layer* layer = &s->convs[level];
    const rp_conv_shape_t* c = layer->shape;
    const rp_conv_quant_t* q = layer->quant;
    const int32_t cin = c->in_channels, kh = c->kernel_h, kw = c->kernel_w;
    int32_t in_h, in_w;
    level_input(s, level, &in_h, &in_w);
    int8_t* window = level > 0 ? windows + windows_before(s, level) : NULL;
    if (window) /* the pixels below, each computed once for this pixel; padding as the zero point */
        for (int32_t ky = 0; ky < kh; ++ky)
            for (int32_t kx = 0; kx < kw; ++kx) {
                const int32_t iy = y * c->stride_h - c->pad_h + ky, ix = x * c->stride_w - c->pad_w + kx;
                int8_t* at = window + (ky * kw + kx) * cin;
                if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w)
                    memset(at, (int8_t)(-q->input_offset), (size_t)cin);
                else
                    conv_pixel(s, level - 1, iy, ix, at, 1, windows);
            }
    for (int32_t o = 0; o < c->out_channels; ++o) {
        int32_t acc = layer->bias ? layer->bias[o] : 0;
        for (int32_t ky = 0; ky < kh; ++ky)
            for (int32_t kx = 0; kx < kw; ++kx) {
                const int32_t iy = y * c->stride_h - c->pad_h + ky, ix = x * c->stride_w - c->pad_w + kx;
                const int8_t* px;
                if (window) {
                    px = window + (ky * kw + kx) * cin;
                } else {
                    if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w)
                        continue;
                    px = s->rows.data + ((iy % s->rows.ring_rows) * in_w + ix) * cin;
                }
                const int8_t* w = layer->weights + ((o * kh + ky) * kw + kx) * cin;
                for (int32_t ch = 0; ch < cin; ++ch)
                    acc += (px[ch] + q->input_offset) * w[ch];
            }
        dst[o * stride] = rp_output_s8(acc, q->multiplier[o], q->shift[o], q->output_offset, q->activation_min,
                                       q->activation_max);
    }
}

int rp_rnnpool_s8_stream_row(const rp_rnnpool_s8_stream* s, int32_t gy, void* scratch, int8_t* out)
{
    if (!s || !s->cfg || !scratch || !out || s->conv_count < 0 || s->conv_count > RP_STREAM_MAX_CONVS ||
        s->rows.ring_rows <= 0 || rp_rnnpool_s8q15_check(s->cfg) != RP_Q15_OK)
        return RP_Q15_EARG;
    const rp_rnnpool_s8q15_config* cfg = s->cfg;
    const int32_t k = cfg->patch, channels = cfg->channels, outs = 4 * cfg->rnn2_forward.hidden_dims;
    int32_t map_h, map_w, first, last;
    rp_rnnpool_s8_stream_map(s, &map_h, &map_w);
    rp_rnnpool_s8_stream_rows(s, gy, &first, &last);
    const int32_t gh = rp_rnnpool_s8q15_grid(cfg, map_h), gw = rp_rnnpool_s8q15_grid(cfg, map_w);
    const int32_t top_channels = s->conv_count ? s->convs[s->conv_count - 1].shape->out_channels : s->rows.channels;
    if (gy < 0 || gy >= gh || gw <= 0 || last - first + 1 > s->rows.ring_rows || top_channels != channels)
        return RP_Q15_EARG;

    uint8_t* base = (uint8_t*)scratch;
    base += (4u - (uintptr_t)base % 4u) % 4u;
    int8_t* band = (int8_t*)(base + band_at(s, map_w));
    int8_t* windows = (int8_t*)(base + windows_at(s, map_w));
    const int32_t plane = k * map_w, top = gy * cfg->stride;
    /* The band's first rows were the last rows of the band above (the calls
     * come in order): moved up, not computed again. */
    int32_t kept = 0;
    if (gy > 0 && cfg->stride < k) {
        kept = k - cfg->stride;
        for (int32_t ch = 0; ch < channels; ++ch)
            memmove(band + ch * plane, band + ch * plane + cfg->stride * map_w, (size_t)(kept * map_w));
    }
    for (int32_t r = kept; r < k; ++r)
        for (int32_t x = 0; x < map_w; ++x) {
            int8_t* dst = band + r * map_w + x;
            if (s->conv_count > 0) {
                conv_pixel(s, s->conv_count - 1, top + r, x, dst, plane, windows);
            } else {
                const int8_t* px = s->rows.data + (((top + r) % s->rows.ring_rows) * map_w + x) * channels;
                for (int32_t ch = 0; ch < channels; ++ch)
                    dst[ch * plane] = px[ch];
            }
        }
    const int32_t ow = gw + cfg->pad_bottom_right;
    return rp_rnnpool_s8q15_band(cfg, band, map_w, gy, s->channel_quant, out + (size_t)gy * (size_t)ow * (size_t)outs, outs,
                                 1, base);
}

void rp_rnnpool_s8_stream_pad(const rp_rnnpool_s8_stream* s, int8_t* out)
{
    int32_t map_h, map_w;
    rp_rnnpool_s8_stream_map(s, &map_h, &map_w);
    const int32_t gh = rp_rnnpool_s8q15_grid(s->cfg, map_h), gw = rp_rnnpool_s8q15_grid(s->cfg, map_w);
    const int32_t pad = s->cfg->pad_bottom_right, ow = gw + pad;
    const size_t pixel = (size_t)(4 * s->cfg->rnn2_forward.hidden_dims);
    if (gh <= 0 || gw <= 0)
        return;
    for (int32_t y = 0; y < gh; ++y) /* right columns copy the last real one */
        for (int32_t x = gw; x < ow; ++x)
            memcpy(out + (size_t)(y * ow + x) * pixel, out + (size_t)(y * ow + gw - 1) * pixel, pixel);
    for (int32_t y = gh; y < gh + pad; ++y) /* bottom rows copy the last real one, padded columns included */
        memcpy(out + (size_t)(y * ow) * pixel, out + (size_t)((gh - 1) * ow) * pixel, (size_t)ow * pixel);
}
