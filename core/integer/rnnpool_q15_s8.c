/* Our RNNPool operator on an int8 map with Q15 FastGRNN cells (see
 * rnnpool_q15.h, part 2). rp_rnnpool_s8q15_patch is the scalar reference:
 * W.x per visit of a pixel. The map kernel computes each pixel's W.x once
 * per patch (the row and the column pass share it) and RNN2's W.x once per
 * summary when both directions share W; the same integers either way. */
#include <string.h>

#include "integer/q15_arith.h"
#include "integer/requantize.h"
#include "integer/rnnpool_q15.h"

static size_t align4(size_t n) { return (n + 3u) & ~(size_t)3u; }
static int32_t max32(int32_t a, int32_t b) { return a > b ? a : b; }

int rp_rnnpool_s8q15_check(const rp_rnnpool_s8q15_config* cfg)
{
    if (!cfg || cfg->channels <= 0 || cfg->patch <= 0 || cfg->stride <= 0 || cfg->pad_bottom_right < 0)
        return RP_Q15_EARG;
    const rp_fastgrnn_q15_cell* cells[3] = {&cfg->rnn1, &cfg->rnn2_forward, &cfg->rnn2_backward};
    for (int i = 0; i < 3; ++i)
        if (rp_fastgrnn_q15_check(cells[i]) != RP_Q15_OK)
            return RP_Q15_EARG;
    if (cfg->rnn1.input_dims != cfg->channels || cfg->rnn2_forward.input_dims != cfg->rnn1.hidden_dims ||
        cfg->rnn2_backward.input_dims != cfg->rnn1.hidden_dims ||
        cfg->rnn2_backward.hidden_dims != cfg->rnn2_forward.hidden_dims ||
        cfg->rnn2_backward.h_frac_bits != cfg->rnn2_forward.h_frac_bits)
        return RP_Q15_EARG;
    if (cfg->input_zero_point < -128 || cfg->input_zero_point > 127 || cfg->output_zero_point < -128 ||
        cfg->output_zero_point > 127 || cfg->out.mult < 0 || cfg->out.shift < 0 || cfg->out.shift > 62)
        return RP_Q15_EARG;
    return RP_Q15_OK;
}

int32_t rp_rnnpool_s8q15_grid(const rp_rnnpool_s8q15_config* cfg, int32_t extent)
{
    return extent < cfg->patch ? 0 : (extent - cfg->patch) / cfg->stride + 1;
}

int8_t rp_rnnpool_s8q15_requant(const rp_rnnpool_s8q15_config* cfg, int16_t v)
{
    const int64_t q = (int64_t)rp_q15_apply_multiplier(v, cfg->out) + cfg->output_zero_point;
    return (int8_t)(q > 127 ? 127 : (q < -128 ? -128 : q));
}

/* Scratch: [wx int32 H][cell int32 H][rowsum k*h1][colsum k*h1][h2] (int16),
 * H = max(h1, h2); the map kernel adds [pixel W.x int32 k*k*h1][out int16 4*h2]. */
static size_t patch_scratch(const rp_rnnpool_s8q15_config* cfg)
{
    const size_t hmax = (size_t)max32(cfg->rnn1.hidden_dims, cfg->rnn2_forward.hidden_dims);
    const size_t k = (size_t)cfg->patch, h1 = (size_t)cfg->rnn1.hidden_dims, h2 = (size_t)cfg->rnn2_forward.hidden_dims;
    return 2u * hmax * sizeof(int32_t) + align4((2u * k * h1 + h2) * sizeof(int16_t));
}

size_t rp_rnnpool_s8q15_patch_scratch_bytes(const rp_rnnpool_s8q15_config* cfg)
{
    return patch_scratch(cfg);
}

/* The map kernel's own part, after the patch scratch: pixel W.x, the patch's
 * int16 output, the transposed weights, and the transposed cell's scratch
 * (int64, aligned to 8 inside the block). */
