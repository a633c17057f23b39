/* q15_selftest: the fused EdgeML-compatible RNNPool block against the
 * whole-vector scalar reference on random weights, scales and inputs, in plain
 * C with no library beyond <stdint.h>/<string.h>, so that the same check runs
 * where the kernels take another path: on a Cortex-M4 (the __ARM_FEATURE_DSP
 * SMLALD dot products) and on the host under -fsanitize=undefined.
 *
 *   int mismatches = rp_q15_selftest(300, &checksum);   // 0 when all bits agree
 *
 * The checksum (over every output) lets two platforms compare their results.
 * rp_q15_selftest_s8 does the same for our int8-map operator: the map kernel
 * (transposed weights) against the per-patch reference, requantised.
 */
#include <stdint.h>
#include <string.h>

#include "integer/fastgrnn_q15_ref.h"
#include "integer/rnnpool_q15.h"

int rp_q15_selftest(int iterations, uint32_t* checksum);
int rp_q15_selftest_s8(int iterations, uint32_t* checksum);

static uint32_t g_state = 12345u;

static uint32_t next_u32(void)
{
    g_state = g_state * 1664525u + 1013904223u;
    return g_state;
}

static int32_t range(int32_t lo, int32_t hi)
{
    return lo + (int32_t)((next_u32() >> 8) % (uint32_t)(hi - lo + 1));
}

static void fill16(int16_t* v, int32_t n, int32_t lo, int32_t hi)
{
    for (int32_t i = 0; i < n; ++i)
        v[i] = (int16_t)range(lo, hi);
}

static void random_scales(rp_edgeml_fastgrnn_scales* s, rp_scale_mode mode)
{
    int32_t f[RP_EDGEML_SCALE_FIELDS];
    static const int32_t kDivisors[] = {1, 1, 2, 4, 8, 16, 3, 5, 7, 100};
    for (int i = 0; i < RP_EDGEML_SCALE_FIELDS; ++i)
        f[i] = mode == RP_SCALE_SHIFT ? range(0, 8) : kDivisors[range(0, 9)];
    rp_edgeml_scales_from_fields(s, f, mode);
    s->w = mode == RP_SCALE_DIV ? 256 : 6;
    s->u = mode == RP_SCALE_DIV ? 128 : 7;
    s->sigmoidScaleIn = range(8, 13);
    s->sigmoidScaleOut = s->sigmoidScaleIn + range(-1, 2);
    s->tanhScaleIn = range(8, 13);
    s->tanhScaleOut = s->tanhScaleIn + range(-1, 2);
    s->div = range(1, 3) * (range(0, 3) == 0 ? -1 : 1);
    s->add = 1 << (s->sigmoidScaleIn - 1);
    s->sigmoidLimit = 1 << s->sigmoidScaleIn;
    s->qOne = 16384;
    s->useTableSigmoid = s->useTableTanH = 0;
}

#define MAXD 9
#define MAXH 12

