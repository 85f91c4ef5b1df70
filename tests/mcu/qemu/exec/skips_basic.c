/* Tests of tests/exec/test_exec_basic.c that the Cortex-M image does not run,
 * with the reason (printed as SKIPPED). */
#include <stddef.h>
const char *const mcm_skips[] = {
    "test_time_budget_watchdog",
    "gives the budget in cycles assuming the simulator's 1 cycle = 1 ns (1000000 = 1 ms); the core here counts 25 MHz cycles (40 ms)",
    "test_timers_block_in_kernel",
    "asserts timer expiries at exact virtual times (i * period); a real core sees them a few us late (10001 vs 10000)",
    "test_isr_wake",
    "asserts the exact poll time of an IRQ raised at 7 ms; QEMU -icount sleep=off delivers the CMSDK timer IRQ late while the CPU sleeps",
    "test_interrupt_executor",
    "asserts periodic wake-ups at exact virtual times (i * period); a real core sees them a few us late (5002 vs 5000)",
    NULL, NULL,
};
