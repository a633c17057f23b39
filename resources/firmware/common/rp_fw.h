/* rp_fw.h: the board services the RNNPool firmware uses, the same on every board.
 *
 *   rp_ticks_start();
 *   run_model();
 *   uint64_t t = rp_ticks();                 // SysTick ticks of the core clock since start
 *   rp_result_u64("instructions_ticks", t);  // one "key value" line in the host's results file
 *   rp_write_file("out.bin", buf, n);        // a file in the directory QEMU runs in
 *
 * File and result I/O go through ARM semihosting (a debugger or QEMU answers the
 * `bkpt 0xab` calls); on a board without a debugger attached, leave them out.
 * No heap: nothing here allocates.
 */
#ifndef RP_FW_H
#define RP_FW_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Core clock of the SysTick count, in Hz (the board's Makefile sets it). */
#ifndef RP_CORE_CLOCK_HZ
#define RP_CORE_CLOCK_HZ 168000000u
#endif

/* ---- time ---- */
/* Restarts the SysTick count at zero (24-bit reload, wraps counted in the handler). */
void rp_ticks_start(void);
/* Ticks of the core clock since rp_ticks_start. Under QEMU -icount shift=0 one
 * instruction is one nanosecond, so instructions = ticks * 1e9 / RP_CORE_CLOCK_HZ:
 * an instruction count, not a cycle count. */
uint64_t rp_ticks(void);

/* ---- stack ---- */
/* Bytes of the stack ever used since reset (the reset handler painted it). */
uint32_t rp_stack_high_water(void);
/* Bytes reserved for the stack (from the linker script). */
uint32_t rp_stack_size(void);

/* ---- semihosting I/O ---- */
/* Reads a whole host file into buf; returns its size, or -1 when it cannot be
 * opened, or -2 when it is larger than capacity. */
int32_t rp_read_file(const char* name, void* buf, uint32_t capacity);
/* Reads size bytes at offset of a host file into buf; 0 on success, -1 when
 * the file cannot be opened or holds fewer bytes there. */
int32_t rp_read_file_at(const char* name, uint32_t offset, void* buf, uint32_t size);
/* Writes size bytes to a host file (created or truncated); 0 on success, -1 on failure. */
int32_t rp_write_file(const char* name, const void* buf, uint32_t size);
/* Text to the host's console. */
void rp_print(const char* text);
/* Appends "key value\n" to the results file (results.txt), which the host reads. */
void rp_result_u64(const char* key, uint64_t value);
void rp_result_i64(const char* key, int64_t value);
void rp_result_text(const char* key, const char* value);
/* Flushes the results file and stops the emulator with this exit status. */
void rp_exit(int status) __attribute__((noreturn));

/* out = prefix + decimal(i) + suffix (i >= 0), for file and result names;
 * out must have room for the three together (40 characters suit every use). */
void rp_compose(char* out, const char* prefix, int i, const char* suffix);

/* A model app's failure as results: a row of input.bin it could not read (missing_row >= 0; exit
 * status 30) or a kernel that refused its arguments (status = 1 + its layer; 31); else 0. */
static inline int rp_model_failure(int missing_row, int status)
{
    if (missing_row >= 0) {
        rp_result_i64("missing_input_row", missing_row);
        rp_result_text("error", "input.bin");
        return 30;
    }
    if (status != 0) {
        rp_result_i64("refused_by_layer", status - 1);
        rp_result_text("error", "a kernel refused its arguments (refused_by_layer)");
        return 31;
    }
    return 0;
}

#ifdef __cplusplus
}
#endif

#endif
