/* RNNPool in 16-bit fixed point: EdgeML's block (bit-exact) and our int8-map
 * operator. See rnnpool_q15.h. */
#include "integer/rnnpool_q15.h"

#include <string.h>

#include "integer/fastgrnn_q15_ref.h"
#include "integer/q15_arith.h"

static size_t align4(size_t n) { return (n + 3u) & ~(size_t)3u; }
static int32_t max32(int32_t a, int32_t b) { return a > b ? a : b; }

/* ---- 1. EdgeML-compatible block ----------------------------------------- */

typedef void (*edgeml_q15_step)(const rp_edgeml_fastgrnn_params*, const rp_edgeml_fastgrnn_scales*, const int16_t*,
                                int16_t*, void*);
typedef void (*edgeml_q7_step)(const rp_edgeml_fastgrnn_params*, const rp_edgeml_fastgrnn_scales*, const int8_t*,
                               int16_t*, void*);

typedef struct edgeml_cells {
    edgeml_q15_step q15;
    edgeml_q7_step q7;
    size_t (*scratch)(int32_t hidden_dims);
} edgeml_cells;

int rp_edgeml_rnnpool_check(const rp_edgeml_rnnpool_config* cfg)
{
    if (!cfg || cfg->patch_rows <= 0 || cfg->patch_cols <= 0)
        return RP_Q15_EARG;
    int status = rp_edgeml_fastgrnn_check(&cfg->rnn1, &cfg->rnn1_scales);
    if (status == RP_Q15_OK)
        status = rp_edgeml_fastgrnn_check(&cfg->rnn2, &cfg->rnn2_scales);
    if (status != RP_Q15_OK)
        return status;
    if (cfg->rnn2.input_dims != cfg->rnn1.hidden_dims)
        return RP_Q15_EARG;
    const rp_edgeml_block_scales* b = &cfg->block;
    if (b->mode == RP_SCALE_DIV) {
        if (b->ShR1 < 1 || b->ShR2 < 1 || b->ShL1 < -65536 || b->ShL1 > 65536 || b->ShL2 < -65536 || b->ShL2 > 65536)
            return RP_Q15_EUNSUPPORTED;
    } else if (b->mode == RP_SCALE_SHIFT) {
        if (b->ShR1 < 0 || b->ShR1 > 62 || b->ShR2 < 0 || b->ShR2 > 62 || b->ShL1 < 0 || b->ShL1 > 30 || b->ShL2 < 0 ||
            b->ShL2 > 30)
            return RP_Q15_EUNSUPPORTED;
    } else {
        return RP_Q15_EARG;
    }
    return RP_Q15_OK;
}

static size_t edgeml_scratch(const rp_edgeml_rnnpool_config* cfg, const edgeml_cells* cells)
{
    const size_t h1 = (size_t)cfg->rnn1.hidden_dims, h2 = (size_t)cfg->rnn2.hidden_dims;
    const size_t states = ((size_t)cfg->patch_rows + (size_t)cfg->patch_cols) * h1 + h2;
    return align4(states * sizeof(int16_t)) + cells->scratch(max32(cfg->rnn1.hidden_dims, cfg->rnn2.hidden_dims));
}

/* x * ShL (or << ShL), stored; then reduced by ShR, stored. */
static void block_scale(int16_t* v, size_t n, int32_t shl, int32_t shr, rp_scale_mode m)
{
    for (size_t i = 0; i < n; ++i) {
        const int16_t up = rp_wrap16(m == RP_SCALE_DIV ? (int64_t)v[i] * shl : rp_shl64(v[i], shl));
        v[i] = rp_wrap16(rp_reduce(up, shr, m));
    }
}

/* RNN2 over `count` summaries, forward or backward, from h = 0. */
static void edgeml_rnn2_run(const rp_edgeml_rnnpool_config* cfg, const edgeml_cells* cells, const int16_t* sums,
                            int32_t count, int backward, int16_t* h, void* cellScratch, int16_t* steps)
{
    const int32_t h1 = cfg->rnn1.hidden_dims, h2 = cfg->rnn2.hidden_dims;
    memset(h, 0, (size_t)h2 * sizeof(int16_t));
    for (int32_t t = 0; t < count; ++t) {
        const int32_t idx = backward ? count - 1 - t : t;
        cells->q15(&cfg->rnn2, &cfg->rnn2_scales, sums + (size_t)idx * (size_t)h1, h, cellScratch);
        if (steps)
            memcpy(steps + (size_t)t * (size_t)h2, h, (size_t)h2 * sizeof(int16_t));
    }
}

