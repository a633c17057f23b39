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

/* Input columns a tile of t output columns reads. */
static int32_t tile_in_cols(const rp_conv_shape_t* d, int32_t t)
{
    return (t - 1) * d->stride_w + d->kernel_w;
}

static int32_t tile_width(const rp_ir_s8_block* b, int32_t in_w)
{
    const int32_t ow = rp_ir_s8_out_width(b, in_w);
    return ow < RP_IR_S8_TILE ? ow : RP_IR_S8_TILE;
}

/* Scratch: [ring: kernel_h rows][work], from a 4-aligned start (3 bytes of
 * slack). The work area holds int16 values widened with their offset: the
 * tile's input pixels while a row is expanded, then one depthwise tile row
 * for the projection. */
static int32_t ring_bytes(const rp_ir_s8_block* b, int32_t t)
{
    const rp_conv_shape_t* d = b->depthwise.shape;
    return (d->kernel_h * tile_in_cols(d, t) * d->in_channels + 3) & ~3;
}

static int32_t work_bytes(const rp_ir_s8_block* b, int32_t t)
{
    const rp_conv_shape_t* d = b->depthwise.shape;
    const int32_t dw = t * d->in_channels;
    const int32_t wide = b->expand.weights ? tile_in_cols(d, t) * b->expand.shape->in_channels : 0;
    return 2 * (dw > wide ? dw : wide);
}

int32_t rp_ir_s8_scratch_size(const rp_ir_s8_block* b, int32_t in_w)
{
    const int32_t t = tile_width(b, in_w);
    return t <= 0 ? 0 : 3 + ring_bytes(b, t) + work_bytes(b, t);
}

/* A 1x1 convolution of n widened pixels (cin values each, the input offset
 * added; in blocks of four, rp_widen4_s8, then the rest one by one) into
 * out[p * out_pitch + o]: each output channel's weights met by four pixels a
 * pass. */
static void pointwise_wide(const rp_conv_s8_layer* c, const int16_t* wide, int32_t n, int8_t* out, int32_t out_pitch)
{
    const int32_t cin = c->shape->in_channels, cout = c->shape->out_channels;
    const rp_conv_quant_t* q = c->quant;
    for (int32_t o = 0; o < cout; ++o) {
        const int8_t* w = c->weights + o * cin;
        const int32_t bias = c->bias ? c->bias[o] : 0, mult = q->multiplier[o], shift = q->shift[o];
        int32_t p = 0;
        for (; p + 4 <= n; p += 4) {
            int32_t acc[4];
            rp_dot4_wide_s8(w, wide + p * cin, cin, acc);
            for (int32_t i = 0; i < 4; ++i)
                out[(p + i) * out_pitch + o] =
                    rp_output_s8(bias + acc[i], mult, shift, q->output_offset, q->activation_min, q->activation_max);
        }
        for (; p + 2 <= n; p += 2) {
            int32_t acc[2];
            rp_dot2_wide_s8(w, wide + p * cin, cin, cin, acc);
            for (int32_t i = 0; i < 2; ++i)
                out[(p + i) * out_pitch + o] =
                    rp_output_s8(bias + acc[i], mult, shift, q->output_offset, q->activation_min, q->activation_max);
        }
        for (; p < n; ++p)
            out[p * out_pitch + o] = rp_output_s8(bias + rp_dot_wide_s8(w, wide + p * cin, cin), mult, shift,
                                                  q->output_offset, q->activation_min, q->activation_max);
    }
}

/* Ring slot for input row iy, columns ix0 .. ix0 + tin - 1 of the depthwise
 * input ([tin][hidden]): the expansion's values, or the input's own; outside
 * the map the depthwise input's zero point, whose term is 0. */