typedef struct map_layout {
    size_t pixelWx, patchOut, ut1, ut2f, ut2b, wt1, cell, rowCache, colCache, total;
} map_layout;

/* Overlapping patches (stride < patch) share RNN1 sweeps: the last
 * patch - stride rows of a patch are the first rows of the patch below it,
 * over the same columns, and each row's sweep starts from h = 0, so its
 * summary is the same; likewise the columns of horizontally adjacent
 * patches. The map kernel keeps those summaries (one set per patch column
 * for the rows, one set for the columns) instead of sweeping again. */
static int32_t shared_lines(const rp_rnnpool_s8q15_config* cfg)
{
    return cfg->stride < cfg->patch ? cfg->patch - cfg->stride : 0;
}

static map_layout layout_of(const rp_rnnpool_s8q15_config* cfg, int32_t in_w)
{
    const size_t k = (size_t)cfg->patch, h1 = (size_t)cfg->rnn1.hidden_dims, h2 = (size_t)cfg->rnn2_forward.hidden_dims;
    const size_t c = (size_t)cfg->channels;
    map_layout l;
    l.pixelWx = patch_scratch(cfg);
    l.patchOut = l.pixelWx + k * k * h1 * sizeof(int32_t);
    l.ut1 = l.patchOut + align4(4u * h2 * sizeof(int16_t));
    l.ut2f = l.ut1 + align4(h1 * h1 * sizeof(int16_t));
    l.ut2b = l.ut2f + align4(h2 * h2 * sizeof(int16_t));
    l.wt1 = l.ut2b + align4(h2 * h2 * sizeof(int16_t));
    l.cell = l.wt1 + align4(c * h1 * sizeof(int16_t));
    l.rowCache = l.cell + 8u + rp_fastgrnn_q15_t_scratch_bytes(max32(cfg->rnn1.hidden_dims, cfg->rnn2_forward.hidden_dims));
    const size_t gw = (size_t)max32(rp_rnnpool_s8q15_grid(cfg, in_w), 0), shared = (size_t)shared_lines(cfg);
    l.colCache = l.rowCache + align4(gw * shared * h1 * sizeof(int16_t));
    l.total = l.colCache + align4(shared * h1 * sizeof(int16_t));
    return l;
}

size_t rp_rnnpool_s8q15_map_scratch_bytes(const rp_rnnpool_s8q15_config* cfg, int32_t in_w)
{
    return layout_of(cfg, in_w).total;
}

static void transpose16(const int16_t* src, int32_t rows, int32_t cols, int16_t* dst)
{
    for (int32_t r = 0; r < rows; ++r)
        for (int32_t c = 0; c < cols; ++c)
            dst[(size_t)c * (size_t)rows + (size_t)r] = src[(size_t)r * (size_t)cols + (size_t)c];
}

/* One patch. pixelWx, when given, holds W.x (Q12) of every pixel as
 * [r][c][h1]; otherwise it is computed from `in` at each visit. */
/* x86 with AVX2: the vector cells of fastgrnn_q15_pairs16.c where their
 * bounds hold; compiled out elsewhere, so other targets run exactly as before. */
#if defined(__AVX2__)
#define RP_MAP_PAIRS 1
#else
#define RP_MAP_PAIRS 0
#endif

/* Transposed weights and the transposed cell's scratch, for the map kernel. */
typedef struct fast_weights {
    const int16_t* ut[3]; /* RNN1, RNN2 forward, RNN2 backward */
    void* cell;
    int rows;   /* the row-major cells (DSP-extension cores) instead of the transposed ones */
    int sat[3]; /* with rows: the cell takes the saturating step (rp_fastgrnn_q15_rows_sat_usable) */
#if RP_MAP_PAIRS
    int pairs[3]; /* ut[i] holds U as pairs for the AVX2 step (rp_fastgrnn_q15_pairs16_usable) */
#endif
} fast_weights;
#if RP_MAP_PAIRS
#define RP_PAIRS(fast, i) ((fast)->pairs[i])
#else
#define RP_PAIRS(fast, i) 0
#endif

