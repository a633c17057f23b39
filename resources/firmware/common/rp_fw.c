/* rp_fw.c: SysTick time, semihosting file I/O and the results file (see rp_fw.h).
 *
 * Semihosting: r0 = operation, r1 = address of the argument block, then `bkpt 0xab`;
 * the debugger (here QEMU with -semihosting-config enable=on) answers in r0.
 */
#include "rp_fw.h"

#include <stddef.h>

enum {
    kSysOpen = 0x01,
    kSysClose = 0x02,
    kSysWrite0 = 0x04,
    kSysWrite = 0x05,
    kSysRead = 0x06,
    kSysSeek = 0x0A,
    kSysFlen = 0x0C,
    kSysExitExtended = 0x20,
};
enum { kModeReadBinary = 1, kModeWriteBinary = 5 };

#define RP_SYST_CSR (*(volatile uint32_t*)0xE000E010u)
#define RP_SYST_RVR (*(volatile uint32_t*)0xE000E014u)
#define RP_SYST_CVR (*(volatile uint32_t*)0xE000E018u)

extern volatile uint32_t rp_systick_wraps;

static int32_t rp_semihost(int32_t op, const void* args)
{
    register int32_t r0 __asm("r0") = op;
    register const void* r1 __asm("r1") = args;
    __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static uint32_t rp_strlen(const char* s)
{
    uint32_t n = 0;
    while (s[n] != '\0')
        ++n;
    return n;
}

void rp_ticks_start(void)
{
    RP_SYST_CSR = 0u;
    RP_SYST_RVR = 0x00FFFFFFu;
    RP_SYST_CVR = 0u;
    rp_systick_wraps = 0u;
    /* enable, interrupt on wrap, core clock */
    RP_SYST_CSR = 0x7u;
}

uint64_t rp_ticks(void)
{
    uint32_t wraps, value;
    do {
        wraps = rp_systick_wraps;
        value = RP_SYST_CVR;
    } while (wraps != rp_systick_wraps);
    /* The counter runs down from the reload value; a wrap that has happened but
     * whose interrupt is pending shows as COUNTFLAG, handled by re-reading above
     * once the handler ran (interrupts are enabled throughout). */
    return (uint64_t)wraps * 0x1000000u + (0x00FFFFFFu - value);
}

static int32_t rp_open(const char* name, int32_t mode)
{
    const uint32_t args[3] = {(uint32_t)(uintptr_t)name, (uint32_t)mode, rp_strlen(name)};
    return rp_semihost(kSysOpen, args);
}

static void rp_close(int32_t handle)
{
    const uint32_t args[1] = {(uint32_t)handle};
    (void)rp_semihost(kSysClose, args);
}

static int32_t rp_write_handle(int32_t handle, const void* buf, uint32_t size)
{
    const uint32_t args[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)buf, size};
    return rp_semihost(kSysWrite, args) == 0 ? 0 : -1; /* returns the bytes NOT written */
}

int32_t rp_read_file(const char* name, void* buf, uint32_t capacity)
{
    const int32_t handle = rp_open(name, kModeReadBinary);
    if (handle < 0)
        return -1;
    const uint32_t flenArgs[1] = {(uint32_t)handle};
    const int32_t size = rp_semihost(kSysFlen, flenArgs);
    if (size < 0 || (uint32_t)size > capacity) {
        rp_close(handle);
        return size < 0 ? -1 : -2;
    }
    const uint32_t args[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)buf, (uint32_t)size};
    const int32_t notRead = rp_semihost(kSysRead, args);
    rp_close(handle);
    return notRead == 0 ? size : -1;
}

int32_t rp_read_file_at(const char* name, uint32_t offset, void* buf, uint32_t size)
{
    const int32_t handle = rp_open(name, kModeReadBinary);
    if (handle < 0)
        return -1;
    const uint32_t seekArgs[2] = {(uint32_t)handle, offset};
    int32_t status = rp_semihost(kSysSeek, seekArgs) == 0 ? 0 : -1;
    if (status == 0) {
        const uint32_t args[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)buf, size};
        status = rp_semihost(kSysRead, args) == 0 ? 0 : -1; /* returns the bytes NOT read */
    }
    rp_close(handle);
    return status;
}

int32_t rp_write_file(const char* name, const void* buf, uint32_t size)
{
    const int32_t handle = rp_open(name, kModeWriteBinary);
    if (handle < 0)
        return -1;
    const int32_t status = size == 0u ? 0 : rp_write_handle(handle, buf, size);
    rp_close(handle);
    return status;
}

void rp_print(const char* text) { (void)rp_semihost(kSysWrite0, text); }

static int32_t rp_results_handle = -1;

static void rp_result_line(const char* key, const char* value)
{
    if (rp_results_handle < 0)
        rp_results_handle = rp_open("results.txt", kModeWriteBinary);
    if (rp_results_handle < 0)
        return;
    (void)rp_write_handle(rp_results_handle, key, rp_strlen(key));
    (void)rp_write_handle(rp_results_handle, " ", 1u);
    (void)rp_write_handle(rp_results_handle, value, rp_strlen(value));
    (void)rp_write_handle(rp_results_handle, "\n", 1u);
}

void rp_result_text(const char* key, const char* value) { rp_result_line(key, value); }

void rp_result_u64(const char* key, uint64_t value)
{
    char digits[24];
    char* p = digits + sizeof digits - 1;
    *p = '\0';
    do {
        *--p = (char)('0' + (int)(value % 10u));
        value /= 10u;
    } while (value != 0u);
    rp_result_line(key, p);
}

void rp_result_i64(const char* key, int64_t value)
{
    char digits[24];
    char* p = digits + sizeof digits - 1;
    *p = '\0';
    const int negative = value < 0;
    uint64_t magnitude = negative ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    do {
        *--p = (char)('0' + (int)(magnitude % 10u));
        magnitude /= 10u;
    } while (magnitude != 0u);
    if (negative)
        *--p = '-';
    rp_result_line(key, p);
}

void rp_exit(int status)
{
    if (rp_results_handle >= 0) {
        rp_close(rp_results_handle);
        rp_results_handle = -1;
    }
    /* ADP_Stopped_ApplicationExit with an exit status (SYS_EXIT_EXTENDED). */
    const uint32_t args[2] = {0x20026u, (uint32_t)status};
    (void)rp_semihost(kSysExitExtended, args);
    for (;;) {
    }
}

void rp_compose(char* out, const char* prefix, int i, const char* suffix)
{
    char digits[12];
    int n = 0;
    do {
        digits[n++] = (char)('0' + i % 10);
        i /= 10;
    } while (i > 0 && n < 11);
    while (*prefix != '\0')
        *out++ = *prefix++;
    while (n > 0)
        *out++ = digits[--n];
    while (*suffix != '\0')
        *out++ = *suffix++;
    *out = '\0';
}
