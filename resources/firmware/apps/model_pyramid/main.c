/* model_pyramid: the generated int8 network run as an image pyramid on the emulated Cortex-M4.
 *
 * Level 0 takes the picture's rows from the host (input.bin, HWC int8) as model_run does, as a
 * camera's DMA would deliver them, and the whole frame is never held: as each pair of rows
 * arrives, its 2x2 means (rp_halve_s8 on the two rows, the desktop int8 detector's halving) become
 * one row of level 1's picture, kept in CCM (the CPU writes it; no DMA needs to reach it). Level k
 * >= 1 takes its rows from that buffer, which is then halved in place for the next level.
 * Results: L<k>_layer<i>_ticks after every layer (SysTick ticks; the hook's file I/O and the
 * halving of arriving rows are outside the count), the heads' maps as L<k>_layer<i>.bin, and
 * L<k>_halve_ticks, the ticks spent making level k + 1's picture. Under linebuffer
 * (RP_MODEL_HOOK_EVERY_ROW) the hook comes after every row a layer makes: its ticks are added up
 * and reported after the level, and the heads are written when the hook is given them, whole.
 */
#include <string.h>

#include "integer/elementwise_s8.h"
#include "rnnpool_model.h"
#include "rp_fw.h"

#define ROW0_BYTES (RP_MODEL_FRAME_WIDTH * RP_MODEL_CHANNELS)

static int8_t g_arena[RP_MODEL_ARENA_BYTES] __attribute__((aligned(4)));
static uint32_t g_scratch[(RP_MODEL_SCRATCH_BYTES + 3) / 4];
static int8_t g_levels[RP_MODEL_LEVEL_BUFFER_BYTES] __attribute__((section(".ccm"), aligned(4)));
static int8_t g_pair[2 * ROW0_BYTES] __attribute__((section(".ccm"), aligned(4)));
static uint64_t g_mark, g_halving, g_halving_since_mark;
static int g_level;
static int g_missing_row = -1;

static void halve_arriving_row(int32_t y, const int8_t* row)
{
    const uint64_t start = rp_ticks();
    memcpy(g_pair + (y % 2) * ROW0_BYTES, row, ROW0_BYTES);
    if (y % 2 == 1 && y / 2 < rp_model_level_height[1])
        rp_halve_s8(g_pair, 2, RP_MODEL_FRAME_WIDTH, RP_MODEL_CHANNELS,
                    g_levels + (y / 2) * rp_model_level_width[1] * RP_MODEL_CHANNELS);
    const uint64_t spent = rp_ticks() - start;
    g_halving += spent;
    g_halving_since_mark += spent;
}

static void next_row(int32_t y, int8_t* dst)
{
    if (g_level == 0) {
        if (rp_read_file_at("input.bin", (uint32_t)y * ROW0_BYTES, dst, ROW0_BYTES) != 0 && g_missing_row < 0)
            g_missing_row = (int)y;
        halve_arriving_row(y, dst);
        return;
    }
    const int32_t row = rp_model_level_width[g_level] * RP_MODEL_CHANNELS;
    memcpy(dst, g_levels + y * row, (size_t)row);
}

#ifdef RP_MODEL_HOOK_EVERY_ROW
/* The measurement's bookkeeping, in CCM (not zeroed at reset: cleared before each run), so that the
 * SRAM figure is the network's and the firmware's own. */
static uint64_t g_ticks[RP_MODEL_LAYERS] __attribute__((section(".ccm"), aligned(8)));
static uint8_t g_ran[RP_MODEL_LAYERS] __attribute__((section(".ccm")));

static void report_layer_ticks(void)
{
    char level[40], name[40];
    rp_compose(level, "L", g_level, "_layer");
    for (int layer = 0; layer < RP_MODEL_LAYERS; ++layer)
        if (g_ran[layer]) {
            rp_compose(name, level, layer, "_ticks");
            rp_result_u64(name, g_ticks[layer]);
        }
    memset(g_ticks, 0, sizeof g_ticks);
    memset(g_ran, 0, sizeof g_ran);
}
#endif

static void after_layer(int layer, const int8_t* output, int32_t bytes)
{
    const uint64_t now = rp_ticks();
    char level[40], name[40];
    if (layer >= 0) {
        rp_compose(level, "L", g_level, "_layer");
#ifdef RP_MODEL_HOOK_EVERY_ROW
        g_ticks[layer] += now - g_mark - g_halving_since_mark;
        g_ran[layer] = 1;
        if (output && rp_model_layer_is_output[layer]) {
#else
        rp_compose(name, level, layer, "_ticks");
        rp_result_u64(name, now - g_mark - g_halving_since_mark);
        if (rp_model_layer_is_output[layer]) {
#endif
            rp_compose(name, level, layer, ".bin");
            (void)rp_write_file(name, output, (uint32_t)bytes);
        }
    }
    g_halving_since_mark = 0;
    g_mark = rp_ticks();
}

int main(void)
{
    char name[40];
    rp_ticks_start();
#ifdef RP_MODEL_HOOK_EVERY_ROW
    memset(g_ticks, 0, sizeof g_ticks);
    memset(g_ran, 0, sizeof g_ran);
#endif
    for (g_level = 0; g_level < RP_MODEL_PYRAMID_LEVELS; ++g_level) {
        g_mark = rp_ticks();
        g_halving = g_halving_since_mark = 0;
        const int failure =
            rp_model_failure(g_missing_row, rp_model_levels[g_level](g_arena, g_scratch, after_layer, next_row));
        if (failure != 0) {
            rp_result_i64("failed_at_level", g_level);
            return failure;
        }
#ifdef RP_MODEL_HOOK_EVERY_ROW
        report_layer_ticks();
#endif
        if (g_level >= 1 && g_level + 1 < RP_MODEL_PYRAMID_LEVELS) {
            const uint64_t start = rp_ticks();
            rp_halve_s8(g_levels, rp_model_level_height[g_level], rp_model_level_width[g_level], RP_MODEL_CHANNELS,
                        g_levels);
            g_halving = rp_ticks() - start;
        }
        if (g_level + 1 < RP_MODEL_PYRAMID_LEVELS) {
            rp_compose(name, "L", g_level, "_halve_ticks");
            rp_result_u64(name, g_halving);
        }
    }
    rp_result_u64("stack_high_water", rp_stack_high_water());
    return 0;
}
