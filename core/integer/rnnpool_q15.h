/* RNNPool in 16-bit fixed point, portable C11 (no allocation, no float).
 *
 * An RNNPool patch (rows x cols pixels of `channels` values) becomes 4*h2
 * numbers: RNN1 summarises every row (left to right) and every column (top
 * to bottom) of the patch from h = 0; RNN2 runs forward and backward over the
 * row summaries and over the column summaries; the output is
 * [rows fwd, rows bwd, cols fwd, cols bwd], h2 values each.
 *
 * 1. rp_edgeml_rnnpool_q15 / rp_edgeml_rnnpool_q7xq15: bit-exact with
 *    EdgeML's q15_rnnpool_block / q7xq15_q15_rnnpool_block. The patch is
 *    channel-last: pixel (r, c), channel ch at patch[(row_pitch*r + c)*C + ch],
 *    row_pitch in pixels. RNN2 backward uses the same cell as forward.
 *
 *      rp_edgeml_rnnpool_config cfg = {rnn1, rnn1_scales, rnn2, rnn2_scales,
 *                                      8, 8, {ShR1, ShL1, ShR2, ShL2, RP_SCALE_DIV}};
 *      if (rp_edgeml_rnnpool_check(&cfg) != RP_Q15_OK) ...;
 *      uint8_t scratch[...];  // rp_edgeml_rnnpool_scratch_bytes(&cfg), 4-byte aligned
 *      int16_t out[32];
 *      rp_edgeml_rnnpool_q15(&cfg, patch, 8, out, scratch, NULL);
 *
 * 2. rp_rnnpool_s8q15_*: the operator of our float-trained models. Input an
 *    int8 map, CHW, real = scale * (q - zero_point); Q15 weights (see
 *    fastgrnn_q15.h), int16 hidden states, output int16 per patch in RNN2's
 *    hidden format (real = v / 2^rnn2.h_frac_bits), and the map kernel's
 *    requantisation of that to int8:
 *      q = clamp(round(v * out.mult / 2^out.shift) + out_zero_point, -128, 127)
 *    with round half up (rp_q15_apply_multiplier).
 *    The map kernel writes [4*h2][gh + pad][gw + pad] with EdgeML's replicate
 *    padding of the last row and column, as core/ops/rnnpool does in float.
 *
 *      rp_rnnpool_s8q15_config cfg = ...;  // core/quant/rnnpool_quantizer.h makes one
 *      size_t need = rp_rnnpool_s8q15_map_scratch_bytes(&cfg, in_w);
 *      rp_rnnpool_s8q15_map(&cfg, in, in_h, in_w, out, scratch);
 *
 * Traces (optional, NULL to skip) receive every hidden state, as the golden
 * per-step files lay them out.
 */
#ifndef RNNPOOL_INTEGER_RNNPOOL_Q15_H
#define RNNPOOL_INTEGER_RNNPOOL_Q15_H

#include <stddef.h>
#include <stdint.h>

#include "integer/fastgrnn_q15.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every hidden state of one patch. Any pointer may be NULL. S = max(rows, cols). */
typedef struct rp_rnnpool_q15_trace {
    int16_t* rnn1_row_steps; /* [rows][cols][h1]: after pixel (r, c) in the row pass */
    int16_t* rnn1_col_steps; /* [cols][rows][h1]: after pixel (r, c) in the column pass */
    int16_t* rowsum;         /* [rows][h1]: row summaries as RNN2 reads them */
    int16_t* colsum;         /* [cols][h1] */
    int16_t* rnn2_steps;     /* [4][S][h2]: runs rows fwd, rows bwd, cols fwd, cols bwd */
} rp_rnnpool_q15_trace;

/* ---- 1. EdgeML-compatible block ---------------------------------------- */

typedef struct rp_edgeml_block_scales {
    int32_t ShR1, ShL1, ShR2, ShL2; /* RNN1 summaries: *ShL1 then /ShR1 (or <<, >>); outputs: ShL2, ShR2 */
    rp_scale_mode mode;
} rp_edgeml_block_scales;

typedef struct rp_edgeml_rnnpool_config {
    rp_edgeml_fastgrnn_params rnn1; /* input_dims = channels */
    rp_edgeml_fastgrnn_scales rnn1_scales;
    rp_edgeml_fastgrnn_params rnn2; /* input_dims = rnn1.hidden_dims */
    rp_edgeml_fastgrnn_scales rnn2_scales;
    int32_t patch_rows, patch_cols;
    rp_edgeml_block_scales block;
} rp_edgeml_rnnpool_config;

int rp_edgeml_rnnpool_check(const rp_edgeml_rnnpool_config* cfg);
size_t rp_edgeml_rnnpool_scratch_bytes(const rp_edgeml_rnnpool_config* cfg);

/* out: 4 * rnn2.hidden_dims int16. Return RP_Q15_OK or RP_Q15_EARG. */
int rp_edgeml_rnnpool_q15(const rp_edgeml_rnnpool_config* cfg, const int16_t* patch, int32_t row_pitch,
                          int16_t* out, void* scratch, rp_rnnpool_q15_trace* trace);
int rp_edgeml_rnnpool_q7xq15(const rp_edgeml_rnnpool_config* cfg, const int8_t* patch, int32_t row_pitch,
                             int16_t* out, void* scratch, rp_rnnpool_q15_trace* trace);

/* ---- 2. Our operator: int8 map in, Q15 cells ---------------------------- */