/* Which fast cell the map kernel runs: on a core with the DSP extension the
 * row-major one (SMLALD pairs into one int64 sum per unit, 2 products an
 * instruction), elsewhere the transposed one (every unit's sum at once, which
 * vector units do well). Both give the reference's bits. */
#if defined(__ARM_FEATURE_DSP) || defined(RP_ROW_MAJOR_CELLS)
#define RP_MAP_ROWS 1
#else
#define RP_MAP_ROWS 0
#endif

/* One step of a sequence; `first` when h is still the zero state the
 * sequence starts from (then U.h is 0 and the saturating cell skips it). */
static void step(const rp_fastgrnn_q15_cell* c, const fast_weights* fast, int which, const int32_t* pre, int16_t* h,
                 void* cell, int first)
{
    if (fast && RP_PAIRS(fast, which) && first)
        rp_fastgrnn_q15_step_pre_pairs16_from_zero(c, pre, h);
    else if (fast && RP_PAIRS(fast, which))
        rp_fastgrnn_q15_step_pre_pairs16(c, fast->ut[which], pre, h);
    else if (fast && fast->rows && fast->sat[which] && first)
        rp_fastgrnn_q15_step_rows_sat_from_zero(c, pre, h);
    else if (fast && fast->rows && fast->sat[which])
        rp_fastgrnn_q15_step_rows_sat(c, pre, h, fast->cell);
    else if (fast && fast->rows)
        rp_fastgrnn_q15_step_pre_rows(c, pre, h, fast->cell);
    else if (fast)
        rp_fastgrnn_q15_step_pre_t(c, fast->ut[which], pre, h, fast->cell);
    else
        rp_fastgrnn_q15_step_pre(c, pre, h, cell);
}

/* The row summaries in the patch scratch (after wx and cell, see
 * patch_scratch), followed by the column summaries. */
static int16_t* patch_sums(const rp_rnnpool_s8q15_config* cfg, void* scratch)
{
    const size_t hmax = (size_t)max32(cfg->rnn1.hidden_dims, cfg->rnn2_forward.hidden_dims);
    return (int16_t*)(void*)((uint8_t*)scratch + 2u * hmax * sizeof(int32_t));
}

/* known[pass], when not NULL, holds the summaries of that pass's first
 * knownLines lines (rows, then columns), computed by a neighbouring patch. */