int rp_q15_selftest(int iterations, uint32_t* checksum)
{
    static int16_t w1[MAXH * MAXD], u1[MAXH * MAXH], bg1[MAXH], bh1[MAXH];
    static int16_t w2[MAXH * MAXH], u2[MAXH * MAXH], bg2[MAXH], bh2[MAXH];
    static int16_t in16[MAXD * (MAXD + 2) * MAXD];
    static int8_t in8[MAXD * (MAXD + 2) * MAXD];
    static uint32_t scratchA[1024], scratchB[2048];
    int mismatches = 0;
    uint32_t sum = 0;
    for (int iter = 0; iter < iterations; ++iter) {
        const rp_scale_mode mode = iter % 2 ? RP_SCALE_SHIFT : RP_SCALE_DIV;
        const int32_t ch = range(1, MAXD), h1 = range(1, MAXH), h2 = range(1, MAXH);
        rp_edgeml_rnnpool_config cfg;
        memset(&cfg, 0, sizeof cfg);
        fill16(w1, h1 * ch, -32768, 32767);
        fill16(u1, h1 * h1, -32768, 32767);
        fill16(bg1, h1, -32768, 32767);
        fill16(bh1, h1, -32768, 32767);
        fill16(w2, h2 * h1, -32768, 32767);
        fill16(u2, h2 * h2, -32768, 32767);
        fill16(bg2, h2, -32768, 32767);
        fill16(bh2, h2, -32768, 32767);
        cfg.rnn1 = (rp_edgeml_fastgrnn_params){w1, u1, bg1, bh1, (int16_t)range(0, 32767), (int16_t)range(0, 32767), ch, h1};
        cfg.rnn2 = (rp_edgeml_fastgrnn_params){w2, u2, bg2, bh2, (int16_t)range(0, 32767), (int16_t)range(0, 32767), h1, h2};
        random_scales(&cfg.rnn1_scales, mode);
        random_scales(&cfg.rnn2_scales, mode);
        cfg.patch_rows = range(1, MAXD);
        cfg.patch_cols = range(1, MAXD);
        cfg.block = (rp_edgeml_block_scales){mode == RP_SCALE_DIV ? range(1, 4) : range(0, 3), range(0, 2),
                                             mode == RP_SCALE_DIV ? range(1, 4) : range(0, 3), range(0, 2), mode};
        if (rp_edgeml_rnnpool_check(&cfg) != RP_Q15_OK || rp_edgeml_rnnpool_scratch_bytes(&cfg) > sizeof scratchA ||
            rp_edgeml_rnnpool_ref_scratch_bytes(&cfg) > sizeof scratchB) {
            ++mismatches;
            continue;
        }
        const int32_t pitch = cfg.patch_cols + range(0, 2), n = cfg.patch_rows * pitch * ch;
        const int q7 = iter % 4 >= 2;
        fill16(in16, n, q7 ? -128 : -32768, q7 ? 127 : 32767);
        for (int32_t i = 0; i < n; ++i)
            in8[i] = (int8_t)in16[i];
        int16_t outA[4 * MAXH], outB[4 * MAXH];
        if (q7) {
            rp_edgeml_rnnpool_q7xq15(&cfg, in8, pitch, outA, scratchA, NULL);
            rp_edgeml_rnnpool_q7xq15_ref(&cfg, in8, pitch, outB, scratchB, NULL);
        } else {
            rp_edgeml_rnnpool_q15(&cfg, in16, pitch, outA, scratchA, NULL);
            rp_edgeml_rnnpool_q15_ref(&cfg, in16, pitch, outB, scratchB, NULL);
        }
        if (memcmp(outA, outB, (size_t)(4 * h2) * sizeof(int16_t)) != 0)
            ++mismatches;
        for (int32_t i = 0; i < 4 * h2; ++i)
            sum = sum * 31u + (uint16_t)outA[i];
    }
    *checksum = sum;
    return mismatches;
}

static rp_q15_multiplier random_multiplier(int32_t lo_shift, int32_t hi_shift)
{
    rp_q15_multiplier m;
    m.mult = (int32_t)((1u << 30) + (next_u32() >> 2));
    m.shift = range(lo_shift, hi_shift);
    return m;
}

static rp_fastgrnn_q15_cell random_cell(int16_t* W, int16_t* U, int32_t* bg, int32_t* bh, int32_t in, int32_t hidden)
{
    fill16(W, hidden * in, -20000, 20000);
    fill16(U, hidden * hidden, -20000, 20000);
    for (int32_t i = 0; i < hidden; ++i) {
        bg[i] = range(-30000, 30000);
        bh[i] = range(-30000, 30000);
    }
    rp_fastgrnn_q15_cell c;
    c.W = W;
    c.U = U;
    c.bias_gate = bg;
    c.bias_update = bh;
    c.zeta_q15 = (int16_t)range(0, 32767);
    c.nu_q15 = (int16_t)range(0, 32767);
    c.input_dims = in;
    c.hidden_dims = hidden;
    c.h_frac_bits = range(8, 15);
    c.wx = random_multiplier(36, 50);
    c.uh = random_multiplier(40, 48);
    return c;
}

