/* startup.c: vector table and reset handler for a Cortex-M4F, with no vendor files.
 *
 * The reset handler copies .data from flash, zeroes .bss and the CCM section,
 * enables the FPU, paints the stack with a pattern (rp_stack_high_water finds
 * the lowest overwritten word later), calls main and stops the emulator with
 * main's return value. The symbols come from the board's link.ld.
 */
#include <stdint.h>

#include "rp_fw.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _sccm, _eccm;
extern uint32_t _stack_bottom, _stack_top;

int main(void);
void rp_reset_handler(void);
void rp_systick_handler(void);
void rp_fault_handler(void);
void rp_default_handler(void);

#define RP_STACK_PAINT 0xC5C5C5C5u

/* SysTick wraps; read by rp_ticks (rp_fw.c). */
volatile uint32_t rp_systick_wraps;

typedef void (*rp_vector)(void);

/* The core's 16 vectors; the STM32F4's peripheral interrupts are never enabled here. */
__attribute__((section(".isr_vector"), used)) const rp_vector rp_vector_table[16] = {
    (rp_vector)(uintptr_t)&_stack_top, /* initial stack pointer */
    rp_reset_handler,
    rp_fault_handler,   /* NMI */
    rp_fault_handler,   /* HardFault */
    rp_fault_handler,   /* MemManage */
    rp_fault_handler,   /* BusFault */
    rp_fault_handler,   /* UsageFault */
    0, 0, 0, 0,
    rp_default_handler, /* SVCall */
    rp_default_handler, /* DebugMonitor */
    0,
    rp_default_handler, /* PendSV */
    rp_systick_handler,
};

/* Paints from the stack's bottom up to just below the current stack pointer.
 * Kept out of line so that its own frame lies above the painted words. */
__attribute__((noinline)) static void rp_paint_stack(void)
{
    uint32_t sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    for (volatile uint32_t* p = &_stack_bottom; (uint32_t)(uintptr_t)p < sp - 64u; ++p)
        *p = RP_STACK_PAINT;
}

void rp_reset_handler(void)
{
    const uint32_t* src = &_sidata;
    for (uint32_t* dst = &_sdata; dst < &_edata;)
        *dst++ = *src++;
    for (uint32_t* dst = &_sbss; dst < &_ebss;)
        *dst++ = 0u;
    for (uint32_t* dst = &_sccm; dst < &_eccm;)
        *dst++ = 0u;
    /* CPACR: full access to CP10 and CP11 (the FPU), before any float instruction. */
    *(volatile uint32_t*)0xE000ED88u |= (0xFu << 20);
    __asm volatile("dsb\n\tisb" ::: "memory");
    rp_paint_stack();
    rp_exit(main());
}

void rp_systick_handler(void) { ++rp_systick_wraps; }

uint32_t rp_stack_high_water(void)
{
    const uint32_t* p = &_stack_bottom;
    while (p < &_stack_top && *p == RP_STACK_PAINT)
        ++p;
    return (uint32_t)((uintptr_t)&_stack_top - (uintptr_t)p);
}

uint32_t rp_stack_size(void) { return (uint32_t)((uintptr_t)&_stack_top - (uintptr_t)&_stack_bottom); }

void rp_fault_handler(void)
{
    rp_print("rnnpool firmware: fault (HardFault, bus, memory or usage fault)\n");
    rp_result_text("fault", "hardfault");
    rp_exit(3);
}

void rp_default_handler(void)
{
    rp_print("rnnpool firmware: unexpected exception\n");
    rp_result_text("fault", "unexpected_exception");
    rp_exit(3);
}
