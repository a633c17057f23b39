/* Streaming int8 kernels: the units of the paper and rowstream schedules
 * (core/profile/schedule.h) in integers, with a working memory of rows and
 * pixels instead of whole maps. Same bits as running the layers one by one
 * with conv_s8.h and elementwise_s8.h (tests/core/integer/stream_s8_test.cpp);
 * portable C11, no allocation, so the firmware can run them too.
 *
 * 1. An inverted-residual block ([1x1 expand,] KxK depthwise, 1x1 project
 *    [, + shortcut]) in column tiles of RP_IR_S8_TILE output columns, each
 *    swept down its rows: a ring of K rows of the tile's expanded pixels (all
 *    hidden channels), each expanded once per tile (the tile's K - stride
 *    edge columns again in the next tile: 1.25x the expansion for 3x3
 *    stride 1 instead of K times for one row at a time), filtered into one
 *    depthwise tile row, projected pixel by pixel and the shortcut added.
 *    Scratch (int8): K * tile input columns * hidden for the ring, and the
 *    larger of the tile's input pixels widened to int16 and a depthwise tile
 *    row; 3 bytes of slack to align it.
 *
 *      rp_ir_s8_block b = {expand, depthwise, project, &add};
 *      rp_ir_s8_rows(&b, input, in_h, in_w, 0, out_h, scratch, output);
 *
 * 2. RNNPool on the map that a chain of convolutions makes from a picture
 *    (or on a map itself), one row of patches at a time, rows 0, 1, 2, ... in
 *    order on the same scratch. The band of map rows a patch row covers is
 *    computed pixel by pixel from the picture (the rows it shares with the
 *    band above are kept, not computed again) and pooled by the map kernel's
 *    band form (rp_rnnpool_s8q15_band), which keeps the RNN1 row summaries
 *    the next patch row shares. The picture's rows may sit in a ring, as a
 *    camera's DMA delivers them: row y at slot y % ring_rows.
 *    Scratch: the map kernel's for the map's width, the CHW band
 *    (channels * patch * map width int8), and for each convolution above the
 *    first the window of its input it reads (kernel_h * kernel_w *
 *    in_channels int8); 3 bytes of slack to align it.
 *
 *      rp_rnnpool_s8_stream s = {&cfg, NULL, {stem}, 1, {picture, 240, 320, 1, 17}};
 *      for (gy = 0; gy < grid_h; ++gy) { deliver rows; rp_rnnpool_s8_stream_row(&s, gy, scratch, out); }
 *      rp_rnnpool_s8_stream_pad(&s, out);
 */
#ifndef RNNPOOL_INTEGER_STREAM_S8_H
#define RNNPOOL_INTEGER_STREAM_S8_H

#include <stddef.h>
#include <stdint.h>

#include "integer/conv_s8.h"
#include "integer/elementwise_s8.h"
#include "integer/rnnpool_q15.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One int8 convolution as the engine prepared it; the shape's in_height and
 * in_width are not read (the call gives the extents). */
typedef struct {
    const rp_conv_shape_t* shape;
    const rp_conv_quant_t* quant;
    const int8_t* weights; /* conv_s8.h layout of the kernel kind */
    const int32_t* bias;   /* may be NULL */
} rp_conv_s8_layer;

typedef struct {
    rp_conv_s8_layer expand;    /* 1x1 [hidden][in]; weights NULL: no expansion */
    rp_conv_s8_layer depthwise; /* [kh][kw][hidden] */
    rp_conv_s8_layer project;   /* 1x1 [out][hidden] */
    const rp_add_quant_t* add;  /* NULL: no shortcut; else add(block input, projection) */
} rp_ir_s8_block;

int32_t rp_ir_s8_out_height(const rp_ir_s8_block* b, int32_t in_h);
int32_t rp_ir_s8_out_width(const rp_ir_s8_block* b, int32_t in_w);
#define RP_IR_S8_TILE 8        /* output columns a tile */
#define RP_IR_S8_MAX_KERNEL 16 /* depthwise kernel rows */
/* Bytes of scratch; only the depthwise shape and whether there is an
 * expansion (its shape's in_channels) are read. */
int32_t rp_ir_s8_scratch_size(const rp_ir_s8_block* b, int32_t in_w);
/* Output rows oy0 .. oy1 - 1 of the block on an HWC input of in_h x in_w, into
 * the whole HWC output map `output` (row oy at oy * out_w * cout). Returns
 * RP_Q15_OK, or RP_Q15_EARG for a shape it cannot run (a kernel taller than
 * RP_IR_S8_MAX_KERNEL or than its stride allows, a shortcut that does not line up,
 * rows outside the map). */