static void fill_slot(const rp_ir_s8_block* b, const int8_t* input, int32_t base, int32_t in_h, int32_t in_w, int32_t iy,
                      int32_t ix0, int32_t tin, int16_t* wide, int8_t* slot)
{
    const int32_t hidden = b->depthwise.shape->in_channels;
    const int8_t pad = (int8_t)(-b->depthwise.quant->input_offset);
    if (iy < 0 || iy >= in_h) {
        memset(slot, pad, (size_t)(tin * hidden));
        return;
    }
    const int32_t first = ix0 < 0 ? -ix0 : 0;
    const int32_t end = ix0 + tin > in_w ? in_w - ix0 : tin;
    memset(slot, pad, (size_t)(first * hidden));
    memset(slot + end * hidden, pad, (size_t)((tin - end) * hidden));
    if (end <= first)
        return;
    if (b->expand.weights) {
        const int32_t cin = b->expand.shape->in_channels;
        const int8_t* px = input + ((iy - base) * in_w + ix0 + first) * cin;
        const int32_t n = end - first, off = b->expand.quant->input_offset;
        int32_t p = 0;
        for (; p + 4 <= n; p += 4)
            rp_widen4_s8(px + p * cin, cin, off, wide + p * cin);
        for (; p < n; ++p)
            rp_widen_s8(px + p * cin, cin, off, wide + p * cin);
        pointwise_wide(&b->expand, wide, end - first, slot + first * hidden, hidden);
    } else {
        memcpy(slot + first * hidden, input + ((iy - base) * in_w + ix0 + first) * hidden, (size_t)((end - first) * hidden));
    }
}

/* Depthwise output column x of the tile's t from the ring rows `rows`,
 * widened with the projection's input offset into x's place of `wide` (the
 * layout pointwise_wide reads). */
static void depthwise_column(const rp_ir_s8_block* b, const int8_t* const* rows, int32_t x, int32_t t, int16_t* wide)
{
    const rp_conv_shape_t* d = b->depthwise.shape;
    const rp_conv_quant_t* dq = b->depthwise.quant;
    const int32_t hidden = d->in_channels, kh = d->kernel_h, kw = d->kernel_w, off = dq->input_offset;
    const int32_t col = x * d->stride_w * hidden, projectOffset = b->project.quant->input_offset;
    int32_t j = 0;
    for (; j + 4 <= hidden; j += 4) {
        const int32_t* bias = b->depthwise.bias;
        rp_acc4 acc = {bias ? bias[j] : 0, bias ? bias[j + 1] : 0, bias ? bias[j + 2] : 0, bias ? bias[j + 3] : 0};
        for (int32_t ky = 0; ky < kh; ++ky) {
            const int8_t* v = rows[ky] + col + j;
            const int8_t* w = b->depthwise.weights + ky * kw * hidden + j;
            if (kw == 3) {
                /* The usual 3 x 3 unrolled (no loop per tap). */
                acc = rp_mac4_offset_s8(v, w, off, acc);
                acc = rp_mac4_offset_s8(v + hidden, w + hidden, off, acc);
                acc = rp_mac4_offset_s8(v + 2 * hidden, w + 2 * hidden, off, acc);
                continue;
            }
            for (int32_t kx = 0; kx < kw; ++kx)
                acc = rp_mac4_offset_s8(v + kx * hidden, w + kx * hidden, off, acc);
        }
        /* Stored in rp_widen_s8's order (0, 2, 1, 3), in pixel x's place of the tile row. */
        const int32_t* mult = dq->multiplier + j;
        const int32_t* shift = dq->shift + j;
        int16_t* dst = rp_wide_group(wide, x, t, hidden, j / 4);
        dst[0] = (int16_t)(rp_output_s8(acc.c0, mult[0], shift[0], dq->output_offset, dq->activation_min,
                                         dq->activation_max) + projectOffset);
        dst[1] = (int16_t)(rp_output_s8(acc.c2, mult[2], shift[2], dq->output_offset, dq->activation_min,
                                             dq->activation_max) + projectOffset);
        dst[2] = (int16_t)(rp_output_s8(acc.c1, mult[1], shift[1], dq->output_offset, dq->activation_min,
                                             dq->activation_max) + projectOffset);
        dst[3] = (int16_t)(rp_output_s8(acc.c3, mult[3], shift[3], dq->output_offset, dq->activation_min,
                                             dq->activation_max) + projectOffset);
    }
    for (; j < hidden; ++j) {
        int32_t acc = b->depthwise.bias ? b->depthwise.bias[j] : 0;
        for (int32_t ky = 0; ky < kh; ++ky)
            for (int32_t kx = 0; kx < kw; ++kx)
                acc += (rows[ky][col + kx * hidden + j] + off) * b->depthwise.weights[(ky * kw + kx) * hidden + j];
        rp_wide_tail(wide, x, t, hidden)[j - (hidden & ~3)] =
            (int16_t)(rp_output_s8(acc, dq->multiplier[j], dq->shift[j], dq->output_offset, dq->activation_min,
                                   dq->activation_max) +
                      projectOffset);
    }
}

