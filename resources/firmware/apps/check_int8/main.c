/* check_int8: the int8 kernels of core/integer on the emulated Cortex-M4.
 *
 * int8_cases.c (generated) holds each case's data as const arrays and one
 * straight-line function that calls the kernel. Each case runs once between
 * two SysTick reads; its output goes back to the host as int8_out_<i>.bin and
 * its ticks as case<i>_ticks, and the host compares the output with the
 * desktop build of the same kernels.
 */
#include "int8_cases.h"
#include "rp_fw.h"

static int8_t g_output[RPK_MAX_OUTPUT];
static uint32_t g_scratch[(RPK_SCRATCH_BYTES + 3) / 4];

int main(void)
{
    char file[40];
    char key[40];
    for (int i = 0; i < RPK_CASE_COUNT; ++i) {
        rp_ticks_start();
        const uint64_t start = rp_ticks();
        rpk_cases[i].run(g_output, g_scratch);
        const uint64_t ticks = rp_ticks() - start;
        rp_compose(key, "case", i, "_ticks");
        rp_result_u64(key, ticks);
        rp_compose(file, "int8_out_", i, ".bin");
        if (rp_write_file(file, g_output, (uint32_t)rpk_cases[i].output_count) != 0)
            return 20;
    }
    rp_result_u64("stack_high_water", rp_stack_high_water());
    return 0;
}