typedef struct rp_rnnpool_s8q15_config {
    rp_fastgrnn_q15_cell rnn1;          /* input_dims = channels; wx scales (q - zero_point) */
    rp_fastgrnn_q15_cell rnn2_forward;  /* input_dims = rnn1.hidden_dims; wx scales RNN1's h */
    rp_fastgrnn_q15_cell rnn2_backward; /* may equal rnn2_forward (EdgeML shares the cell) */
    int32_t channels;
    int32_t patch;      /* square patch, e.g. 8 */
    int32_t stride;     /* e.g. 4 */
    int32_t pad_bottom_right; /* replicated rows/cols after the grid, e.g. 1 */
    int32_t input_zero_point;  /* int8 input: real = scale * (q - zero_point) */
    rp_q15_multiplier out;     /* RNN2 hidden (int16) -> int8 output */
    int32_t output_zero_point;
} rp_rnnpool_s8q15_config;

int rp_rnnpool_s8q15_check(const rp_rnnpool_s8q15_config* cfg);

/* Patch grid of one extent (0 when the map is smaller than a patch). */
int32_t rp_rnnpool_s8q15_grid(const rp_rnnpool_s8q15_config* cfg, int32_t extent);

size_t rp_rnnpool_s8q15_patch_scratch_bytes(const rp_rnnpool_s8q15_config* cfg);

/* One patch whose top-left pixel is at `in` (a CHW map of row pitch in_w and
 * channel pitch plane = in_h * in_w): out gets 4*h2 int16 in RNN2's Q format.
 * The plain scalar reference of the operator. */
int rp_rnnpool_s8q15_patch(const rp_rnnpool_s8q15_config* cfg, const int8_t* in, int32_t in_w, int32_t plane,
                           int16_t* out, void* scratch, rp_rnnpool_q15_trace* trace);

/* The same patch with the fast cells where the core has them (the DSP
 * extension: the row-major cells, saturating where the biases allow, and
 * row-major W.x), for a caller that pools patch by patch with almost no
 * memory (the linebuffer schedule: W.x is still computed at each visit and no
 * sweep is shared); elsewhere the reference above. Same bits as
 * rp_rnnpool_s8q15_patch. Scratch: the reference's and room for the cell's
 * int64 sums, the same number of bytes on every core. */
size_t rp_rnnpool_s8q15_patch_fast_scratch_bytes(const rp_rnnpool_s8q15_config* cfg);
int rp_rnnpool_s8q15_patch_fast(const rp_rnnpool_s8q15_config* cfg, const int8_t* in, int32_t in_w, int32_t plane,
                                int16_t* out, void* scratch);

/* The whole map: in is [channels][in_h][in_w] int8, out is int8
 * [4*h2][gh + pad][gw + pad]. Same bits as rp_rnnpool_s8q15_patch on every
 * patch followed by the requantisation above (rnnpool_quantizer_test). It
 * computes each pixel's W.x once per patch instead of once per visit (the row
 * and the column pass share it), RNN2's W.x once per summary when both
 * directions share W, and runs the cells on weights it transposes into its
 * scratch (rp_fastgrnn_q15_step_pre_t: every unit's sum at once).
 * The scratch grows with in_w: the row summaries shared with the patch row
 * below are kept for every patch column. */
size_t rp_rnnpool_s8q15_map_scratch_bytes(const rp_rnnpool_s8q15_config* cfg, int32_t in_w);
int rp_rnnpool_s8q15_map(const rp_rnnpool_s8q15_config* cfg, const int8_t* in, int32_t in_h, int32_t in_w,
                         int8_t* out, void* scratch);

/* The whole map with one int8 scale per output channel (used when every
 * reader of the RNNPool output is a 1x1 convolution, which folds the
 * channels' scales into its weights). Same scratch, layout and padding as
 * rp_rnnpool_s8q15_map; output channel o is requantised with
 * rp_output_s8(v, multiplier[o], shift[o], zero_point[o], -128, 127)
 * (requantize.h) instead of cfg->out. All three arrays hold 4*h2 values. */
typedef struct rp_rnnpool_s8_channel_quant {
    const int32_t* multiplier;
    const int32_t* shift;
    const int32_t* zero_point;
} rp_rnnpool_s8_channel_quant;
int rp_rnnpool_s8q15_map_channels(const rp_rnnpool_s8q15_config* cfg, const int8_t* in, int32_t in_h, int32_t in_w,
                                  const rp_rnnpool_s8_channel_quant* quant, int8_t* out, void* scratch);

/* One patch row at a time, for streaming (integer/stream_s8.h): the map
 * kernel's arithmetic on a band of `patch` rows, band = [channels][patch][in_w]
 * int8 holding rows pr * stride .. pr * stride + patch - 1 of the map. Value o
 * of patch pc goes to out[pc * patch_stride + o * channel_stride] (quant NULL:
 * cfg->out for every channel). Call with pr = 0, 1, 2, ... in order on the same
 * scratch (rp_rnnpool_s8q15_map_scratch_bytes(cfg, in_w)), untouched between
 * calls: it keeps the row summaries the next patch row shares. Same bits as
 * the map kernel's patch row pr. No padding: see rp_rnnpool_s8_stream_pad. */
int rp_rnnpool_s8q15_band(const rp_rnnpool_s8q15_config* cfg, const int8_t* band, int32_t in_w, int32_t pr,
                          const rp_rnnpool_s8_channel_quant* quant, int8_t* out, int32_t patch_stride,
                          int32_t channel_stride, void* scratch);

/* The requantisation the map kernel applies to each output value. */
int8_t rp_rnnpool_s8q15_requant(const rp_rnnpool_s8q15_config* cfg, int16_t v);

#ifdef __cplusplus
}
#endif

#endif