/* Rows oy0 .. oy1 - 1; the input's rows from `first_row` on at `input`, output row
 * oy at `output` + (oy - out_base) rows. */
#if defined(__GNUC__)
__attribute__((always_inline)) /* each caller its own copy: the firmware's stays as fast as with constants */
#endif
static inline int ir_rows(const rp_ir_s8_block* b, const int8_t* input, int32_t first_row, int32_t in_h, int32_t in_w,
                          int32_t oy0, int32_t oy1, void* scratch, int8_t* output, int32_t out_base)
{
    const rp_conv_shape_t* d = b->depthwise.shape;
    const int32_t hidden = d->in_channels, kh = d->kernel_h, sw = d->stride_w;
    const int32_t cin = b->expand.weights ? b->expand.shape->in_channels : hidden;
    const int32_t cout = b->project.shape->out_channels;
    const int32_t ow = rp_ir_s8_out_width(b, in_w), tile = tile_width(b, in_w);
    if (!input || !scratch || !output || kh < 1 || kh > RP_IR_S8_MAX_KERNEL || d->stride_h > kh || tile <= 0 || oy0 < 0 ||
        oy1 > rp_ir_s8_out_height(b, in_h) || (b->add && (d->stride_h != 1 || d->stride_w != 1 || cin != cout)) ||
        b->project.quant->input_offset < -128 || b->project.quant->input_offset > 128 ||
        (b->expand.weights && (b->expand.quant->input_offset < -128 || b->expand.quant->input_offset > 128)))
        return RP_Q15_EARG;
    uint8_t* base = (uint8_t*)scratch;
    base += (4u - (uintptr_t)base % 4u) % 4u;
    int8_t* ring = (int8_t*)base;
    int16_t* wide = (int16_t*)(void*)(base + ring_bytes(b, tile));
    const int32_t slotBytes = tile_in_cols(d, tile) * hidden;

    for (int32_t ox0 = 0; ox0 < ow; ox0 += tile) {
        const int32_t t = ow - ox0 < tile ? ow - ox0 : tile, tin = tile_in_cols(d, t);
        const int32_t ix0 = ox0 * sw - d->pad_w;
        int32_t held[RP_IR_S8_MAX_KERNEL]; /* the input row in each slot */
        for (int32_t i = 0; i < kh; ++i)
            held[i] = INT32_MIN;
        for (int32_t oy = oy0; oy < oy1; ++oy) {
            /* Rows oy*sh - ph .. + kh - 1: kh consecutive rows, distinct slots mod kh. */
            const int8_t* rows[RP_IR_S8_MAX_KERNEL];
            for (int32_t ky = 0; ky < kh; ++ky) {
                const int32_t iy = oy * d->stride_h - d->pad_h + ky, slot = (iy + d->pad_h) % kh;
                if (held[slot] != iy) {
                    fill_slot(b, input, first_row, in_h, in_w, iy, ix0, tin, wide, ring + slot * slotBytes);
                    held[slot] = iy;
                }
                rows[ky] = ring + slot * slotBytes;
            }
            for (int32_t x = 0; x < t; ++x)
                depthwise_column(b, rows, x, t, wide);
            int8_t* out = output + ((oy - out_base) * ow + ox0) * cout;
            pointwise_wide(&b->project, wide, t, out, cout);
            if (b->add) /* the shortcut: stride 1, cin == cout, so the input pixels line up */
                rp_add_s8(b->add, input + ((oy - first_row) * in_w + ox0) * cin, out, t * cout, out);
        }
    }
    return RP_Q15_OK;
}

int rp_ir_s8_rows(const rp_ir_s8_block* b, const int8_t* input, int32_t in_h, int32_t in_w, int32_t oy0, int32_t oy1,
                  void* scratch, int8_t* output)
{
    return ir_rows(b, input, 0, in_h, in_w, oy0, oy1, scratch, output, 0);
}

int rp_ir_s8_row_at(const rp_ir_s8_block* b, const int8_t* rows, int32_t first_row, int32_t in_h, int32_t in_w, int32_t oy,
                    void* scratch, int8_t* out_row)
{
    return ir_rows(b, rows, first_row, in_h, in_w, oy, oy + 1, scratch, out_row, oy);
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

/* Row y of a picture whose rows may sit in a ring (y >= base_row). */
static const int8_t* ring_row(const rp_rows_s8* r, int32_t y)
{
    return r->data + (size_t)((y - r->base_row) % r->ring_rows) * (size_t)r->width * (size_t)r->channels;
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
                    px = ring_row(&s->rows, iy) + ix * cin;
                }
                const int8_t* w = layer->weights + ((o * kh + ky) * kw + kx) * cin;
                for (int32_t ch = 0; ch < cin; ++ch)
                    acc += (px[ch] + q->input_offset) * w[ch];
            }
        dst[o * stride] = rp_output_s8(acc, q->multiplier[o], q->shift[o], q->output_offset, q->activation_min,
                                       q->activation_max);
    }
}

