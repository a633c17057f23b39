/* model_run: the generated int8 network on the emulated Cortex-M4.
 *
 * Reads the quantised picture (input.bin, HWC int8) into the arena, runs
 * rp_model_run, and after every layer records its SysTick ticks
 * (layer<i>_ticks; the file I/O of the hook is outside the count) and writes
 * the detection heads' maps back to the host (layer<i>.bin).
 */
#include "rnnpool_model.h"
#include "rp_fw.h"

static int8_t g_arena[RP_MODEL_ARENA_BYTES] __attribute__((aligned(4)));
static uint32_t g_scratch[(RP_MODEL_SCRATCH_BYTES + 3) / 4];
static uint64_t g_mark;

static void after_layer(int layer, const int8_t* output, int32_t bytes)
{
    const uint64_t now = rp_ticks();
    char name[40];
    rp_compose(name, "layer", layer, "_ticks");
    rp_result_u64(name, now - g_mark);
    if (rp_model_layer_is_output[layer]) {
        rp_compose(name, "layer", layer, ".bin");
        (void)rp_write_file(name, output, (uint32_t)bytes);
    }
    g_mark = rp_ticks();
}

int main(void)
{
    if (rp_read_file("input.bin", g_arena + RP_MODEL_INPUT_OFFSET, RP_MODEL_INPUT_BYTES) != RP_MODEL_INPUT_BYTES) {
        rp_result_text("error", "input.bin");
        return 30;
    }
    rp_ticks_start();
    g_mark = rp_ticks();
    rp_model_run(g_arena, g_scratch, after_layer);
    rp_result_u64("stack_high_water", rp_stack_high_water());
    return 0;
}
