/* Streaming int8 kernels (stream_s8.h). Every value is computed by the same
 * integer formula as the layer kernels' scalar references (conv_s8.c): an
 * exact int32 sum of (input + offset) * weight over the window, padding
 * skipped (it is the zero point, whose term is 0), then rp_output_s8. */
#include "integer/stream_s8.h"

#include <string.h>

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

/* Channel j of input row iy through the 1x1 expansion. */
static void expand_row(const rp_conv_s8_layer* e, const int8_t* input, int32_t in_w, int32_t iy, int32_t j, int8_t* row)
{
    const int32_t cin = e->shape->in_channels;
    const rp_conv_quant_t* q = e->quant;
    const int8_t* w = e->weights + j * cin;
    for (int32_t x = 0; x < in_w; ++x) {
        const int8_t* px = input + (iy * in_w + x) * cin;
        int32_t acc = e->bias ? e->bias[j] : 0;
        for (int32_t c = 0; c < cin; ++c)
            acc += (px[c] + q->input_offset) * w[c];
        row[x] = rp_output_s8(acc, q->multiplier[j], q->shift[j], q->output_offset, q->activation_min, q->activation_max);
    }
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

    const rp_conv_quant_t* pq = b->project.quant;
    const int32_t cout = b->project.shape->out_channels;
    for (int32_t ox = 0; ox < ow; ++ox)
        for (int32_t o = 0; o < cout; ++o) {
            const int8_t* w = b->project.weights + o * hidden;
            const int8_t* px = dw + ox * hidden;
            int32_t acc = b->project.bias ? b->project.bias[o] : 0;
            for (int32_t j = 0; j < hidden; ++j)
                acc += (px[j] + pq->input_offset) * w[j];
            out_row[ox * cout + o] =
                rp_output_s8(acc, pq->multiplier[o], pq->shift[o], pq->output_offset, pq->activation_min, pq->activation_max);
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

/* [patch kernel scratch][patch output int16 4*h2][CHW patch][windows], from a 4-aligned base. */
static size_t patch_out_at(const rp_rnnpool_s8_stream* s) { return rp_rnnpool_s8q15_patch_scratch_bytes(s->cfg); }
static size_t patch_at(const rp_rnnpool_s8_stream* s)
{
    return patch_out_at(s) + (size_t)(4 * s->cfg->rnn2_forward.hidden_dims) * sizeof(int16_t);
}
static size_t windows_at(const rp_rnnpool_s8_stream* s)
{
    const size_t k = (size_t)s->cfg->patch;
    return patch_at(s) + k * k * (size_t)s->cfg->channels;
}

size_t rp_rnnpool_s8_stream_scratch_size(const rp_rnnpool_s8_stream* s)
{
    return 3u + windows_at(s) + windows_before(s, s->conv_count);
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
    int16_t* pooled = (int16_t*)(void*)(base + patch_out_at(s));
    int8_t* patch = (int8_t*)(base + patch_at(s));
    int8_t* windows = (int8_t*)(base + windows_at(s));
    const int32_t ow = gw + cfg->pad_bottom_right, plane = k * k;
    for (int32_t gx = 0; gx < gw; ++gx) {
        const int32_t top = gy * cfg->stride, left = gx * cfg->stride;
        for (int32_t r = 0; r < k; ++r)
            for (int32_t t = 0; t < k; ++t) {
                int8_t* dst = patch + r * k + t;
                if (s->conv_count > 0) {
                    conv_pixel(s, s->conv_count - 1, top + r, left + t, dst, plane, windows);
                } else {
                    const int8_t* px = s->rows.data + (((top + r) % s->rows.ring_rows) * map_w + left + t) * channels;
                    for (int32_t ch = 0; ch < channels; ++ch)
                        dst[ch * plane] = px[ch];
                }
            }
        rp_rnnpool_s8q15_patch(cfg, patch, k, plane, pooled, base, NULL);
        int8_t* o = out + (gy * ow + gx) * outs;
        const rp_rnnpool_s8_channel_quant* cq = s->channel_quant;
        for (int32_t ch = 0; ch < outs; ++ch)
            o[ch] = cq ? rp_output_s8(pooled[ch], cq->multiplier[ch], cq->shift[ch], cq->zero_point[ch], -128, 127)
                       : rp_rnnpool_s8q15_requant(cfg, pooled[ch]);
    }
    return RP_Q15_OK;
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