/* Row y of a chain of one convolution (reading the picture's ring) into
 * dst[o * plane + x], all columns: the picture rows it reads are found once,
 * and the columns whose window lies inside the picture skip the bounds
 * checks. The same sums as conv_pixel. */
static void conv_row_first(const rp_rnnpool_s8_stream* s, int32_t y, int8_t* dst, int32_t plane)
{
    const rp_conv_s8_layer* layer = &s->convs[0];
    const rp_conv_shape_t* c = layer->shape;
    const rp_conv_quant_t* q = layer->quant;
    const int32_t cin = c->in_channels, kh = c->kernel_h, kw = c->kernel_w, sw = c->stride_w, pw = c->pad_w;
    const int32_t in_h = s->rows.height, in_w = s->rows.width, off = q->input_offset;
    const int32_t out_w = out_extent(in_w, kw, sw, pw);
    /* Output columns [xa, xb) read no padding. */
    int32_t xa = pw > 0 ? (pw + sw - 1) / sw : 0;
    int32_t xb = in_w + pw - kw >= 0 ? (in_w + pw - kw) / sw + 1 : 0;
    if (xa > out_w)
        xa = out_w;
    if (xb < xa)
        xb = xa;
    const int8_t* rows[RP_IR_S8_MAX_KERNEL];
    for (int32_t ky = 0; ky < kh && ky < RP_IR_S8_MAX_KERNEL; ++ky) {
        const int32_t iy = y * c->stride_h - c->pad_h + ky;
        rows[ky] = iy < 0 || iy >= in_h ? NULL : ring_row(&s->rows, iy);
    }
    const int32_t taps = kw * cin;
    const int8_t* anyRow = NULL;
    for (int32_t ky = 0; ky < kh; ++ky)
        anyRow = rows[ky] ? rows[ky] : anyRow;
    for (int32_t o = 0; o < c->out_channels; ++o) {
        const int8_t* wo = layer->weights + o * kh * taps;
        const int32_t bias = layer->bias ? layer->bias[o] : 0;
        int8_t* d = dst + (size_t)o * (size_t)plane;
        if (cin == 1 && kh == 3 && kw == 3 && anyRow && xb > xa) {
            /* A grey 3x3 stem's interior: the nine weights in registers (a
             * padding row's zeroed, its row pointer any real row), the offset's
             * term folded into the bias: sum((x + off) w) = sum(x w) + off sum(w). */
            int32_t w[9], folded = bias;
            const int8_t* r[3];
            for (int32_t ky = 0; ky < 3; ++ky) {
                r[ky] = rows[ky] ? rows[ky] : anyRow;
                for (int32_t kx = 0; kx < 3; ++kx) {
                    w[ky * 3 + kx] = rows[ky] ? wo[ky * 3 + kx] : 0;
                    folded += off * w[ky * 3 + kx];
                }
            }
            for (int32_t x = xa; x < xb; ++x) {
                const int32_t ix = x * sw - pw;
                const int8_t *p0 = r[0] + ix, *p1 = r[1] + ix, *p2 = r[2] + ix;
                const int32_t acc = folded + p0[0] * w[0] + p0[1] * w[1] + p0[2] * w[2] + p1[0] * w[3] + p1[1] * w[4] +
                                    p1[2] * w[5] + p2[0] * w[6] + p2[1] * w[7] + p2[2] * w[8];
                d[x] = rp_output_s8(acc, q->multiplier[o], q->shift[o], q->output_offset, q->activation_min,
                                    q->activation_max);
            }
        }
        for (int32_t x = 0; x < out_w; ++x) {
            if (cin == 1 && kh == 3 && kw == 3 && anyRow && x >= xa && x < xb)
                continue; /* done above */
            int32_t acc = bias;
            const int32_t ix0 = x * sw - pw;
            if (x >= xa && x < xb) {
                for (int32_t ky = 0; ky < kh; ++ky) {
                    if (!rows[ky])
                        continue;
                    const int8_t* px = rows[ky] + ix0 * cin;
                    const int8_t* w = wo + ky * taps;
                    for (int32_t i = 0; i < taps; ++i)
                        acc += (px[i] + off) * w[i];
                }
            } else {
                for (int32_t ky = 0; ky < kh; ++ky) {
                    if (!rows[ky])
                        continue;
                    for (int32_t kx = 0; kx < kw; ++kx) {
                        const int32_t ix = ix0 + kx;
                        if (ix < 0 || ix >= in_w)
                            continue;
                        const int8_t* px = rows[ky] + ix * cin;
                        const int8_t* w = wo + ky * taps + kx * cin;
                        for (int32_t ch = 0; ch < cin; ++ch)
                            acc += (px[ch] + off) * w[ch];
                    }
                }
            }
            d[x] = rp_output_s8(acc, q->multiplier[o], q->shift[o], q->output_offset, q->activation_min,
                                q->activation_max);
        }
    }
}