int rp_ir_s8_rows(const rp_ir_s8_block* b, const int8_t* input, int32_t in_h, int32_t in_w, int32_t oy0, int32_t oy1,
                  void* scratch, int8_t* output);
/* Output row oy alone into `out_row`, for a line buffer: `rows` holds the
 * input's consecutive rows from `first_row` on (those the row reads, within
 * the map: rows outside it are padding the kernel makes). */
int rp_ir_s8_row_at(const rp_ir_s8_block* b, const int8_t* rows, int32_t first_row, int32_t in_h, int32_t in_w, int32_t oy,
                    void* scratch, int8_t* out_row);

#define RP_STREAM_MAX_CONVS 4

/* An HWC picture (or map) whose rows may sit in a ring. */
typedef struct {
    const int8_t* data;
    int32_t height, width, channels; /* the whole picture's extents */
    int32_t ring_rows;               /* row y at slot (y - base_row) % ring_rows; height for a whole picture */
    int32_t base_row;                /* the oldest row held; 0 for a ring from the first row (a line
                                        buffer that moves its rows down passes its first row) */
} rp_rows_s8;

typedef struct {
    const rp_rnnpool_s8q15_config* cfg;
    const rp_rnnpool_s8_channel_quant* channel_quant; /* NULL: cfg->out for every channel */
    rp_conv_s8_layer convs[RP_STREAM_MAX_CONVS];      /* the chain from the picture to RNNPool's input */
    int32_t conv_count;                               /* 0..RP_STREAM_MAX_CONVS */
    rp_rows_s8 rows;
} rp_rnnpool_s8_stream;

/* The extents of the map RNNPool pools (after the chain). */
void rp_rnnpool_s8_stream_map(const rp_rnnpool_s8_stream* s, int32_t* map_h, int32_t* map_w);
/* The picture rows patch row gy reads: [*first, *last], clipped to the picture. */
void rp_rnnpool_s8_stream_rows(const rp_rnnpool_s8_stream* s, int32_t gy, int32_t* first, int32_t* last);
/* Scratch bytes; only the configuration's dimensions, the chain's shapes and
 * the picture's extents (rows.height, width, channels) are read. */
size_t rp_rnnpool_s8_stream_scratch_size(const rp_rnnpool_s8_stream* s);
/* Patch row gy into `out`, the whole HWC output [grid_h + pad][grid_w + pad][4 * h2].
 * Rows 0, 1, 2, ... in order on the same scratch, untouched between calls.
 * Returns RP_Q15_OK, or RP_Q15_EARG for a bad configuration or a row the ring
 * cannot hold. */
int rp_rnnpool_s8_stream_row(const rp_rnnpool_s8_stream* s, int32_t gy, void* scratch, int8_t* out);
/* The replicated bottom rows and right columns, after every patch row. */
void rp_rnnpool_s8_stream_pad(const rp_rnnpool_s8_stream* s, int8_t* out);
/* Patch row gy alone into `row` ([grid_w + pad][4 * h2], the right columns
 * replicated as rp_rnnpool_s8_stream_pad does), for a consumer that keeps
 * only a few rows of RNNPool's output (a line buffer). The same calling rules
 * and bits as rp_rnnpool_s8_stream_row. */
int rp_rnnpool_s8_stream_row_at(const rp_rnnpool_s8_stream* s, int32_t gy, void* scratch, int8_t* row);
/* The same row patch by patch, with almost no state: each patch's map pixels
 * computed from the picture's rows (overlapping patches recompute theirs) and
 * pooled by the per-patch kernel (rp_rnnpool_s8q15_patch_fast: the fast
 * cells where the core has them), which the map kernel equals bit for bit.
 * Scratch (rp_rnnpool_s8_stream_patch_scratch_size): one patch of the map,
 * its int16 output, the patch kernel's scratch and the convolutions'
 * windows; nothing is kept between calls, so rows may come in any order. For
 * the smallest working memory (the linebuffer schedule); about 2.6x the band
 * form's instructions on the M4 (README: the linebuffer firmware). */
size_t rp_rnnpool_s8_stream_patch_scratch_size(const rp_rnnpool_s8_stream* s);
int rp_rnnpool_s8_stream_row_patches(const rp_rnnpool_s8_stream* s, int32_t gy, void* scratch, int8_t* row);

#ifdef __cplusplus
}
#endif

#endif