static void run_patch(const rp_rnnpool_s8q15_config* cfg, int32_t* pixelWx, const int8_t* in, int32_t in_w,
                      int32_t plane, int16_t* out, void* scratch, rp_rnnpool_q15_trace* trace, int shareRnn2Wx,
                      const fast_weights* fast, const int16_t* const known[2], int32_t knownLines)
{
    const int32_t k = cfg->patch, h1 = cfg->rnn1.hidden_dims, h2 = cfg->rnn2_forward.hidden_dims;
    const size_t hmax = (size_t)max32(h1, h2);
    int32_t* wx = (int32_t*)scratch;
    int32_t* cell = wx + hmax;
    int16_t* rowsum = patch_sums(cfg, scratch);
    int16_t* colsum = rowsum + (size_t)k * (size_t)h1;
    int16_t* h2state = colsum + (size_t)k * (size_t)h1;
    const size_t h1Bytes = (size_t)h1 * sizeof(int16_t), h2Bytes = (size_t)h2 * sizeof(int16_t);

    for (int pass = 0; pass < 2; ++pass) {
        int16_t* sums = pass == 0 ? rowsum : colsum;
        int16_t* stepTrace = trace ? (pass == 0 ? trace->rnn1_row_steps : trace->rnn1_col_steps) : NULL;
        int32_t first = 0;
        if (known && known[pass]) {
            memcpy(sums, known[pass], (size_t)knownLines * h1Bytes);
            first = knownLines;
        }
        if (pixelWx) {
            /* The lines are independent sequences: step t of every line
             * before step t + 1 of any, so that a core that runs instructions
             * out of order overlaps their dependency chains (the same steps,
             * the same bits). */
            memset(sums + (size_t)first * (size_t)h1, 0, (size_t)(k - first) * h1Bytes);
            for (int32_t t = 0; t < k; ++t)
                for (int32_t line = first; line < k; ++line) {
                    int16_t* h = sums + (size_t)line * (size_t)h1;
                    const int32_t r = pass == 0 ? line : t, c = pass == 0 ? t : line;
                    step(&cfg->rnn1, fast, 0, pixelWx + ((size_t)r * (size_t)k + (size_t)c) * (size_t)h1, h, cell, t == 0);
                    if (stepTrace)
                        memcpy(stepTrace + ((size_t)line * (size_t)k + (size_t)t) * (size_t)h1, h, h1Bytes);
                }
        } else
        for (int32_t line = first; line < k; ++line) {
            int16_t* h = sums + (size_t)line * (size_t)h1;
            memset(h, 0, h1Bytes);
            for (int32_t t = 0; t < k; ++t) {
                const int32_t r = pass == 0 ? line : t, c = pass == 0 ? t : line;
                const int32_t* pre = wx;
                if (pixelWx)
                    pre = pixelWx + ((size_t)r * (size_t)k + (size_t)c) * (size_t)h1;
                else if (fast && fast->rows)
                    rp_fastgrnn_q15_wx_s8_rows(&cfg->rnn1, in + (size_t)r * (size_t)in_w + (size_t)c, plane,
                                               cfg->input_zero_point, wx);
                else
                    rp_fastgrnn_q15_wx_s8(&cfg->rnn1, in + (size_t)r * (size_t)in_w + (size_t)c, plane,
                                          cfg->input_zero_point, wx);
                step(&cfg->rnn1, fast, 0, pre, h, cell, t == 0);
                if (stepTrace)
                    memcpy(stepTrace + ((size_t)line * (size_t)k + (size_t)t) * (size_t)h1, h, h1Bytes);
            }
        }
        if (trace && (pass == 0 ? trace->rowsum : trace->colsum))
            memcpy(pass == 0 ? trace->rowsum : trace->colsum, sums, (size_t)k * h1Bytes);
    }
    /* RNN2. With a shared W and multiplier, both directions project each
     * summary once: the projections of both passes are kept in pixelWx's
     * room, and the four runs advance step by step together, each in its
     * place of `out` (independent chains, as for RNN1). */
    if (shareRnn2Wx && pixelWx && 2 * h2 <= k * h1) {
        const rp_fastgrnn_q15_cell* c2 = &cfg->rnn2_forward;
        for (int pass = 0; pass < 2; ++pass)
            for (int32_t t = 0; t < k; ++t) {
                const int16_t* x = (pass == 0 ? rowsum : colsum) + (size_t)t * (size_t)h1;
                int32_t* proj = pixelWx + ((size_t)pass * (size_t)k + (size_t)t) * (size_t)h2;
                if (fast && RP_PAIRS(fast, 1) && h1 == 16)
                    rp_fastgrnn_q15_wx_q15_16(c2, x, proj);
                else if (fast && fast->rows)
                    rp_fastgrnn_q15_wx_q15_rows(c2, x, proj);
                else
                    rp_fastgrnn_q15_wx_q15(c2, x, proj);
            }
        memset(out, 0, 4u * h2Bytes);
        for (int32_t t = 0; t < k; ++t)
            for (int run = 0; run < 4; ++run) {
                const int backward = run & 1;
                const int32_t idx = backward ? k - 1 - t : t;
                int16_t* state = out + (size_t)run * (size_t)h2;
                step(backward ? &cfg->rnn2_backward : &cfg->rnn2_forward, fast, backward ? 2 : 1,
                     pixelWx + ((size_t)(run >> 1) * (size_t)k + (size_t)idx) * (size_t)h2, state, cell, t == 0);
                if (trace && trace->rnn2_steps)
                    memcpy(trace->rnn2_steps + ((size_t)run * (size_t)k + (size_t)t) * (size_t)h2, state, h2Bytes);
            }
        return;
    }
    for (int run = 0; run < 4; ++run) {
        const int backward = run & 1;
        const rp_fastgrnn_q15_cell* c2 = backward ? &cfg->rnn2_backward : &cfg->rnn2_forward;
        const int16_t* sums = run < 2 ? rowsum : colsum;
        int16_t* steps = trace && trace->rnn2_steps ? trace->rnn2_steps + (size_t)run * (size_t)k * (size_t)h2 : NULL;
        int32_t* shared = shareRnn2Wx ? pixelWx : NULL;
        if (shared && !backward)
            for (int32_t t = 0; t < k; ++t) {
                if (fast && RP_PAIRS(fast, 1) && h1 == 16)
                    rp_fastgrnn_q15_wx_q15_16(c2, sums + (size_t)t * (size_t)h1, shared + (size_t)t * (size_t)h2);
                else if (fast && fast->rows)
                    rp_fastgrnn_q15_wx_q15_rows(c2, sums + (size_t)t * (size_t)h1, shared + (size_t)t * (size_t)h2);
                else
                    rp_fastgrnn_q15_wx_q15(c2, sums + (size_t)t * (size_t)h1, shared + (size_t)t * (size_t)h2);
            }
        memset(h2state, 0, h2Bytes);
        for (int32_t t = 0; t < k; ++t) {
            const int32_t idx = backward ? k - 1 - t : t;
            const int32_t* pre = wx;
            if (shared)
                pre = shared + (size_t)idx * (size_t)h2;
            else if (fast && RP_PAIRS(fast, backward ? 2 : 1) && h1 == 16)
                rp_fastgrnn_q15_wx_q15_16(c2, sums + (size_t)idx * (size_t)h1, wx);
            else if (fast && fast->rows)
                rp_fastgrnn_q15_wx_q15_rows(c2, sums + (size_t)idx * (size_t)h1, wx);
            else
                rp_fastgrnn_q15_wx_q15(c2, sums + (size_t)idx * (size_t)h1, wx);
            step(c2, fast, backward ? 2 : 1, pre, h2state, cell, t == 0);
            if (steps)
                memcpy(steps + (size_t)t * (size_t)h2, h2state, h2Bytes);
        }
        memcpy(out + (size_t)run * (size_t)h2, h2state, h2Bytes);
    }
}