static int edgeml_block(const rp_edgeml_rnnpool_config* cfg, const edgeml_cells* cells, const void* patch, int isQ7,
                        int32_t pitch, int16_t* out, void* scratch, rp_rnnpool_q15_trace* trace)
{
    if (!cfg || !patch || !out || !scratch || pitch < cfg->patch_cols)
        return RP_Q15_EARG;
    const int32_t rows = cfg->patch_rows, cols = cfg->patch_cols, ch = cfg->rnn1.input_dims;
    const int32_t h1 = cfg->rnn1.hidden_dims, h2 = cfg->rnn2.hidden_dims;
    const int32_t steps = max32(rows, cols);
    int16_t* rowsum = (int16_t*)scratch;
    int16_t* colsum = rowsum + (size_t)rows * (size_t)h1;
    int16_t* h2state = colsum + (size_t)cols * (size_t)h1;
    void* cellScratch = (uint8_t*)scratch + align4(((size_t)(rows + cols) * (size_t)h1 + (size_t)h2) * sizeof(int16_t));
    const size_t h1Bytes = (size_t)h1 * sizeof(int16_t);

    for (int pass = 0; pass < 2; ++pass) {
        const int32_t lines = pass == 0 ? rows : cols, len = pass == 0 ? cols : rows;
        int16_t* sums = pass == 0 ? rowsum : colsum;
        int16_t* stepTrace = trace ? (pass == 0 ? trace->rnn1_row_steps : trace->rnn1_col_steps) : NULL;
        for (int32_t line = 0; line < lines; ++line) {
            int16_t* h = sums + (size_t)line * (size_t)h1;
            memset(h, 0, h1Bytes);
            for (int32_t t = 0; t < len; ++t) {
                const int32_t r = pass == 0 ? line : t, c = pass == 0 ? t : line;
                const size_t at = ((size_t)pitch * (size_t)r + (size_t)c) * (size_t)ch;
                if (isQ7)
                    cells->q7(&cfg->rnn1, &cfg->rnn1_scales, (const int8_t*)patch + at, h, cellScratch);
                else
                    cells->q15(&cfg->rnn1, &cfg->rnn1_scales, (const int16_t*)patch + at, h, cellScratch);
                if (stepTrace)
                    memcpy(stepTrace + ((size_t)line * (size_t)len + (size_t)t) * (size_t)h1, h, h1Bytes);
            }
        }
        block_scale(sums, (size_t)lines * (size_t)h1, cfg->block.ShL1, cfg->block.ShR1, cfg->block.mode);
        if (trace && (pass == 0 ? trace->rowsum : trace->colsum))
            memcpy(pass == 0 ? trace->rowsum : trace->colsum, sums, (size_t)lines * h1Bytes);
        for (int backward = 0; backward < 2; ++backward) {
            const int run = 2 * pass + backward;
            int16_t* runSteps = trace && trace->rnn2_steps
                                    ? trace->rnn2_steps + (size_t)run * (size_t)steps * (size_t)h2 : NULL;
            edgeml_rnn2_run(cfg, cells, sums, lines, backward, h2state, cellScratch, runSteps);
            memcpy(out + (size_t)run * (size_t)h2, h2state, (size_t)h2 * sizeof(int16_t));
        }
    }
    block_scale(out, 4u * (size_t)h2, cfg->block.ShL2, cfg->block.ShR2, cfg->block.mode);
    return RP_Q15_OK;
}

static const edgeml_cells kFastCells = {rp_edgeml_fastgrnn_q15_step, rp_edgeml_fastgrnn_q7xq15_step,
                                        rp_edgeml_fastgrnn_scratch_bytes};
static const edgeml_cells kRefCells = {rp_edgeml_fastgrnn_q15_step_ref, rp_edgeml_fastgrnn_q7xq15_step_ref,
                                       rp_edgeml_fastgrnn_ref_scratch_bytes};

size_t rp_edgeml_rnnpool_scratch_bytes(const rp_edgeml_rnnpool_config* cfg)
{
    return edgeml_scratch(cfg, &kFastCells);
}

int rp_edgeml_rnnpool_q15(const rp_edgeml_rnnpool_config* cfg, const int16_t* patch, int32_t row_pitch,
                          int16_t* out, void* scratch, rp_rnnpool_q15_trace* trace)
{
    return edgeml_block(cfg, &kFastCells, patch, 0, row_pitch, out, scratch, trace);
}

int rp_edgeml_rnnpool_q7xq15(const rp_edgeml_rnnpool_config* cfg, const int8_t* patch, int32_t row_pitch,
                             int16_t* out, void* scratch, rp_rnnpool_q15_trace* trace)
{
    return edgeml_block(cfg, &kFastCells, patch, 1, row_pitch, out, scratch, trace);
}

size_t rp_edgeml_rnnpool_ref_scratch_bytes(const rp_edgeml_rnnpool_config* cfg)
{
    return edgeml_scratch(cfg, &kRefCells);
}

int rp_edgeml_rnnpool_q15_ref(const rp_edgeml_rnnpool_config* cfg, const int16_t* patch, int32_t row_pitch,
                              int16_t* out, void* scratch, rp_rnnpool_q15_trace* trace)
{
    return edgeml_block(cfg, &kRefCells, patch, 0, row_pitch, out, scratch, trace);
}

int rp_edgeml_rnnpool_q7xq15_ref(const rp_edgeml_rnnpool_config* cfg, const int8_t* patch, int32_t row_pitch,
                                 int16_t* out, void* scratch, rp_rnnpool_q15_trace* trace)
{
    return edgeml_block(cfg, &kRefCells, patch, 1, row_pitch, out, scratch, trace);
}