int rp_q15_selftest_s8(int iterations, uint32_t* checksum)
{
    static int16_t w[3][MAXH * MAXH], u[3][MAXH * MAXH];
    static int32_t bg[3][MAXH], bh[3][MAXH];
    static int8_t in[6 * 20 * 20], out[4 * MAXH * 21 * 21], ref[4 * MAXH * 21 * 21];
    static uint32_t scratch[4096], patchScratch[1024];
    int mismatches = 0;
    uint32_t sum = 0;
    for (int iter = 0; iter < iterations; ++iter) {
        rp_rnnpool_s8q15_config cfg;
        memset(&cfg, 0, sizeof cfg);
        const int32_t ch = range(1, 6), h1 = range(1, MAXH), h2 = range(1, MAXH), k = range(2, 8);
        cfg.rnn1 = random_cell(w[0], u[0], bg[0], bh[0], ch, h1);
        cfg.rnn2_forward = random_cell(w[1], u[1], bg[1], bh[1], h1, h2);
        cfg.rnn2_backward = iter % 2 ? random_cell(w[2], u[2], bg[2], bh[2], h1, h2) : cfg.rnn2_forward;
        cfg.rnn2_backward.h_frac_bits = cfg.rnn2_forward.h_frac_bits;
        cfg.channels = ch;
        cfg.patch = k;
        cfg.stride = range(1, k);
        cfg.pad_bottom_right = range(0, 1);
        cfg.input_zero_point = range(-128, 127);
        cfg.out = random_multiplier(36, 40);
        cfg.output_zero_point = range(-128, 127);
        const int32_t hgt = k + range(0, 12), wid = k + range(0, 12);
        if (rp_rnnpool_s8q15_check(&cfg) != RP_Q15_OK || rp_rnnpool_s8q15_map_scratch_bytes(&cfg, wid) > sizeof scratch ||
            rp_rnnpool_s8q15_patch_scratch_bytes(&cfg) > sizeof patchScratch) {
            ++mismatches;
            continue;
        }
        for (int32_t i = 0; i < ch * hgt * wid; ++i)
            in[i] = (int8_t)range(-128, 127);
        const int32_t gh = rp_rnnpool_s8q15_grid(&cfg, hgt), gw = rp_rnnpool_s8q15_grid(&cfg, wid);
        const int32_t oh = gh + cfg.pad_bottom_right, ow = gw + cfg.pad_bottom_right;
        rp_rnnpool_s8q15_map(&cfg, in, hgt, wid, out, scratch);
        int16_t patch[4 * MAXH];
        for (int32_t y = 0; y < oh; ++y)
            for (int32_t x = 0; x < ow; ++x) {
                const int32_t py = y < gh ? y : gh - 1, px = x < gw ? x : gw - 1;
                rp_rnnpool_s8q15_patch(&cfg, in + py * cfg.stride * wid + px * cfg.stride, wid, hgt * wid, patch,
                                       patchScratch, NULL);
                for (int32_t o = 0; o < 4 * h2; ++o)
                    ref[(o * oh + y) * ow + x] = rp_rnnpool_s8q15_requant(&cfg, patch[o]);
            }
        const int32_t total = 4 * h2 * oh * ow;
        if (memcmp(out, ref, (size_t)total) != 0)
            ++mismatches;
        for (int32_t i = 0; i < total; ++i)
            sum = sum * 31u + (uint8_t)out[i];
    }
    *checksum = sum;
    return mismatches;
}

#ifdef RP_Q15_SELFTEST_MAIN
#include <stdio.h>
int main(void)
{
    uint32_t checksum = 0;
    const int bad = rp_q15_selftest(2000, &checksum);
    printf("q15 selftest: %d mismatches in 2000 blocks, checksum %08x\n", bad, (unsigned)checksum);
    uint32_t checksum8 = 0;
    const int bad8 = rp_q15_selftest_s8(300, &checksum8);
    printf("s8q15 selftest: %d mismatches in 300 maps, checksum %08x\n", bad8, (unsigned)checksum8);
    return bad != 0 || bad8 != 0;
}
#endif