int rp_rnnpool_s8q15_patch(const rp_rnnpool_s8q15_config* cfg, const int8_t* in, int32_t in_w, int32_t plane,
                           int16_t* out, void* scratch, rp_rnnpool_q15_trace* trace)
{
    if (!cfg || !in || !out || !scratch || in_w < cfg->patch || plane < in_w)
        return RP_Q15_EARG;
    run_patch(cfg, NULL, in, in_w, plane, out, scratch, trace, 0, NULL, NULL, 0);
    return RP_Q15_OK;
}

size_t rp_rnnpool_s8q15_patch_fast_scratch_bytes(const rp_rnnpool_s8q15_config* cfg)
{
    const int32_t hmax = max32(cfg->rnn1.hidden_dims, cfg->rnn2_forward.hidden_dims);
    return patch_scratch(cfg) + 8u + rp_fastgrnn_q15_t_scratch_bytes(hmax);
}

int rp_rnnpool_s8q15_patch_fast(const rp_rnnpool_s8q15_config* cfg, const int8_t* in, int32_t in_w, int32_t plane,
                                int16_t* out, void* scratch)
{
    if (!cfg || !in || !out || !scratch || in_w < cfg->patch || plane < in_w)
        return RP_Q15_EARG;
#if RP_MAP_ROWS
    /* The row-major cells read the weights as stored; only their int64 sums need room. */
    uint8_t* cellBase = (uint8_t*)scratch + patch_scratch(cfg);
    cellBase += (8u - (uintptr_t)cellBase % 8u) % 8u;
    fast_weights fast;
    memset(&fast, 0, sizeof fast);
    fast.cell = cellBase;
    fast.rows = 1;
    fast.sat[0] = rp_fastgrnn_q15_rows_sat_usable(&cfg->rnn1);
    fast.sat[1] = rp_fastgrnn_q15_rows_sat_usable(&cfg->rnn2_forward);
    fast.sat[2] = rp_fastgrnn_q15_rows_sat_usable(&cfg->rnn2_backward);
    run_patch(cfg, NULL, in, in_w, plane, out, scratch, NULL, 0, &fast, NULL, 0);
#else
    run_patch(cfg, NULL, in, in_w, plane, out, scratch, NULL, 0, NULL, NULL, 0);
#endif
    return RP_Q15_OK;
}

