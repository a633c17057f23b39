/* check_q15: EdgeML's integer RNNPool on the emulated Cortex-M4.
 *
 * Runs rp_edgeml_rnnpool_q15 (int16 patches) and rp_edgeml_rnnpool_q7xq15
 * (int8 patches), from the same core/integer sources as the desktop engine,
 * in both scale modes (division and shift), on the patches the host wrote
 * (input_q15.bin, input_q7.bin: N patches of ROWS x COLS x CHANNELS, channel
 * last). For each of the four cases it writes output_<entry>_<mode>.bin
 * (N x 4*H2 int16, little-endian) and the SysTick ticks spent in the kernel
 * calls; the host compares the outputs with EdgeML's bit for bit.
 * Weights and scales are const arrays (flash) in q15_check_data.c, generated.
 */
#include <string.h>

#include "integer/rnnpool_q15.h"
#include "q15_check_data.h"
#include "rp_fw.h"

#define PATCH_VALUES (RPC_ROWS * RPC_COLS * RPC_CHANNELS)
#define OUT_VALUES (4 * RPC_H2)

static int16_t g_input_q15[RPC_MAX_PATCHES * PATCH_VALUES];
static int8_t g_input_q7[RPC_MAX_PATCHES * PATCH_VALUES];
static int16_t g_output[RPC_MAX_PATCHES * OUT_VALUES];
static uint32_t g_scratch[RPC_SCRATCH_WORDS];

static void make_config(rp_edgeml_rnnpool_config* cfg, int mode_index)
{
    const rp_scale_mode mode = mode_index == 0 ? RP_SCALE_DIV : RP_SCALE_SHIFT;
    memset(cfg, 0, sizeof *cfg);
    cfg->rnn1 = (rp_edgeml_fastgrnn_params){rpc_rnn1_W, rpc_rnn1_U, rpc_rnn1_Bg, rpc_rnn1_Bh, rpc_rnn1_zeta_nu[0],
                                            rpc_rnn1_zeta_nu[1], RPC_CHANNELS, RPC_H1};
    cfg->rnn2 = (rp_edgeml_fastgrnn_params){rpc_rnn2_W, rpc_rnn2_U, rpc_rnn2_Bg, rpc_rnn2_Bh, rpc_rnn2_zeta_nu[0],
                                            rpc_rnn2_zeta_nu[1], RPC_H1, RPC_H2};
    rp_edgeml_scales_from_fields(&cfg->rnn1_scales, rpc_scales_rnn1[mode_index], mode);
    rp_edgeml_scales_from_fields(&cfg->rnn2_scales, rpc_scales_rnn2[mode_index], mode);
    cfg->patch_rows = RPC_ROWS;
    cfg->patch_cols = RPC_COLS;
    cfg->block = (rp_edgeml_block_scales){rpc_scales_block[mode_index][0], rpc_scales_block[mode_index][1],
                                          rpc_scales_block[mode_index][2], rpc_scales_block[mode_index][3], mode};
}

static int run_case(int q7, int mode_index)
{
    static const char* const kModes[2] = {"div", "shift"};
    static const char* const kOutputs[2][2] = {{"output_q15_div.bin", "output_q15_shift.bin"},
                                                {"output_q7_div.bin", "output_q7_shift.bin"}};
    static const char* const kTicks[2][2] = {{"q15_div_ticks", "q15_shift_ticks"}, {"q7_div_ticks", "q7_shift_ticks"}};
    static const char* const kPatches[2][2] = {{"q15_div_patches", "q15_shift_patches"},
                                                {"q7_div_patches", "q7_shift_patches"}};
    rp_edgeml_rnnpool_config cfg;
    make_config(&cfg, mode_index);
    if (rp_edgeml_rnnpool_check(&cfg) != RP_Q15_OK) {
        rp_result_text("error", kModes[mode_index]);
        return 10;
    }
    if (rp_edgeml_rnnpool_scratch_bytes(&cfg) > sizeof g_scratch) {
        rp_result_text("error", "scratch_too_small");
        return 11;
    }
    const int32_t bytes = q7 ? rp_read_file("input_q7.bin", g_input_q7, sizeof g_input_q7)
                             : rp_read_file("input_q15.bin", g_input_q15, sizeof g_input_q15);
    const int32_t value_bytes = q7 ? 1 : 2;
    if (bytes < 0 || bytes % (PATCH_VALUES * value_bytes) != 0) {
        rp_result_text("error", q7 ? "input_q7.bin" : "input_q15.bin");
        return 12;
    }
    const int32_t patches = bytes / (PATCH_VALUES * value_bytes);
    rp_ticks_start();
    const uint64_t start = rp_ticks();
    for (int32_t p = 0; p < patches; ++p) {
        const int status = q7 ? rp_edgeml_rnnpool_q7xq15(&cfg, g_input_q7 + p * PATCH_VALUES, RPC_COLS,
                                                          g_output + p * OUT_VALUES, g_scratch, NULL)
                              : rp_edgeml_rnnpool_q15(&cfg, g_input_q15 + p * PATCH_VALUES, RPC_COLS,
                                                      g_output + p * OUT_VALUES, g_scratch, NULL);
        if (status != RP_Q15_OK)
            return 13;
    }
    const uint64_t ticks = rp_ticks() - start;
    rp_result_u64(kTicks[q7][mode_index], ticks);
    rp_result_u64(kPatches[q7][mode_index], (uint64_t)patches);
    if (rp_write_file(kOutputs[q7][mode_index], g_output, (uint32_t)(patches * OUT_VALUES * 2)) != 0)
        return 14;
    return 0;
}

int main(void)
{
    for (int q7 = 0; q7 < 2; ++q7)
        for (int mode = 0; mode < 2; ++mode) {
            const int status = run_case(q7, mode);
            if (status != 0)
                return status;
        }
    rp_result_u64("stack_high_water", rp_stack_high_water());
    return 0;
}