/* Whether patch row gy can run: the stream's configuration, the row inside
 * the grid, every picture row it reads held by the ring. The map's width
 * and the grid's width into *map_w and *gw. */
static int check_row(const rp_rnnpool_s8_stream* s, int32_t gy, const void* scratch, const int8_t* row, int32_t* map_w,
                     int32_t* gw)
{
    if (!s || !s->cfg || !scratch || !row || s->conv_count < 0 || s->conv_count > RP_STREAM_MAX_CONVS ||
        s->rows.ring_rows <= 0 || rp_rnnpool_s8q15_check(s->cfg) != RP_Q15_OK)
        return RP_Q15_EARG;
    int32_t map_h, first, last;
    rp_rnnpool_s8_stream_map(s, &map_h, map_w);
    rp_rnnpool_s8_stream_rows(s, gy, &first, &last);
    const int32_t gh = rp_rnnpool_s8q15_grid(s->cfg, map_h);
    *gw = rp_rnnpool_s8q15_grid(s->cfg, *map_w);
    const int32_t top_channels = s->conv_count ? s->convs[s->conv_count - 1].shape->out_channels : s->rows.channels;
    if (gy < 0 || gy >= gh || *gw <= 0 || last - first + 1 > s->rows.ring_rows || first < s->rows.base_row ||
        top_channels != s->cfg->channels)
        return RP_Q15_EARG;
    return RP_Q15_OK;
}

/* Patch row gy into `row` (no padding), the body of both row calls. */
static int stream_row(const rp_rnnpool_s8_stream* s, int32_t gy, void* scratch, int8_t* row)
{
    int32_t map_w, gw;
    if (check_row(s, gy, scratch, row, &map_w, &gw) != RP_Q15_OK)
        return RP_Q15_EARG;
    const rp_rnnpool_s8q15_config* cfg = s->cfg;
    const int32_t k = cfg->patch, channels = cfg->channels, outs = 4 * cfg->rnn2_forward.hidden_dims;

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
    for (int32_t r = kept; r < k; ++r) {
        if (s->conv_count == 1 && s->convs[0].shape->kernel_h <= RP_IR_S8_MAX_KERNEL) {
            conv_row_first(s, top + r, band + r * map_w, plane);
            continue;
        }
        for (int32_t x = 0; x < map_w; ++x) {
            int8_t* dst = band + r * map_w + x;
            if (s->conv_count > 0) {
                conv_pixel(s, s->conv_count - 1, top + r, x, dst, plane, windows);
            } else {
                const int8_t* px = ring_row(&s->rows, top + r) + x * channels;
                for (int32_t ch = 0; ch < channels; ++ch)
                    dst[ch * plane] = px[ch];
            }
        }
    }
    return rp_rnnpool_s8q15_band(cfg, band, map_w, gy, s->channel_quant, row, outs, 1, base);
}

int rp_rnnpool_s8_stream_row(const rp_rnnpool_s8_stream* s, int32_t gy, void* scratch, int8_t* out)
{
    if (!s || !s->cfg || !out)
        return RP_Q15_EARG;
    int32_t map_h, map_w;
    rp_rnnpool_s8_stream_map(s, &map_h, &map_w);
    const int32_t ow = rp_rnnpool_s8q15_grid(s->cfg, map_w) + s->cfg->pad_bottom_right;
    return stream_row(s, gy, scratch, out + (size_t)gy * (size_t)ow * (size_t)(4 * s->cfg->rnn2_forward.hidden_dims));
}