/* The map kernel's working state: pointers into its scratch. */
typedef struct map_state {
    fast_weights fast;
    int32_t* pixelWx;
    int16_t* patchOut;
    int16_t* wt1;
    int16_t* rowCache;
    int16_t* colCache;
    int share;
} map_state;

/* Lays out the scratch and writes the transposed weights into it; the row
 * summaries kept for the patch row below (rowCache) are not touched. */
static void map_prepare(const rp_rnnpool_s8q15_config* cfg, int32_t in_w, void* scratch, map_state* st)
{
    const int32_t k = cfg->patch, h1 = cfg->rnn1.hidden_dims, h2 = cfg->rnn2_forward.hidden_dims;
    const map_layout l = layout_of(cfg, in_w);
    uint8_t* base = (uint8_t*)scratch;
    st->pixelWx = (int32_t*)(void*)(base + l.pixelWx);
    st->patchOut = (int16_t*)(void*)(base + l.patchOut);
    int16_t* ut1 = (int16_t*)(void*)(base + l.ut1);
    int16_t* ut2f = (int16_t*)(void*)(base + l.ut2f);
    int16_t* ut2b = (int16_t*)(void*)(base + l.ut2b);
    st->wt1 = (int16_t*)(void*)(base + l.wt1);
    uint8_t* cellBase = base + l.cell;
    cellBase += (8u - (uintptr_t)cellBase % 8u) % 8u;
#if RP_MAP_PAIRS
    /* x86 with AVX2 takes the vector step where its bounds hold (int8 input
     * to RNN1, int16 summaries to RNN2); otherwise the transposed weights. */
    const rp_fastgrnn_q15_cell* cells[3] = {&cfg->rnn1, &cfg->rnn2_forward, &cfg->rnn2_backward};
    int16_t* uts[3] = {ut1, ut2f, ut2b};
    const fast_weights fast = {{ut1, ut2f, ut2b}, cellBase, RP_MAP_ROWS, {0, 0, 0}, {0, 0, 0}};
    st->fast = fast;
    for (int i = 0; i < 3; ++i) {
        st->fast.pairs[i] = rp_fastgrnn_q15_pairs16_usable(cells[i], i == 0 ? 255 : 32768);
        if (st->fast.pairs[i])
            rp_fastgrnn_q15_pairs16_layout(cells[i]->U, uts[i]);
        else
            transpose16(cells[i]->U, cells[i]->hidden_dims, cells[i]->hidden_dims, uts[i]);
    }
#else
    transpose16(cfg->rnn1.U, h1, h1, ut1);
    transpose16(cfg->rnn2_forward.U, h2, h2, ut2f);
    transpose16(cfg->rnn2_backward.U, h2, h2, ut2b);
    const fast_weights fast = {{ut1, ut2f, ut2b}, cellBase, RP_MAP_ROWS, {0, 0, 0}};
    st->fast = fast;
#endif
    if (RP_MAP_ROWS) {
        st->fast.sat[0] = rp_fastgrnn_q15_rows_sat_usable(&cfg->rnn1);
        st->fast.sat[1] = rp_fastgrnn_q15_rows_sat_usable(&cfg->rnn2_forward);
        st->fast.sat[2] = rp_fastgrnn_q15_rows_sat_usable(&cfg->rnn2_backward);
    }
    transpose16(cfg->rnn1.W, h1, cfg->channels, st->wt1);
    /* The shared RNN2 projections (k * h2 int32) reuse pixelWx's room once RNN1 is done. */
    st->share = cfg->rnn2_forward.W == cfg->rnn2_backward.W && cfg->rnn2_forward.wx.mult == cfg->rnn2_backward.wx.mult &&
                cfg->rnn2_forward.wx.shift == cfg->rnn2_backward.wx.shift && h2 <= k * h1;
    st->rowCache = (int16_t*)(void*)(base + l.rowCache);
    st->colCache = (int16_t*)(void*)(base + l.colCache);
}

