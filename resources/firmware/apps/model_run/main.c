/* model_run: the generated int8 network on the emulated Cortex-M4.
 *
 * Gives the network the quantised picture (input.bin, HWC int8) row by row, as
 * a camera's DMA would, read through semihosting when the network asks for a
 * row; after every layer records its SysTick ticks (layer<i>_ticks; the file
 * I/O of the hook is outside the count, the few instructions that ask the host
 * for a row are inside it under a streamed schedule) and writes the detection
 * heads' maps back to the host (layer<i>.bin). Under linebuffer
 * (RP_MODEL_HOOK_EVERY_ROW) the hook comes after every row a layer makes: its
 * ticks are added up and reported after the run, and the heads are written
 * when the hook is given them, once, whole.
 */
#include <string.h>

#include "rnnpool_model.h"
#include "rp_fw.h"

static int8_t g_arena[RP_MODEL_ARENA_BYTES] __attribute__((aligned(4)));
static uint32_t g_scratch[(RP_MODEL_SCRATCH_BYTES + 3) / 4];
static uint64_t g_mark;
static int g_missing_row = -1;

static void next_row(int32_t y, int8_t* dst)
{
    if (rp_read_file_at("input.bin", (uint32_t)y * RP_MODEL_INPUT_ROW_BYTES, dst, RP_MODEL_INPUT_ROW_BYTES) != 0 &&
        g_missing_row < 0)
        g_missing_row = (int)y;
}

#ifdef RP_MODEL_HOOK_EVERY_ROW
/* The measurement's bookkeeping, in CCM (not zeroed at reset: cleared before each run), so that the
 * SRAM figure is the network's and the firmware's own. */
static uint64_t g_ticks[RP_MODEL_LAYERS] __attribute__((section(".ccm"), aligned(8)));
static uint8_t g_ran[RP_MODEL_LAYERS] __attribute__((section(".ccm")));

static void report_layer_ticks(void)
{
    char name[40];
    for (int layer = 0; layer < RP_MODEL_LAYERS; ++layer)
        if (g_ran[layer]) {
            rp_compose(name, "layer", layer, "_ticks");
            rp_result_u64(name, g_ticks[layer]);
        }
}
#endif

static void after_layer(int layer, const int8_t* output, int32_t bytes)
{
    const uint64_t now = rp_ticks();
    char name[40];
    if (layer >= 0) {
#ifdef RP_MODEL_HOOK_EVERY_ROW
        g_ticks[layer] += now - g_mark;
        g_ran[layer] = 1;
        if (output && rp_model_layer_is_output[layer]) {
#else
        rp_compose(name, "layer", layer, "_ticks");
        rp_result_u64(name, now - g_mark);
        if (rp_model_layer_is_output[layer]) {
#endif
            rp_compose(name, "layer", layer, ".bin");
            (void)rp_write_file(name, output, (uint32_t)bytes);
        }
    }
    g_mark = rp_ticks();
}

int main(void)
{
    rp_ticks_start();
#ifdef RP_MODEL_HOOK_EVERY_ROW
    memset(g_ticks, 0, sizeof g_ticks);
    memset(g_ran, 0, sizeof g_ran);
#endif
    g_mark = rp_ticks();
    const int failure = rp_model_failure(g_missing_row, rp_model_run(g_arena, g_scratch, after_layer, next_row));
    if (failure != 0)
        return failure;
#ifdef RP_MODEL_HOOK_EVERY_ROW
    report_layer_ticks();
#endif
    rp_result_u64("stack_high_water", rp_stack_high_water());
    return 0;
}