int rp_rnnpool_s8_stream_row_at(const rp_rnnpool_s8_stream* s, int32_t gy, void* scratch, int8_t* row)
{
    const int st = stream_row(s, gy, scratch, row);
    if (st != RP_Q15_OK)
        return st;
    int32_t map_h, map_w;
    rp_rnnpool_s8_stream_map(s, &map_h, &map_w);
    const int32_t gw = rp_rnnpool_s8q15_grid(s->cfg, map_w);
    const size_t pixel = (size_t)(4 * s->cfg->rnn2_forward.hidden_dims);
    for (int32_t x = gw; x < gw + s->cfg->pad_bottom_right; ++x) /* as rp_rnnpool_s8_stream_pad */
        memcpy(row + (size_t)x * pixel, row + (size_t)(gw - 1) * pixel, pixel);
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

size_t rp_rnnpool_s8_stream_patch_scratch_size(const rp_rnnpool_s8_stream* s)
{
    const size_t k = (size_t)s->cfg->patch, outs = (size_t)(4 * s->cfg->rnn2_forward.hidden_dims);
    return 3u + ((rp_rnnpool_s8q15_patch_fast_scratch_bytes(s->cfg) + 3u) & ~(size_t)3u) + ((outs * sizeof(int16_t) + 3u) & ~(size_t)3u) +
           (size_t)s->cfg->channels * k * k + windows_before(s, s->conv_count);
}

int rp_rnnpool_s8_stream_row_patches(const rp_rnnpool_s8_stream* s, int32_t gy, void* scratch, int8_t* row)
{
    int32_t map_w, gw;
    if (check_row(s, gy, scratch, row, &map_w, &gw) != RP_Q15_OK)
        return RP_Q15_EARG;
    const rp_rnnpool_s8q15_config* cfg = s->cfg;
    const int32_t k = cfg->patch, channels = cfg->channels, outs = 4 * cfg->rnn2_forward.hidden_dims;
    const rp_rnnpool_s8_channel_quant* quant = s->channel_quant;
    if (quant && (!quant->multiplier || !quant->shift || !quant->zero_point))
        return RP_Q15_EARG;

    uint8_t* base = (uint8_t*)scratch;
    base += (4u - (uintptr_t)base % 4u) % 4u;
    void* patchScratch = base;
    base += (rp_rnnpool_s8q15_patch_fast_scratch_bytes(cfg) + 3u) & ~(size_t)3u;
    int16_t* out16 = (int16_t*)(void*)base;
    base += ((size_t)outs * sizeof(int16_t) + 3u) & ~(size_t)3u;
    int8_t* patch = (int8_t*)base; /* [channels][k][k] */
    int8_t* windows = patch + (size_t)channels * (size_t)(k * k);
    const int32_t plane = k * k, top = gy * cfg->stride;
    for (int32_t gx = 0; gx < gw; ++gx) {
        const int32_t left = gx * cfg->stride;
        for (int32_t r = 0; r < k; ++r)
            for (int32_t t = 0; t < k; ++t) {
                int8_t* dst = patch + r * k + t;
                if (s->conv_count > 0) {
                    conv_pixel(s, s->conv_count - 1, top + r, left + t, dst, plane, windows);
                } else {
                    const int8_t* px = ring_row(&s->rows, top + r) + (left + t) * channels;
                    for (int32_t ch = 0; ch < channels; ++ch)
                        dst[ch * plane] = px[ch];
                }
            }
        const int st = rp_rnnpool_s8q15_patch_fast(cfg, patch, k, plane, out16, patchScratch);
        if (st != RP_Q15_OK)
            return st;
        int8_t* o8 = row + (size_t)gx * (size_t)outs;
        for (int32_t o = 0; o < outs; ++o) /* as the map kernel requantises */
            o8[o] = quant ? rp_output_s8(out16[o], quant->multiplier[o], quant->shift[o], quant->zero_point[o], -128, 127)
                          : rp_rnnpool_s8q15_requant(cfg, out16[o]);
    }
    for (int32_t x = gw; x < gw + cfg->pad_bottom_right; ++x) /* as rp_rnnpool_s8_stream_pad */
        memcpy(row + (size_t)x * (size_t)outs, row + (size_t)(gw - 1) * (size_t)outs, (size_t)outs);
    return RP_Q15_OK;
}