/* Patch row pr (gw patches) whose top rows start at `rows` (CHW, row pitch
 * in_w, channel pitch plane); value o of patch pc goes to
 * out[pc * patchStride + o * channelStride]. Row pr > 0 reads the row
 * summaries row pr - 1 left in rowCache. */
static void map_patch_row(const rp_rnnpool_s8q15_config* cfg, const map_state* st, const int8_t* rows, int32_t in_w,
                          int32_t plane, int32_t pr, int32_t gw, const rp_rnnpool_s8_channel_quant* quant, int8_t* out,
                          size_t patchStride, size_t channelStride, void* scratch)
{
    const int32_t k = cfg->patch, h1 = cfg->rnn1.hidden_dims, h2 = cfg->rnn2_forward.hidden_dims;
    const int32_t shared = shared_lines(cfg), fresh = k - shared;
    const size_t sharedBytes = (size_t)shared * (size_t)h1 * sizeof(int16_t);
    const int16_t* rowsum = patch_sums(cfg, scratch);
    const int16_t* colsum = rowsum + (size_t)k * (size_t)h1;
    int32_t* pixelWx = st->pixelWx;
    for (int32_t pc = 0; pc < gw; ++pc) {
        const int8_t* origin = rows + (size_t)(pc * cfg->stride);
        int16_t* rowsKept = st->rowCache + (size_t)pc * (size_t)shared * (size_t)h1;
        const int16_t* known[2] = {shared > 0 && pr > 0 ? rowsKept : NULL, shared > 0 && pc > 0 ? st->colCache : NULL};
        for (int32_t r = 0; r < k; ++r)
            for (int32_t c = 0; c < k; ++c) {
                /* A pixel both of whose sweeps are known is not visited. */
                if (known[0] && known[1] && r < shared && c < shared)
                    continue;
                const int8_t* px = origin + (size_t)r * (size_t)in_w + (size_t)c;
                int32_t* wx = pixelWx + ((size_t)r * (size_t)k + (size_t)c) * (size_t)h1;
                if (RP_MAP_ROWS)
                    rp_fastgrnn_q15_wx_s8_rows(&cfg->rnn1, px, plane, cfg->input_zero_point, wx);
                else if (RP_PAIRS(&st->fast, 0))
                    rp_fastgrnn_q15_wx_s8_16(&cfg->rnn1, st->wt1, px, plane, cfg->input_zero_point, wx);
                else
                    rp_fastgrnn_q15_wx_s8_t(&cfg->rnn1, st->wt1, px, plane, cfg->input_zero_point, wx);
            }
        run_patch(cfg, pixelWx, origin, in_w, plane, st->patchOut, scratch, NULL, st->share, &st->fast, known, shared);
        /* The last `shared` rows serve the patch below, the last columns the next patch. */
        if (shared > 0) {
            memcpy(rowsKept, rowsum + (size_t)fresh * (size_t)h1, sharedBytes);
            memcpy(st->colCache, colsum + (size_t)fresh * (size_t)h1, sharedBytes);
        }
        int8_t* o8 = out + (size_t)pc * patchStride;
        for (int32_t o = 0; o < 4 * h2; ++o)
            o8[(size_t)o * channelStride] =
                quant ? rp_output_s8(st->patchOut[o], quant->multiplier[o], quant->shift[o], quant->zero_point[o], -128, 127)
                      : rp_rnnpool_s8q15_requant(cfg, st->patchOut[o]);
    }
}

static int map_impl(const rp_rnnpool_s8q15_config* cfg, const int8_t* in, int32_t in_h, int32_t in_w,
                    const rp_rnnpool_s8_channel_quant* quant, int8_t* out, void* scratch)
{
    if (!cfg || !in || !out || !scratch)
        return RP_Q15_EARG;
    if (quant && (!quant->multiplier || !quant->shift || !quant->zero_point))
        return RP_Q15_EARG;
    const int32_t gh = rp_rnnpool_s8q15_grid(cfg, in_h), gw = rp_rnnpool_s8q15_grid(cfg, in_w);
    if (gh <= 0 || gw <= 0)
        return RP_Q15_EARG;
    const int32_t h2 = cfg->rnn2_forward.hidden_dims;
    const int32_t oh = gh + cfg->pad_bottom_right, ow = gw + cfg->pad_bottom_right, plane = in_h * in_w;
    map_state st;
    map_prepare(cfg, in_w, scratch, &st);
    const size_t outPlane = (size_t)oh * (size_t)ow;
    for (int32_t pr = 0; pr < gh; ++pr)
        map_patch_row(cfg, &st, in + (size_t)(pr * cfg->stride) * (size_t)in_w, in_w, plane, pr, gw, quant,
                      out + (size_t)pr * (size_t)ow, 1, outPlane, scratch);
    /* EdgeML's replicate padding of the bottom rows and right columns. */
    for (int32_t o = 0; o < 4 * h2; ++o) {
        int8_t* p = out + (size_t)o * outPlane;
        for (int32_t y = 0; y < gh; ++y)
            for (int32_t x = gw; x < ow; ++x)
                p[(size_t)y * (size_t)ow + (size_t)x] = p[(size_t)y * (size_t)ow + (size_t)(gw - 1)];
        for (int32_t y = gh; y < oh; ++y)
            memcpy(p + (size_t)y * (size_t)ow, p + (size_t)(gh - 1) * (size_t)ow, (size_t)ow);
    }
    return RP_Q15_OK;
}

int rp_rnnpool_s8q15_band(const rp_rnnpool_s8q15_config* cfg, const int8_t* band, int32_t in_w, int32_t pr,
                          const rp_rnnpool_s8_channel_quant* quant, int8_t* out, int32_t patch_stride,
                          int32_t channel_stride, void* scratch)
{
    if (!cfg || !band || !out || !scratch || pr < 0 || patch_stride < 0 || channel_stride < 0)
        return RP_Q15_EARG;
    if (quant && (!quant->multiplier || !quant->shift || !quant->zero_point))
        return RP_Q15_EARG;
    const int32_t gw = rp_rnnpool_s8q15_grid(cfg, in_w);
    if (gw <= 0)
        return RP_Q15_EARG;
    map_state st;
    map_prepare(cfg, in_w, scratch, &st);
    map_patch_row(cfg, &st, band, in_w, cfg->patch * in_w, pr, gw, quant, out, (size_t)patch_stride,
                  (size_t)channel_stride, scratch);
    return RP_Q15_OK;
}

int rp_rnnpool_s8q15_map(const rp_rnnpool_s8q15_config* cfg, const int8_t* in, int32_t in_h, int32_t in_w,
                         int8_t* out, void* scratch)
{
    return map_impl(cfg, in, in_h, in_w, NULL, out, scratch);
}

int rp_rnnpool_s8q15_map_channels(const rp_rnnpool_s8q15_config* cfg, const int8_t* in, int32_t in_h, int32_t in_w,
                                  const rp_rnnpool_s8_channel_quant* quant, int8_t* out, void* scratch)
{
    if (!quant)
        return RP_Q15_EARG;
    return map_impl(cfg, in, in_h, in_w, quant, out, scratch);
}
